"""Photos on a suggestion: which are accepted, and fetching them before the turn that saves them.

A photo is fetched once, when the suggestion is created, and served by Sharebot from then on:
the photo's host never sees a request from a person's client (no "opened" trace), the photo
cannot change after it was checked, and the share page can offer it as a real download.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence

from bot.errors import UserError
from bot.ports import Photo, PhotoFetcher

MAX_PHOTOS = 4
# Instagram's own limit for a photo; every surface that shows one takes this size.
MAX_BYTES = 8 * 1024 * 1024
# What Slack's image block, Adaptive Cards and Instagram all accept.
FORMATS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

Fetched = Mapping[str, Photo | UserError]


def sniff(data: bytes) -> str | None:
    """The format the bytes really are (a server's Content-Type can be wrong), or None."""
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def photo_name(suggestion_id: int, number: int, content_type: str) -> str:
    """The name a photo is saved under: ``sharebot-12-1.jpg``."""
    return f"sharebot-{suggestion_id}-{number}.{FORMATS.get(content_type, 'jpg')}"


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


async def fetch_all(fetcher: PhotoFetcher, urls: Iterable[str]) -> dict[str, Photo | UserError]:
    """Fetch every photo at once; each result is the photo or what was wrong with it."""
    wanted = list(dict.fromkeys(urls))[:MAX_PHOTOS]

    async def one(url: str) -> Photo | UserError:
        try:
            return await fetcher.fetch(url)
        except UserError as error:
            return error

    return dict(zip(wanted, await asyncio.gather(*(one(url) for url in wanted)), strict=True))


def checked(urls: Sequence[str], fetched: Fetched) -> list[Photo]:
    """The photos in the author's order; the first problem found is raised as it was reported."""
    photos = []
    for url in urls:
        result = fetched.get(url)
        if result is None:
            raise UserError("error.photo.unusable", url=url[:80])
        if isinstance(result, UserError):
            raise result
        photos.append(result)
    return photos
