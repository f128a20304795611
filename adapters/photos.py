"""Fetches a new suggestion's photos over HTTP and checks them before anything is saved."""

from __future__ import annotations

import aiohttp

from bot.errors import UserError
from bot.ports import Photo
from bot.sharing.photos import FORMATS, MAX_BYTES, megabytes, sniff

# Slack wants a form's answer within three seconds; the photos are fetched inside them.
TIMEOUT_SECONDS = 2.5
_CHUNK = 64 * 1024


class WebPhotos:
    """The :class:`bot.ports.PhotoFetcher` of a running Sharebot: plain HTTP GET, bounded."""

    def __init__(self, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes

    async def fetch(self, url: str) -> Photo:
        shown = url[:80]
        try:
            async with (
                aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                    headers={"User-Agent": "Sharebot (checks a photo for a new suggestion)"},
                ) as session,
                session.get(url, max_redirects=5) as response,
            ):
                if response.status != 200:
                    raise UserError("error.photo.status", url=shown, status=response.status)
                declared = response.content_type
                if not declared.startswith("image/"):
                    raise UserError("error.photo.not_image", url=shown, type=declared)
                if declared not in FORMATS:
                    raise UserError("error.photo.format", url=shown, type=declared)
                self._check_size(shown, response.content_length)
                data = bytearray()
                async for chunk in response.content.iter_chunked(_CHUNK):
                    data += chunk
                    self._check_size(shown, len(data))
        except TimeoutError as error:
            raise UserError("error.photo.slow", url=shown, seconds=f"{self.timeout:g}") from error
        except (aiohttp.ClientError, ValueError) as error:
            raise UserError("error.photo.unreachable", url=shown) from error
        content_type = sniff(bytes(data[:16]))
        if content_type is None:
            raise UserError("error.photo.broken", url=shown)
        return Photo(url=url, content_type=content_type, data=bytes(data))

    def _check_size(self, shown: str, size: int | None) -> None:
        if size is not None and size > self.max_bytes:
            raise UserError(
                "error.photo.too_big",
                url=shown,
                size=megabytes(size),
                limit=megabytes(self.max_bytes),
            )
