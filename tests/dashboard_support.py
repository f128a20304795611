"""The figures page in tests: a chat whose suggestions have figures, and the page's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from adapters.dashboard.routes import DashboardRoutes
from bot.context import Context
from bot.sharing.links import follow
from bot.views import Notice, Reply
from storage import shares
from tests.listening import listening
from tests.support import Chat

K = 3


async def audience(chat: Chat, size: int) -> None:
    """HR sets k = 3 and an instant delivery; ``size`` people opt in; chris is comms."""
    for setting in (f"anonymity_threshold {K}", "spread_minutes 0", "min_gap_hours 0"):
        await chat.say("hanna", f"policy set {setting}")
    for number in range(size):
        await chat.say(f"person{number}", "on")
    await chat.make_comms("chris")


async def suggestion(
    chat: Chat,
    number: int,
    clicks: Mapping[str, int],
    *,
    url: str = "https://example.com/day",
    end: bool = True,
) -> None:
    """Suggestion ``#number`` sent to everyone opted in, its share links followed ``clicks``
    times, then ended (unless ``end`` is false)."""
    await chat.say("chris", f"new {url} Our day --networks linkedin,xing,x")
    await chat.tick()
    async with chat.database.transaction() as session:
        links = await shares.links_for(session, number)
    assert links, f"suggestion #{number} has no share links"
    for network, times in clicks.items():
        for _ in range(times):
            assert await follow(chat.ctx, links[network]) is not None
    await chat.tick()  # the counters reach the database in a batch
    if end:
        await chat.say("chris", f"end {number}")


def link_of(reply: Reply) -> str:
    """The figures page's address on the reply's button."""
    urls = [b.url for v in reply.views if isinstance(v, Notice) for b in v.buttons if b.url]
    assert len(urls) == 1, urls
    return urls[0]


def token_of(reply: Reply) -> str:
    return parse_qs(urlsplit(link_of(reply)).query)["token"][0]


@asynccontextmanager
async def serving_dashboard(ctx: Context) -> AsyncIterator[str]:
    """The figures page's routes for a core (a chat's ``ctx``), on an ephemeral port."""
    app = web.Application()
    DashboardRoutes(ctx).add_routes(app)
    async with listening(app) as url:
        yield url
