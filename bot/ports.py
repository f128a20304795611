"""What the core needs from a platform: who is talking, a way to send, a member directory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.views import View


@dataclass(frozen=True)
class Actor:
    """The person behind a message or button, as the adapter knows them."""

    platform: str
    user_key: str
    display_name: str | None = None
    locale: str | None = None
    timezone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Addressee:
    """Where a proactive message goes: the platform's user id and stored conversation address."""

    platform: str
    user_key: str
    address: str | None = None


class DeliveryFailed(Exception):
    """Sending failed; ``permanent`` when retrying cannot help (deactivated, blocked)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Messenger(Protocol):
    """Sends proactive messages on one platform."""

    async def send(self, to: Addressee, view: View) -> str | None:
        """Send a message; returns a reference to it for a later update, if the platform has one."""
        ...

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        """Replace a message sent earlier (used only to show that a suggestion ended)."""
        ...


class Directory(Protocol):
    """Lists the people behind an invitation target (``#channel``, ``team``, ``everyone``)."""

    async def members(self, target: str) -> list[Actor] | None:
        """The members, or None when this platform does not know the target."""
        ...

    async def lookup(self, reference: str) -> Actor | None:
        """The person a mention, id or name refers to, or None when nobody matches."""
        ...
