"""A host that takes every connection and never says a word: a silent server, a frozen proxy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class Tarpit:
    """Accepts on ``127.0.0.1:port``, reads whatever comes and answers nothing, ever."""

    port: int = 0
    connections: int = 0
    _open: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._open.add(writer)
        try:
            while await reader.read(65536):
                pass
        except ConnectionError:
            pass
        finally:
            self._open.discard(writer)
            writer.close()


@asynccontextmanager
async def tarpit() -> AsyncIterator[Tarpit]:
    pit = Tarpit()
    server = await asyncio.start_server(pit._hold, "127.0.0.1", 0)
    pit.port = server.sockets[0].getsockname()[1]
    try:
        yield pit
    finally:
        for writer in list(pit._open):
            writer.close()
        server.close()
        await server.wait_closed()
