"""What the core needs from a platform: who is talking, how sending went, a member directory."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
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
class SharedMessage:
    """A chat message comms want to suggest for sharing ("Suggest for sharing" on a message),
    as the platform handed it over: its text, its first link, and photo addresses the
    platform gives out (not files behind the platform's sign-in)."""

    text: str
    link: str = ""
    photos: tuple[str, ...] = ()


@dataclass(frozen=True)
class Addressee:
    """Where a proactive message goes: the platform's user id and stored conversation address."""

    platform: str
    user_key: str
    address: str | None = None


class Uncertainty(StrEnum):
    """Why a message may or may not have been shown: counted by these names, never sent again."""

    TIMEOUT = "timeout"  # no answer in time after the request went out
    CONNECTION_LOST = "connection_lost"  # the connection broke after the request was written
    SERVER_ERROR = "server_error"  # any 5xx, whatever its body says
    UNREADABLE = "unreadable"  # an answer that is not the platform's: cut off, HTML, no id
    PLATFORM_ERROR = "platform_error"  # the platform says part of it may have succeeded
    UNEXPECTED = "unexpected"  # an exception the adapter does not know
    INTERRUPTED = "interrupted"  # the process died while the message was being sent


class SendFailure(Exception):
    """A message did not certainly arrive. Adapters raise one of the four kinds below and
    nothing else; :class:`bot.delivery.sender.Sender` alone decides what happens next (delivery
    rule 2 in docs/architecture.md).

    ``reason`` is for the log: short, and never a user id.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotTaken(SendFailure):
    """The platform certainly did not take the message: no connection (refused, DNS, TLS,
    before the request was written), or it said so (429, Teams' 412, Slack's ``ratelimited``).
    The only failure that is retried.

    ``limited``: the platform said "too many" (counted as rate limited); ``retry_after`` is its
    ``Retry-After`` in seconds when it gave one, else the Sender backs off with jitter.
    """

    def __init__(
        self, reason: str, *, retry_after: float | None = None, limited: bool = False
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.limited = limited or retry_after is not None


class MaybeTaken(SendFailure):
    """The request went out and no clear success came back: the platform may show the message.
    Never sent again; counted as uncertain under ``uncertainty``."""

    def __init__(self, uncertainty: Uncertainty, detail: str = "") -> None:
        super().__init__(f"{uncertainty.value}: {detail}" if detail else uncertainty.value)
        self.uncertainty = uncertainty


class Refused(SendFailure):
    """The platform clearly refused the message (400, 401, an invalid token, invalid blocks):
    it was not shown, and sending it again cannot help. Not retried; the person stays reachable."""


class Unreachable(SendFailure):
    """The person cannot receive messages (deactivated, bot blocked or uninstalled, no chat):
    not retried, and nothing more is planned for them until they write to the bot again."""


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

    A Messenger does not retry or wait on its own: it says what happened by raising
    :class:`NotTaken`, :class:`MaybeTaken`, :class:`Refused` or :class:`Unreachable`, and the
    Sender applies ``limits`` (token buckets, Retry-After, backoff) the same way for all.
    Anything else it raises counts as :class:`MaybeTaken` (``unexpected``).
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


@dataclass(frozen=True)
class Target:
    """An audience smaller than everyone: a Slack channel, a Teams team, as the platform names it.

    ``key`` is what the platform needs to list the members again when a suggestion starts (a
    Slack channel id; a Teams team's id and service address), ``label`` how people see it
    (``#marketing``). ``size``: how many members it had when it was named (never stored). A
    target with no key is everyone (Slack's ``team`` means the workspace).
    """

    platform: str
    key: str
    label: str
    size: int | None = None

    @property
    def everyone(self) -> bool:
        return not self.key


class Directory(Protocol):
    """Lists the people behind an invitation target (``#channel``, ``team``, ``everyone``)."""

    async def members(self, target: str) -> list[Actor] | None:
        """The members, or None when this platform does not know the target."""
        ...

    async def lookup(self, reference: str) -> Actor | None:
        """The person a mention, id or name refers to, or None when nobody matches."""
        ...

    async def target(self, text: str) -> Target | None:
        """What ``--to <text>`` names in the request at hand, or None when nothing here."""
        ...

    async def member_keys(self, target: Target) -> frozenset[str] | None:
        """The user keys of the target's members now (when a suggestion starts, outside any
        request), or None when the platform no longer knows it (the channel is gone, the app
        was removed). Any other failure raises: it is worth trying again."""
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
