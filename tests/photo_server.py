"""A local web server with photos and things that are not photos, for the checks at creation."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack

from aiohttp import web

from adapters.teams.icons import png
from tests.listening import listening


class FakePhotoHost:
    """Serves ``/outing.png`` and friends on an ephemeral port; counts requests per path.

    ``/redirect?to=<url>`` answers 302 to that address.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.photo = png(16, 12, lambda x, y: (230, 90 + 10 * y, 40 + 10 * x, 255))
        self.hits: Counter[str] = Counter()
        self._release = asyncio.Event()
        self._serving = AsyncExitStack()
        self.base = ""

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    async def __aenter__(self) -> FakePhotoHost:
        app = web.Application()
        app.router.add_get("/{name}", self._serve)
        self.base = await self._serving.enter_async_context(listening(app, host=self.host))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._release.set()  # a slow or endless answer still running ends now
        await self._serving.aclose()

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.hits[name] += 1
        if name == "outing.png":
            return web.Response(body=self.photo, content_type="image/png")
        if name == "page.html":
            return web.Response(text="<html><body>news</body></html>", content_type="text/html")
        if name == "photo.webp":
            return web.Response(body=b"RIFF\x00\x00\x00\x00WEBPVP8 ", content_type="image/webp")
        if name == "lying.png":
            return web.Response(text="<html>not a photo</html>", content_type="image/png")
        if name == "huge.png":
            return web.Response(body=self.photo + bytes(9 * 1024 * 1024), content_type="image/png")
        if name == "endless.png":
            return await self._endless(request)
        if name == "redirect":
            raise web.HTTPFound(request.query["to"])
        if name == "slow.png":
            await self._release.wait()
            return web.Response(body=self.photo, content_type="image/png")
        raise web.HTTPNotFound()

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        """A photo without a Content-Length that never stops: only reading tells its size."""
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(self.photo)
        try:
            while not self._release.is_set():
                await response.write(bytes(256 * 1024))
        except (ConnectionError, RuntimeError):
            pass  # the checker hung up, as it should
        return response
