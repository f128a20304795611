"""Fetches a new suggestion's photos over HTTP and checks them before anything is saved.

Only public addresses are fetched (:mod:`adapters.public_addresses`), every redirect hop is
checked on its own, and every failure to get an answer — an address that is not public, a
closed port, a silent host, an HTTP error — gets the same answer, "could not be used as a
photo": the author learns nothing a port scanner could use. What a photo server did answer
(a web page, a format, a size) is said plainly, since only public servers get that far.
"""

from __future__ import annotations

import logging

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from adapters.public_addresses import FetchRules, NotPublic, PublicResolver
from bot.errors import UserError
from bot.ports import Photo
from bot.sharing.photos import FORMATS, MAX_BYTES, megabytes, sniff

logger = logging.getLogger(__name__)
# Slack wants a form's answer within three seconds; the photos are fetched inside them.
TIMEOUT_SECONDS = 2.5
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class Unusable(Exception):
    """No photo came back; why is for the debug log only."""


class WebPhotos:
    """The :class:`bot.ports.PhotoFetcher` of a running Sharebot: plain HTTP GET, bounded."""

    def __init__(
        self,
        rules: FetchRules | None = None,
        *,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self.rules = rules or FetchRules()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._resolver = resolver

    async def fetch(self, url: str) -> Photo:
        shown = url[:80]
        try:
            data = await self._download(url, shown)
        except (Unusable, NotPublic, aiohttp.ClientError, ValueError, TimeoutError) as error:
            # The host and the reason, never who asked (privacy rule 6); DEBUG only (security
            # rule 1).
            logger.debug("photo at %s not used: %s: %s", shown, type(error).__name__, error)
            raise UserError("error.photo.unusable", url=shown) from error
        content_type = sniff(bytes(data[:16]))
        if content_type is None:
            raise UserError("error.photo.broken", url=shown)
        return Photo(url=url, content_type=content_type, data=bytes(data))

    async def _download(self, url: str, shown: str) -> bytearray:
        connector = aiohttp.TCPConnector(resolver=PublicResolver(self.rules, self._resolver))
        async with aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            headers={"User-Agent": "Sharebot (checks a photo for a new suggestion)"},
        ) as session:
            target = URL(url)
            for _ in range(MAX_REDIRECTS + 1):
                self.rules.check(target)
                async with session.get(target, allow_redirects=False) as response:
                    location = response.headers.get("Location")
                    if response.status in _REDIRECTS and location:
                        target = target.join(URL(location))
                        continue
                    if response.status != 200:
                        raise Unusable(f"HTTP {response.status}")
                    return await self._read(response, shown)
        raise Unusable(f"more than {MAX_REDIRECTS} redirects")

    async def _read(self, response: aiohttp.ClientResponse, shown: str) -> bytearray:
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
        return data

    def _check_size(self, shown: str, size: int | None) -> None:
        if size is not None and size > self.max_bytes:
            raise UserError(
                "error.photo.too_big",
                url=shown,
                size=megabytes(size),
                limit=megabytes(self.max_bytes),
            )
