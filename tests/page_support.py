"""Helpers for share page tests: a real PNG, a photo host on an ephemeral port, an HTML reader."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser

from aiohttp import web

_VOID = frozenset({"img", "meta", "link", "br", "hr", "input", "source"})


def png(width: int = 6, height: int = 4) -> bytes:
    """A real (tiny, striped) PNG image."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((40 * x % 256, 200, 60 * y % 256)) for x in range(width))
        for y in range(height)
    )

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class PhotoHost:
    """A web server that has one photo; ``hits`` counts who asked for it."""

    url: str
    data: bytes
    hits: list[str] = field(default_factory=list)


@asynccontextmanager
async def photo_host(data: bytes) -> AsyncIterator[PhotoHost]:
    host = PhotoHost(url="", data=data)

    async def photo(request: web.Request) -> web.Response:
        host.hits.append(request.headers.get("User-Agent", ""))
        return web.Response(body=data, content_type="image/png")

    app = web.Application()
    app.router.add_get("/team-day.png", photo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    host.url = f"http://127.0.0.1:{port}/team-day.png"
    try:
        yield host
    finally:
        await runner.cleanup()


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class Elements(HTMLParser):
    """Every element of a page, in document order, with its attributes and the text inside."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.found.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str, *, cls: str = "", **attrs: str) -> list[Element]:
        """Elements with this tag, class and attributes (an empty value: only present)."""
        return [
            e
            for e in self.found
            if e.tag == tag
            and (not cls or cls in e.classes)
            and all(name in e.attrs and (not v or e.attrs[name] == v) for name, v in attrs.items())
        ]
