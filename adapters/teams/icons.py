"""The app package's two icons, drawn as PNG with the standard library (no imaging package).

Teams wants a full-colour 192×192 icon and a 32×32 outline: white on a transparent background.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable

Pixel = tuple[int, int, int, int]
ACCENT = (0x2E, 0x7D, 0x5B)  # also the manifest's accentColor
WHITE: Pixel = (255, 255, 255, 255)
CLEAR: Pixel = (0, 0, 0, 0)
# The glyph: three nodes joined by two lines (the common "share" sign), in unit coordinates.
_NODES = ((0.70, 0.27), (0.30, 0.50), (0.70, 0.73))
_NODE_RADIUS = 0.11
_LINE_WIDTH = 0.045


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG (8 bits per channel, no interlace) with ``pixel(x, y)`` as its content."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _on_glyph(u: float, v: float) -> bool:
    if any(math.dist((u, v), node) <= _NODE_RADIUS for node in _NODES):
        return True
    hub = _NODES[1]
    return any(_segment_distance((u, v), hub, end) <= _LINE_WIDTH for end in (_NODES[0], _NODES[2]))


def _segment_distance(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    ax, ay = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((p[0] - a[0]) * ax + (p[1] - a[1]) * ay) / (ax * ax + ay * ay)))
    return math.dist(p, (a[0] + t * ax, a[1] + t * ay))


def color_icon(size: int = 192) -> bytes:
    """White glyph on the accent colour, full bleed (Teams rounds the corners itself)."""

    def pixel(x: int, y: int) -> Pixel:
        if _on_glyph((x + 0.5) / size, (y + 0.5) / size):
            return WHITE
        return (*ACCENT, 255)

    return png(size, size, pixel)


def outline_icon(size: int = 32) -> bytes:
    """White glyph on a fully transparent background."""

    def pixel(x: int, y: int) -> Pixel:
        return WHITE if _on_glyph((x + 0.5) / size, (y + 0.5) / size) else CLEAR

    return png(size, size, pixel)
