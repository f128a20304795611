"""A test's own web server: an aiohttp app on a port of its own, for as long as it is needed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.typedefs import Handler


class Listener:
    """An app on a port of its own that can stop taking connections and take them again.

    ``keep_alive`` off: every answer closes its connection, so a client has none left open
    and feels a ``refuse()`` at its very next request.
    """

    def __init__(self, runner: web.AppRunner, host: str, port: int) -> None:
        self.runner = runner
        self.host = host
        self.port = port
        self.site: web.TCPSite | None = None
        self.keep_alive = True

    @web.middleware
    async def closing(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        if not self.keep_alive:
            response.force_close()
        return response

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        self.site = web.TCPSite(self.runner, self.host, self.port)
        await self.site.start()
        # the runner serves only this site: its first socket's (host, port, ...)
        self.port = int(self.runner.addresses[0][1])

    async def refuse(self) -> None:
        """Stop listening: connecting now fails with "connection refused" (connections still
        open stay open: turn ``keep_alive`` off before the answers that come first)."""
        if self.site is not None:
            await self.site.stop()
            self.site = None

    async def resume(self) -> None:
        """Listen again, on the same port."""
        if self.site is None:
            await self.start()


@asynccontextmanager
async def listener(
    app: web.Application, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[Listener]:
    """Serve ``app`` (on an ephemeral port unless one is given) until the block ends."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    served = Listener(runner, host, port)
    app.middlewares.append(served.closing)
    await runner.setup()
    await served.start()
    try:
        yield served
    finally:
        await runner.cleanup()


@asynccontextmanager
async def listening(
    app: web.Application, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve ``app`` (on an ephemeral port unless one is given); yields ``http://host:port``
    (``http://[::1]:port`` for an IPv6 address)."""
    async with listener(app, host=host, port=port) as served:
        yield served.url
