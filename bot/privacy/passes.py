"""Signed passes to the figures page: a role and an expiry, never a person.

A pass is what ``/share dashboard`` links to: ``{"role": "hr", "until": <unix time>}``, signed
with itsdangerous (HMAC-SHA256 over a key derived for this one purpose). Whoever holds the link
may open the page until then, from any browser; the page is the same for everyone with that
role, so the link tells the server nothing about who clicked it. The key is
``SHAREBOT_SECRET_KEY`` or, without one, a random key made once and kept in the database, so
that every process of one installation signs and checks alike.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from itsdangerous import BadSignature, URLSafeSerializer

from storage import signing
from storage.database import Database
from storage.states import Role

LIFETIME = timedelta(minutes=15)
PURPOSE = "figures-page"
MIN_SECRET = 32  # characters of SHAREBOT_SECRET_KEY


class Refusal(StrEnum):
    """Why a link opens no page: its time is up, or it was not signed by this installation."""

    EXPIRED = "expired"
    FORGED = "forged"


class PassRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class Pass:
    """A signed pass: the role whose figures it shows and the moment it stops working."""

    role: Role
    until: datetime
    token: str


class Passes:
    """Issues and checks passes with one key: the configured one, else the database's."""

    def __init__(self, configured: str = "", *, lifetime: timedelta = LIFETIME) -> None:
        self.lifetime = lifetime
        self._serializer = _serializer(configured) if configured else None

    @property
    def ready(self) -> bool:
        return self._serializer is not None

    async def load(self, database: Database, now: datetime) -> None:
        """Read the stored key (making it on first use), once per process; its own
        transaction, so call it before a turn's (the registry's ``fetch`` does)."""
        if self._serializer is not None:
            return
        async with database.transaction() as session:
            secret = await signing.kept_key(session, PURPOSE, secrets.token_urlsafe(48), now)
        self._serializer = _serializer(secret)

    def issue(self, role: Role, now: datetime) -> Pass:
        """A pass for ``role``, valid for :data:`LIFETIME` from ``now`` (to the second)."""
        until = (now + self.lifetime).replace(microsecond=0)
        token = self._signing().dumps({"role": str(role), "until": int(until.timestamp())})
        return Pass(role=role, until=until, token=token)

    def check(self, token: str, now: datetime) -> Pass:
        """The pass ``token`` carries; :class:`PassRefused` when it is forged, altered or
        malformed (``FORGED``) or its time is up (``EXPIRED``, also for a link used again)."""
        try:
            payload = self._signing().loads(token)
            role = Role(payload["role"])
            until = datetime.fromtimestamp(int(payload["until"]), UTC)
        except (BadSignature, KeyError, TypeError, ValueError) as error:
            raise PassRefused(Refusal.FORGED) from error
        if now >= until:
            raise PassRefused(Refusal.EXPIRED)
        return Pass(role=role, until=until, token=token)

    def _signing(self) -> URLSafeSerializer:
        if self._serializer is None:
            raise RuntimeError("the signing key was not loaded (Passes.load)")
        return self._serializer


def role_of(held: frozenset[str]) -> Role:
    """The role a pass names for someone holding ``held``: HR when they have it (HR sees what
    comms see, and more)."""
    return Role.HR if Role.HR in held else Role.COMMS


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=PURPOSE, signer_kwargs={"digest_method": hashlib.sha256})
