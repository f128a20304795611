"""A TCP relay in front of a server that can freeze: connections stay open, nothing moves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field


@dataclass
class Relay:
    """Forwards ``127.0.0.1:port`` to ``target``; :meth:`freeze` stops every byte both ways,
    as a hung database server or a broken network path does, until :meth:`thaw`."""

    target: tuple[str, int]
    port: int = 0
    _flowing: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._flowing.set()

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.get_running_loop().create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                await self._flowing.wait()
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            sink.close()


@asynccontextmanager
async def relay(host: str, port: int) -> AsyncIterator[Relay]:
    between = Relay((host, port))
    server = await asyncio.start_server(between._serve, "127.0.0.1", 0)
    between.port = server.sockets[0].getsockname()[1]
    try:
        yield between
    finally:
        server.close()
        for task in list(between._tasks):
            task.cancel()
        with suppress(asyncio.CancelledError):
            await asyncio.gather(*between._tasks, return_exceptions=True)
        await server.wait_closed()
