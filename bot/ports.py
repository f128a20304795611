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
    """Sending failed; the dispatcher decides from these fields what happens next.

    - ``permanent``: retrying cannot help (account deactivated, bot blocked or uninstalled);
      the person is marked unreachable and nothing is retried.
    - ``rate_limited``: the platform said "too many" (HTTP 429); ``retry_after`` is its
      ``Retry-After`` in seconds when it gave one, else the dispatcher backs off with jitter.
    - ``uncertain``: the request went out but no answer came (a read timeout): the platform
      may have shown the message, so it is never sent again and is counted as uncertain.
    - otherwise the failure is transient (5xx, connection refused or reset before an answer,
      Teams 412) and is retried with exponential backoff and jitter, a bounded number of times.
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        rate_limited: bool = False,
        retry_after: float | None = None,
        uncertain: bool = False,
    ) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.uncertain = uncertain
        self.rate_limited = rate_limited or retry_after is not None
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    """At most ``count`` messages in any ``seconds``."""

    count: int
    seconds: float


@dataclass(frozen=True)
class SendLimits:
    """A platform's sending limits, declared by its Messenger and enforced by the dispatcher.

    ``overall`` limits the whole app (Slack workspace, Teams app and tenant);
    ``per_conversation`` limits messages to one person's conversation.
    """

    overall: tuple[Rate, ...] = ()
    per_conversation: tuple[Rate, ...] = ()
    concurrency: int = 20
    max_attempts: int = 5
    backoff_seconds: float = 0.5
    backoff_cap_seconds: float = 30.0


UNLIMITED = SendLimits()


class Messenger(Protocol):
    """Sends proactive messages on one platform.

    A Messenger does not retry or wait on its own: it raises :class:`DeliveryFailed` and the
    dispatcher applies ``limits`` (token buckets, Retry-After, backoff) the same way for all.
    """

    @property
    def limits(self) -> SendLimits:
        """This platform's limits."""
        ...

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


@dataclass(frozen=True)
class Photo:
    """A photo fetched from the address comms gave: its checked type and its bytes."""

    url: str
    content_type: str
    data: bytes


class PhotoFetcher(Protocol):
    """Fetches a photo for a new suggestion and checks it (``bot.sharing.photos`` says what passes).

    Raises :class:`bot.errors.UserError` with an ``error.photo.*`` key that says, in the
    author's words, what was wrong: not found, not an image, too large, too slow.
    """

    async def fetch(self, url: str) -> Photo: ...
