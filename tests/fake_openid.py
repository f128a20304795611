"""A local stand-in for Microsoft's OpenID metadata host, and the Bot Framework's tokens."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.listening import listening

ISSUER = "https://api.botframework.com"  # what the Bot Framework puts in tokens for bots


@dataclass
class FakeOpenIdHost:
    """Publishes signing keys as Microsoft does: ``/openid`` names ``/keys``."""

    url: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/openid"

    def add_key(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(self, kid: str, app_id: str, service_url: str, **claims: Any) -> str:
        """A token as the Bot Framework signs it for one activity."""
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, self.keys[kid], algorithm="RS256", headers={"kid": kid})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/openid", self._metadata)
        app.router.add_get("/keys", self._keys)
        return app

    async def _metadata(self, request: web.Request) -> web.Response:
        self.hits["openid"] += 1
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/keys"})

    async def _keys(self, request: web.Request) -> web.Response:
        self.hits["keys"] += 1
        published = []
        for kid, key in self.keys.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            published.append({**jwk, "kid": kid, "use": "sig", "endorsements": ["msteams"]})
        return web.json_response({"keys": published})


def forged_token(kid: str = "forged") -> str:
    """A token that claims the Bot Framework's issuer but was signed by someone else."""
    return jwt.encode(
        {"iss": ISSUER, "aud": "anyone", "exp": int(time.time()) + 3600},
        "a key that is not Microsoft's, made long enough for HS256",
        algorithm="HS256",
        headers={"kid": kid},
    )


@asynccontextmanager
async def openid_host() -> AsyncIterator[FakeOpenIdHost]:
    host = FakeOpenIdHost()
    host.add_key("key-1")
    async with listening(host.app()) as url:
        host.url = url
        yield host
