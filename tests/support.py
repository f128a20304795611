"""Test doubles at the platform's seam and a chat-style driver for the real core."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from adapters.photos import WebPhotos
from adapters.public_addresses import FetchRules, parse_allowances
from bot.context import Context
from bot.core import Sharebot
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.sender import Sender
from bot.i18n import Catalogue
from bot.ports import UNLIMITED, Actor, Addressee, SendLimits, Target
from bot.views import Reply, View, plain_text
from storage.database import Database

PLATFORM = "chat"
# The fake photo host listens on loopback, which Sharebot refuses unless the operator allows it.
LOOPBACK_PHOTOS = FetchRules(parse_allowances("127.0.0.1"))
# A Wednesday, 10:00 UTC (11:00 in Berlin): inside the default working window.
WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def objects_in(node: object) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON value, outermost first (for assertions on payloads)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from objects_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from objects_in(item)


async def uncertain_in_metrics(
    http: aiohttp.ClientSession, base_url: str
) -> dict[tuple[str, str], float]:
    """``sharebot_deliveries_uncertain`` from a running server's ``/metrics``, by (platform,
    reason)."""
    async with http.get(f"{base_url}/metrics") as response:
        text = await response.text()
    return {
        (sample.labels["platform"], sample.labels["reason"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "sharebot_deliveries_uncertain"
        for sample in family.samples
        if sample.name.endswith("_total")
    }


def resume_on_retry(dispatcher: Dispatcher, resume: Callable[[], Awaitable[None]]) -> None:
    """Give the dispatcher a real Sender whose waits first call ``resume`` (a fake's port
    listens again): a refused first attempt is retried against a platform that is back."""
    ctx = dispatcher.ctx

    async def sleep(seconds: float) -> None:
        await resume()
        await asyncio.sleep(seconds)

    dispatcher.sender = Sender(
        lambda: ctx.messengers,
        ctx.metrics,
        give_up_after=dispatcher.lease.total_seconds() / 2,
        sleep=sleep,
    )


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, within: float = 10.0, every: float = 0.01
) -> None:
    """Poll ``condition`` until it holds; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110 - the condition is a query, not an event
            await asyncio.sleep(every)


class FakeClock:
    def __init__(self, start: datetime = WEDNESDAY) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, **amount: float) -> None:
        self.current += timedelta(**amount)


@dataclass
class Sent:
    to: str
    view: View
    ref: str


@dataclass
class FakeMessenger:
    """Records every message; ``update`` replaces the view of a sent message.

    ``failures[user]`` lists what the next sends to that person raise, one call each;
    ``update_failures[user]`` the same for updates.
    """

    sent: list[Sent] = field(default_factory=list)
    updates: list[tuple[str, str]] = field(default_factory=list)
    limits: SendLimits = UNLIMITED
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    update_failures: dict[str, list[Exception]] = field(default_factory=dict)
    attempts: list[str] = field(default_factory=list)
    update_attempts: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, to: Addressee, view: View) -> str | None:
        self.attempts.append(to.user_key)
        if self.failures.get(to.user_key):
            raise self.failures[to.user_key].pop(0)
        ref = f"m{len(self.sent) + 1}"
        self.sent.append(Sent(to.user_key, view, ref))
        return ref

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        self.update_attempts.append((to.user_key, message_ref))
        if self.update_failures.get(to.user_key):
            raise self.update_failures[to.user_key].pop(0)
        self.updates.append((to.user_key, message_ref))
        for message in self.sent:
            if message.ref == message_ref:
                message.view = view


@dataclass
class FakeDirectory:
    """People by name; ``channels`` (``#name`` -> names) answer ``--to``. ``failures`` lists
    what the next member listings raise, one call each (the platform down at a start)."""

    people: dict[str, Actor] = field(default_factory=dict)
    channels: dict[str, list[str]] = field(default_factory=dict)
    failures: list[Exception] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)

    async def members(self, target: str) -> list[Actor] | None:
        return list(self.people.values()) if target in ("everyone", "#general") else None

    async def lookup(self, reference: str) -> Actor | None:
        return self.people.get(reference.lower())

    async def target(self, text: str) -> Target | None:
        if text == "everyone":
            return Target(PLATFORM, "", "everyone")
        name = text.lstrip("#")
        if name not in self.channels:
            return None
        return Target(PLATFORM, name, f"#{name}", len(self.channels[name]))

    async def member_keys(self, target: Target) -> frozenset[str] | None:
        self.listed.append(target.key)
        if self.failures:
            raise self.failures.pop(0)
        members = self.channels.get(target.key)
        return frozenset(members) if members is not None else None


class Chat:
    """Drives the real core like a conversation: ``await chat.say("anna", "on")``."""

    def __init__(
        self,
        database: Database,
        clock: FakeClock,
        *,
        admins: tuple[str, ...] = ("hanna",),
        photos: WebPhotos | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.messenger = FakeMessenger()
        self.directory = FakeDirectory()
        self.ctx = Context(
            database=database,
            catalogue=Catalogue.load(),
            clock=clock,
            public_url="https://sharebot.example",
            admins=frozenset((PLATFORM, a) for a in admins),
            messengers={PLATFORM: self.messenger},
            directories={PLATFORM: self.directory},
            photos=photos or WebPhotos(LOOPBACK_PHOTOS),
        )
        self.core = Sharebot(self.ctx)
        self.dispatcher = Dispatcher(self.ctx)
        self.ctx.notify = self.dispatcher.notify
        self.replies: dict[str, list[Reply]] = {}
        self.locales: dict[str, str] = {}

    def use_messenger(self, messenger: FakeMessenger) -> None:
        """Put another fake messenger (one that waits or fails) at the platform's seam."""
        self.messenger = messenger
        self.ctx.messengers = {PLATFORM: messenger}

    def use_directory(self, directory: FakeDirectory) -> None:
        """Put another fake directory at the platform's seam; its people and channels so far
        stay."""
        directory.people.update(self.directory.people)
        directory.channels.update(self.directory.channels)
        self.directory = directory
        self.ctx.directories = {PLATFORM: directory}

    def limit(self, limits: SendLimits) -> None:
        """Give the fake platform these limits (the dispatcher reads them on first use)."""
        self.messenger.limits = limits

    def person(self, name: str, *, locale: str = "en-GB", timezone: str = "Europe/Berlin") -> Actor:
        actor = Actor(PLATFORM, name, name.title(), locale, timezone)
        self.directory.people[name] = actor
        return actor

    def actor(self, name: str) -> Actor:
        return self.directory.people.get(name) or self.person(name)

    async def say(self, name: str, text: str) -> Reply:
        reply = await self.core.say(self.actor(name), text)
        self.replies.setdefault(name, []).append(reply)
        return reply

    async def press(self, name: str, action: str, value: str = "") -> Reply:
        reply = await self.core.press(self.actor(name), action, value)
        self.replies.setdefault(name, []).append(reply)
        return reply

    async def submit(self, name: str, form_id: str, values: Mapping[str, str]) -> Reply:
        reply = await self.core.submit(self.actor(name), form_id, values)
        self.replies.setdefault(name, []).append(reply)
        return reply

    async def ask(self, name: str, text: str) -> str:
        """Say something and return the answer as plain text."""
        await self.say(name, text)
        return self.last_reply(name)

    def text(self, message_id: str, language: str = "en", /, **params: object) -> str:
        """A catalogue text, to compare answers with what the bot means to say."""
        return self.ctx.catalogue.text(language, message_id, **params)

    def last_reply(self, name: str) -> str:
        return "\n".join(plain_text(view) for view in self.replies[name][-1].views)

    async def tick(self) -> None:
        await self.dispatcher.tick()

    def inbox(self, name: str) -> list[View]:
        return [message.view for message in self.messenger.sent if message.to == name]

    async def make_comms(self, name: str) -> None:
        self.actor(name)
        await self.say("hanna", f"roles grant {name} comms")

    async def close(self) -> None:
        await self.dispatcher.idle()
