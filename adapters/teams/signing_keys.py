"""Bot Framework's token signing keys: fetched off the request path, bounded, kept fresh.

botbuilder checks a token's signature against keys it fetches from Microsoft's OpenID
metadata with a synchronous ``requests.get`` without a timeout, inside the request: while
that host is slow, the whole server stands still, and any forged token makes it ask. Here
botbuilder's cache of those documents (``JwtTokenExtractor.metadataCache``, one entry per
metadata address) holds :class:`SigningKeys` instead, which fetch with aiohttp (honouring
``HTTPS_PROXY`` as requests did), in the background, within ``timeout`` seconds. A request
never waits longer than ``wait`` seconds for a fetch that is under way, and a token signed
with a key that is not known is refused, so a forged token is a 401 in bounded time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)
CHANNEL_METADATA = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
TIMEOUT_SECONDS = 10.0  # one fetch: the metadata document and its key set
WAIT_SECONDS = 5.0  # what a request waits for a fetch under way (Teams waits 15 s in all)
RETRY_SECONDS = 60.0  # between fetches a request asks for (unknown key, no keys yet)
REFRESH_SECONDS = 12 * 3600.0  # Microsoft asks for at least one fetch a day


@dataclass(frozen=True)
class SigningKey:
    """What botbuilder reads of a key: the public key and the channels it is endorsed for."""

    public_key: Any
    endorsements: list[str]


@dataclass
class SigningKeys:
    """The keys published at one OpenID metadata address (in place of botbuilder's
    ``_OpenIdMetadata``, with the same ``get``)."""

    url: str
    session: Callable[[], aiohttp.ClientSession]
    fetch_from: str = ""  # another address for the same document (tests play Microsoft)
    wait: float = WAIT_SECONDS
    clock: Callable[[], float] = time.monotonic
    keys: dict[str, SigningKey] = field(default_factory=dict)
    _asked: float = float("-inf")
    _fetching: asyncio.Task[bool] | None = None

    async def get(self, key_id: str | None) -> SigningKey:
        """The key a token names; raises ``PermissionError`` (botbuilder's 401) when it is
        not known, after one bounded fetch if none was made in the last minute."""
        key = self.keys.get(key_id or "")
        if key is None and (self._fetching or self.clock() - self._asked >= RETRY_SECONDS):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.refresh()), self.wait)
            key = self.keys.get(key_id or "")
        if key is None:
            raise PermissionError("the token is signed with an unknown key")
        return key

    def refresh(self) -> asyncio.Task[bool]:
        """Fetch the keys again (joining a fetch under way); the task says if it worked."""
        if self._fetching is None:
            self._asked = self.clock()
            self._fetching = asyncio.get_running_loop().create_task(self._fetch())
            self._fetching.add_done_callback(self._fetched)
        return self._fetching

    def _fetched(self, task: asyncio.Task[bool]) -> None:
        self._fetching = None
        if not task.cancelled():
            task.exception()  # _fetch catches what it expects; this only marks it as seen

    async def _fetch(self) -> bool:
        try:
            metadata = await self._json(self.fetch_from or self.url)
            published = await self._json(str(metadata["jwks_uri"]))
            self.keys = {
                str(key["kid"]): SigningKey(
                    RSAAlgorithm.from_jwk(json.dumps(key)), list(key.get("endorsements", []))
                )
                for key in published["keys"]
                if key.get("kid")
            }
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
            logger.warning(
                "Teams: could not fetch Bot Framework's signing keys (%s); %d known keys "
                "stay in use",
                type(error).__name__,
                len(self.keys),
            )
            return False
        return True

    async def _json(self, url: str) -> Any:
        async with self.session().get(url) as response:
            response.raise_for_status()
            return await response.json(content_type=None)


class _Cache(dict[str, Any]):
    """botbuilder's metadata cache, answering every address from a :class:`KeyRing`."""

    def __init__(self, ring: KeyRing) -> None:
        super().__init__()
        self.ring = ring

    def get(self, url: str, default: Any = None) -> SigningKeys:
        return self.ring.keys_for(url)


class KeyRing:
    """The signing keys of every metadata address botbuilder asks for, while Teams runs.

    ``start`` puts it in botbuilder's place and begins keeping the Bot Framework channel's
    keys fresh; ``stop`` puts botbuilder's cache back. ``sources`` maps Microsoft's addresses
    to others (tests); ``keep_fresh`` is off when authentication is (no app id); ``clock``
    (seconds) spaces the fetches that requests ask for.
    """

    def __init__(
        self,
        *,
        sources: Mapping[str, str] | None = None,
        wait: float = WAIT_SECONDS,
        timeout: float = TIMEOUT_SECONDS,
        keep_fresh: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sources = dict(sources or {})
        self.clock = clock
        self.wait = wait
        self.timeout = timeout
        self.keep_fresh = keep_fresh
        self._keys: dict[str, SigningKeys] = {}
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._replaced: dict[str, Any] | None = None

    def keys_for(self, url: str) -> SigningKeys:
        if url not in self._keys:
            self._keys[url] = SigningKeys(
                url,
                self._http,
                fetch_from=self.sources.get(url, ""),
                wait=self.wait,
                clock=self.clock,
            )
        return self._keys[url]

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout), trust_env=True
            )
        return self._session

    async def start(self) -> None:
        self._replaced = JwtTokenExtractor.metadataCache
        JwtTokenExtractor.metadataCache = _Cache(self)
        if self.keep_fresh:
            self._task = asyncio.get_running_loop().create_task(self._refreshing())

    async def _refreshing(self) -> None:
        keys = self.keys_for(CHANNEL_METADATA)
        while True:
            fetched = await keys.refresh()
            await asyncio.sleep(REFRESH_SECONDS if fetched else RETRY_SECONDS)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        fetching = [keys._fetching for keys in self._keys.values() if keys._fetching]
        for task in fetching:
            task.cancel()
        await asyncio.gather(*fetching, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        if self._replaced is not None:
            JwtTokenExtractor.metadataCache = self._replaced
