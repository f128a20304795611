"""Privacy rule 2 one level up: the figures page cannot tell who took part.

Two installations that differ only in who clicked: in one Anna takes part in every way there
is (share links, the copy page, "copy text", "another wording"), in the other Deniz does the
same and Anna nothing. Same configuration, same clock, same everything else. The figures page
and its CSV, for HR and for comms, in both languages, are byte for byte the same in both.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import sqlalchemy as sa
from sqlmodel import SQLModel

from adapters.playground import demo
from storage import shares
from storage.database import Database
from tests.page_support import Elements
from tests.playground_server import RunningServer, post, running_playground, say
from tests.support import FakeClock

SECRET = "the-same-configuration-in-both-installations-0123456789"
POSTGRES_URL = os.environ.get("SHAREBOT_TEST_POSTGRES_URL", "")
Pages = dict[tuple[str, str, str], bytes]


async def _link(http: aiohttp.ClientSession, server: RunningServer, who: str) -> str:
    await say(http, server, who, "/share dashboard")
    async with http.get(f"{server.url}/playground/api/state", params={"person": who}) as answer:
        state = await answer.json()
    button = state["messages"][-1]["view"]["buttons"][0]
    return str(parse_qs(urlsplit(button["url"]).query)["token"][0])


async def _installation(database: Database, clicker: str) -> Pages:
    """Everyone opts in; #1 goes out; ``clicker`` takes part in every way, Ben and Clara use
    LinkedIn too; a day after the end HR and comms open the page."""
    clock = FakeClock()
    async with (
        running_playground(database, clock, SHAREBOT_SECRET_KEY=SECRET) as server,
        aiohttp.ClientSession() as http,
    ):
        await say(http, server, "hanna", "/share policy set anonymity_threshold 3")
        for person in demo.PEOPLE:
            await say(http, server, person.key, "/share on")
        await say(http, server, "chris", "/share new https://example.com/day Our day --at now")
        async with database.transaction() as session:
            links = await shares.links_for(session, 1)
        for network in ("linkedin", "x", "copy"):
            async with http.get(f"{server.url}/s/{links[network]}", allow_redirects=False):
                pass
        for action in ("card.copy", "card.another"):
            await post(http, server, "press", {"person": clicker, "action": action, "value": "1:0"})
        for _ in ("ben", "clara"):  # the link is the same for everyone: it names nobody
            async with http.get(f"{server.url}/s/{links['linkedin']}", allow_redirects=False):
                pass
        await server.runtime.dispatcher.tick()  # the counters reach the database
        clock.advance(hours=1)
        await say(http, server, "chris", "/share end 1")
        clock.advance(hours=24)
        pages: Pages = {}
        for who in ("hanna", "chris"):
            token = await _link(http, server, who)
            for path in ("/dashboard", "/dashboard.csv"):
                for language in ("de", "en"):
                    async with http.get(
                        f"{server.url}{path}",
                        params={"token": token},
                        headers={"Accept-Language": language},
                    ) as answer:
                        assert answer.status == 200
                        pages[(who, path, language)] = await answer.read()
    return pages


@asynccontextmanager
async def _second_installation(template: str, folder: Path) -> AsyncIterator[Database]:
    """An installation of its own: a fresh copy of the migrated database (on PostgreSQL the
    test database emptied again, as the ``database`` fixture does)."""
    if POSTGRES_URL:
        database = Database.from_url(POSTGRES_URL)
        async with database.engine.begin() as conn:
            tables = ", ".join(SQLModel.metadata.tables)
            await conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        shutil.copy(template, folder / "second.db")
        database = Database.from_url(f"sqlite:///{folder / 'second.db'}")
    try:
        yield database
    finally:
        await database.close()


async def test_the_page_and_csv_are_the_same_whoever_clicked(
    database: Database, database_template: str, tmp_path: Path
) -> None:
    anna_clicked = await _installation(database, "anna")
    async with _second_installation(database_template, tmp_path) as second:
        deniz_clicked = await _installation(second, "deniz")
    assert anna_clicked == deniz_clicked
    # the pages saw figures: LinkedIn 3 shown (3 people, N = 7 in the band 6–8), X hidden
    html = anna_clicked[("hanna", "/dashboard", "en")].decode()
    row = next(e for e in Elements(html).find("tr") if e.text.startswith("#1"))
    assert "6–8" in row.text and "3" in row.text and "not shown" in row.text
    assert b"share_buttons,1," in anna_clicked[("chris", "/dashboard.csv", "en")]
