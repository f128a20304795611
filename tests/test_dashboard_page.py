"""The figures page over HTTP: what it shows for each role, its CSV, and links that open nothing."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from adapters.server import build_app, build_runtime
from adapters.settings import load_settings
from bot.context import Context
from bot.privacy.opt_in_history import record_opt_in
from bot.privacy.retention import purge
from storage import opt_in
from storage.database import Database
from tests.dashboard_support import audience, serving_dashboard, suggestion, token_of
from tests.listening import listening
from tests.page_support import Elements
from tests.support import Chat, eventually

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
GERMAN = {"Accept-Language": "de-AT,de;q=0.8,en;q=0.5"}


async def _get(
    url: str, token: str, *, path: str = "/dashboard", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{url}{path}", params={"token": token}, headers=headers or ENGLISH) as answer,
    ):
        return answer.status, dict(answer.headers), await answer.text()


def _rows(html: str, section: str) -> list[list[str]]:
    """The body rows of the table in a section, each as its cells' texts."""
    elements = Elements(html).found
    start = next(i for i, e in enumerate(elements) if e.attrs.get("id") == section)
    end = next(
        (i for i, e in enumerate(elements[start + 1 :], start + 1) if e.tag == "section"),
        len(elements),
    )
    inside = elements[start:end]
    rows: list[list[str]] = []
    in_body = False
    for element in inside:
        if element.tag == "tbody":
            in_body = True
        elif element.tag == "tr" and in_body:
            rows.append([])
        elif element.tag in ("td", "th") and in_body and rows:
            rows[-1].append(element.text.strip())
    return rows


async def _released(chat: Chat) -> None:
    """#1 released (9 reached, k = 3: 3 to 6 shown), #2 waiting, #3 running."""
    await audience(chat, 9)
    await suggestion(chat, 1, {"linkedin": 6, "xing": 2, "x": 3})
    chat.clock.advance(hours=24)
    await suggestion(chat, 2, {"linkedin": 4}, url="https://example.com/two")
    await suggestion(chat, 3, {"linkedin": 4}, url="https://example.com/three", end=False)


async def test_the_page_shows_what_stats_shows_and_nothing_it_hides(chat: Chat) -> None:
    await _released(chat)
    token = token_of(await chat.say("chris", "dashboard"))
    async with serving_dashboard(chat.ctx) as url:
        status, headers, html = await _get(url, token)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    hidden = chat.text("dashboard.hidden")
    released = _rows(html, "released")
    assert released == [
        ["#1", "example.com/day", "Wed, 2 Dec 2026", "9–11", "6", hidden, "3", hidden],
    ]
    stats = await chat.ask("chris", "stats 1")
    assert (
        "• LinkedIn: 6" in stats
        and "• X: 3" in stats
        and "XING: " + chat.text("stats.hidden") in stats
    )
    others = _rows(html, "others")
    assert others[0][:2] == ["#3", "example.com/three"]
    assert others[0][3] == chat.text("dashboard.status.running", hours=24)
    assert others[1][:2] == ["#2", "example.com/two"]
    # in the policy's time zone (UTC here), the same for everyone; the page names the zone
    assert others[1][3] == chat.text("dashboard.status.waiting", when="Fri, 4 Dec, 10:00")
    assert "(UTC)" in html
    months = _rows(html, "months")
    assert len(months) == 12 and months[0][0] == "Jan 2026"
    # December: 3 started, 1 released; LinkedIn 6, XING 0 (+1 not shown), X 3, copied 0 (+1)
    assert months[-1][:4] == ["Dec 2026", "3", "1", "6"]
    assert months[-1][4].startswith("0") and hidden in months[-1][4]
    assert 'id="opted-in"' not in html  # HR only
    for chart in Elements(html).find("svg"):
        assert chart.attrs["role"] == "img" and chart.attrs["aria-labelledby"]
    assert len(Elements(html).find("svg")) == 3 and len(Elements(html).find("table")) == 3
    assert "<script" not in html and "http://" not in html.replace('"http://www.w3.org/', "")


async def test_private_headers_and_a_policy_that_allows_no_script(chat: Chat) -> None:
    await _released(chat)
    token = token_of(await chat.say("chris", "dashboard"))
    async with serving_dashboard(chat.ctx) as url:
        _, headers, _ = await _get(url, token)
        _, csv_headers, _ = await _get(url, token, path="/dashboard.csv")
    for answer in (headers, csv_headers):
        assert answer["Cache-Control"] == "no-store"
        assert answer["Referrer-Policy"] == "no-referrer"
        assert answer["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "script-src" not in policy and "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy


async def test_the_page_follows_the_browser_language_or_the_switch(chat: Chat) -> None:
    await _released(chat)
    token = token_of(await chat.say("chris", "dashboard"))
    async with serving_dashboard(chat.ctx) as url:
        _, _, german = await _get(url, token, headers=GERMAN)
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"{url}/dashboard", params={"token": token, "lang": "en"}, headers=GERMAN
            ) as answer,
        ):
            english = await answer.text()
    assert '<html lang="de">' in german and chat.text("dashboard.title", "de") in german
    assert _rows(german, "released")[0][5] == chat.text("dashboard.hidden", "de")
    assert '<html lang="en">' in english
    switch = Elements(german).find("a", hreflang="en")[0]
    assert switch.attrs["href"] == f"dashboard?token={token}&lang=en"


async def test_the_csv_holds_exactly_the_page_figures(chat: Chat) -> None:
    await _released(chat)
    token = token_of(await chat.say("chris", "dashboard"))
    async with serving_dashboard(chat.ctx) as url:
        status, headers, text = await _get(url, token, path="/dashboard.csv")
        _, _, html = await _get(url, token)
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"] == (
        'attachment; filename="sharebot-figures-comms-2026-12-03.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    shares = {r["network"]: r["value"] for r in rows if r["figure"] == "share_buttons"}
    assert shares == {"linkedin": "6", "xing": "", "x": "3", "copy": ""}
    reached = [r for r in rows if r["figure"] == "people_reached"]
    assert [(r["suggestion"], r["low"], r["high"]) for r in reached] == [("1", "9", "11")]
    december = {
        (r["figure"], r["network"]): (r["value"], r["not_shown"])
        for r in rows
        if r["month"] == "2026-12" and r["figure"].startswith(("suggestions", "share_buttons_"))
    }
    assert december[("suggestions_started", "")] == ("3", "")
    assert december[("share_buttons_month", "xing")] == ("0", "1")
    waiting = [r for r in rows if r["figure"] == "no_figures"]
    assert [(r["suggestion"], r["status"]) for r in waiting] == [("3", "running"), ("2", "waiting")]
    assert waiting[1]["release_at"] == "2026-12-04T10:00:00+00:00"
    assert not [r for r in rows if r["figure"] == "opted_in"]  # comms: no opt-in figures
    # every figure in the CSV is on the page
    page_cells = {cell for row in _rows(html, "released") + _rows(html, "months") for cell in row}
    for row in rows:
        if row["value"] and row["figure"] != "suggestions_released":
            assert any(cell.startswith(row["value"]) for cell in page_cells), row


async def test_hr_also_sees_people_opted_in_month_by_month(chat: Chat, database: Database) -> None:
    await audience(chat, 9)
    # HR, comms and four undecided people are known too: 9 of 15 opted in
    for name in ("undecided1", "undecided2", "undecided3", "undecided4"):
        await chat.say(name, "help")
    chat.clock.set(chat.clock.now() - timedelta(days=61))  # October: recorded then
    await record_opt_in(database, chat.clock.now())
    chat.clock.advance(days=61)
    comms_token = token_of(await chat.say("chris", "dashboard"))
    hr_token = token_of(await chat.say("hanna", "dashboard"))
    async with serving_dashboard(chat.ctx) as url:
        _, _, comms = await _get(url, comms_token)
        _, _, hr = await _get(url, hr_token)
        _, _, hr_csv = await _get(url, hr_token, path="/dashboard.csv")
    assert 'id="opted-in"' not in comms and "9–11" not in comms
    rows = _rows(hr, "opted-in")
    assert len(rows) == 12
    assert rows[-1] == ["Dec 2026 (now)", "9–11"]
    assert rows[-3] == ["Oct 2026", "9–11"]
    assert rows[-2] == ["Nov 2026", chat.text("dashboard.opted_in.unrecorded")]
    opted = [r for r in csv.DictReader(io.StringIO(hr_csv)) if r["figure"] == "opted_in"]
    assert [(r["month"], r["status"], r["low"]) for r in opted[-3:]] == [
        ("2026-10", "shown", "9"),
        ("2026-11", "unrecorded", ""),
        ("2026-12", "shown", "9"),
    ]


async def test_a_month_recorded_under_a_smaller_k_is_no_longer_shown(
    chat: Chat, database: Database
) -> None:
    await audience(chat, 12)
    for name in ("undecided1", "undecided2", "undecided3", "undecided4", "undecided5"):
        await chat.say(name, "help")
    chat.clock.set(chat.clock.now() - timedelta(days=31))
    await record_opt_in(database, chat.clock.now())  # November, k = 3: 12–14 of 19
    chat.clock.advance(days=31)
    await chat.say("hanna", "policy set anonymity_threshold 5")
    token = token_of(await chat.say("hanna", "dashboard"))
    async with serving_dashboard(chat.ctx) as url:
        _, _, html = await _get(url, token)
    rows = _rows(html, "opted-in")
    assert rows[-2] == ["Nov 2026", chat.text("dashboard.opted_in.hidden")]
    assert rows[-1] == ["Dec 2026 (now)", "10–14"]  # today's band, cut with k = 5


async def test_the_purge_forgets_months_older_than_a_year(chat: Chat, database: Database) -> None:
    await audience(chat, 6)
    now = chat.clock.now()
    for day in ("2025-11-20", "2025-12-31", "2026-01-01", "2026-12-02"):
        await record_opt_in(database, datetime.fromisoformat(f"{day}T10:00:00+00:00"))
    result = await purge(database, now)
    async with database.transaction() as session:
        kept = await opt_in.since(session, "2000-01")
    assert result.opt_in_months == 2 and sorted(kept) == ["2026-01", "2026-12"]


async def test_expired_forged_and_missing_links_open_nothing(chat: Chat) -> None:
    await _released(chat)
    token = token_of(await chat.say("chris", "dashboard"))
    async with serving_dashboard(chat.ctx) as url:
        chat.clock.advance(minutes=15)
        for path in ("/dashboard", "/dashboard.csv"):
            status, headers, page = await _get(url, token, path=path, headers=GERMAN)
            assert status == 410, path
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert headers["Cache-Control"] == "no-store"
            assert headers["Referrer-Policy"] == "no-referrer"
            assert "Content-Disposition" not in headers
            assert chat.text("dashboard.refused.expired.title", "de") in page
            assert "9–11" not in page and "<table" not in page and "example.com" not in page
        payload, signature = token.split(".")
        for forged in (f"{payload}.{signature[::-1]}", payload, "x" * 600, ""):
            status, headers, page = await _get(url, forged)
            assert status == 403, forged
            assert chat.text("dashboard.refused.forged.title") in page
            assert "<table" not in page and headers["Cache-Control"] == "no-store"
        async with aiohttp.ClientSession() as http, http.get(f"{url}/dashboard") as bare:
            assert bare.status == 403


async def test_a_database_that_cannot_be_read_gets_a_clear_page_not_a_500(
    chat: Chat, tmp_path: Path
) -> None:
    before = set(threading.enumerate())
    broken = Database.from_url(f"sqlite:///{tmp_path}/missing/folder/sharebot.db")
    ctx = Context(database=broken, catalogue=chat.ctx.catalogue, clock=chat.clock, public_url="")
    try:
        async with serving_dashboard(ctx) as url:
            status, headers, page = await _get(url, "any.token")
    finally:
        await broken.close()
        # aiosqlite's thread of the failed connection answers late; not into a closed loop
        for thread in set(threading.enumerate()) - before:
            await asyncio.to_thread(thread.join, 5)
    assert status == 503 and headers["Retry-After"] == "60"
    assert chat.text("dashboard.unavailable.title") in page


async def test_a_running_sharebot_records_this_months_band_from_the_start(
    database: Database,
) -> None:
    settings = load_settings(SHAREBOT_ADAPTERS="playground")
    runtime = build_runtime(settings, database=database)  # the real clock: the scheduler's

    async def recorded() -> bool:
        async with database.transaction() as session:
            return bool(await opt_in.since(session, "2000-01"))

    before = datetime.now(UTC).strftime("%Y-%m")  # the policy's zone is UTC by default
    async with listening(build_app(runtime, schedule=True)):
        await eventually(recorded)
    async with database.transaction() as session:
        months = await opt_in.since(session, "2000-01")
    assert set(months) <= {before, datetime.now(UTC).strftime("%Y-%m")}
    # the demo organisation: 3 of 7 opted in, too close to nobody for k = 5: not shown
    assert list(months.values()) == [opt_in.RecordedBand(5, None)]
