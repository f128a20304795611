"""Fan-out: planning and sending one suggestion to 100,000 opted-in people, each beside its ceiling.

Measured in one run, in a fresh database (SQLite by default, PostgreSQL with ``--db``), each
target a ratio to a ceiling measured in the same run (the performance bars of docs/architecture.md):

1. planning one suggestion for everyone against a bare bulk insert of the same rows into the
   same table (target: planning ≤ 2x the bare insert);
2. sending with no limit: first the ceiling, a bare loop of slack_sdk's
   ``AsyncWebClient.chat_postMessage`` with 64 calls in flight sending the same number of
   messages with the same blocks (one real card, rendered once as the Slack messenger renders
   it), half of them just before and half just after Sharebot's dispatcher and Slack
   messenger send to everyone with the same concurrency (so that a change in the machine's
   load weighs on both alike); each to a fresh fake Slack Web API in its own process
   (target: Sharebot ≥ 50% of the bare loop);
3. sending to a fake that allows R messages/s and answers 429 with ``Retry-After`` above it,
   Sharebot configured for ten times R so that only the 429s hold it back (target ≥ 0.97 R);
4. duplicates and losses counted by the fake (both must be 0), and this process's peak RSS
   while planning and sending (target < 150 MB at 100,000 people).

A benchmark, not a test: it prints figures and one met / not met line per target, and exits
non-zero only when something is wrong (a duplicate, a loss, an error), never because a target
was missed.

    python bench/fanout.py                  # 100,000 people, SQLite
    python bench/fanout.py --quick          # CI: 5,000 people, a few seconds per phase
    python bench/fanout.py --db postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from report import Target, empty_postgres, print_machine, print_targets  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlmodel import col  # noqa: E402

from adapters.heap import settle_heap  # noqa: E402
from adapters.settings import load_settings  # noqa: E402
from adapters.slack.blocks import message  # noqa: E402
from adapters.slack.client import web_client  # noqa: E402
from adapters.slack.messenger import SlackMessenger  # noqa: E402
from bot.context import Context  # noqa: E402
from bot.delivery.dispatcher import Dispatcher  # noqa: E402
from bot.delivery.planning import Planning  # noqa: E402
from bot.delivery.wave import Wave  # noqa: E402
from bot.i18n import Catalogue  # noqa: E402
from bot.policy import Policy, policy_from  # noqa: E402
from storage import migrate, outbox, people, shares, suggestions  # noqa: E402
from storage import policy as stored_policy  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.models import Delivery, Person, Suggestion  # noqa: E402
from storage.states import DeliveryKind, SuggestionState  # noqa: E402

CONCURRENCY = 64  # messages in flight, for the bare loop and for Sharebot
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
ZONES = ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "America/New_York")


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def fresh_database(url: str | None, folder: Path) -> Database:
    database = Database.from_url(url or f"sqlite:///{folder / 'fanout.db'}")
    if not database.is_sqlite:
        await empty_postgres(database.engine)
    await migrate.upgrade(database.engine)
    async with database.transaction() as session:
        await stored_policy.store(session, "window", "always")
        await stored_policy.store(session, "spread_minutes", "0")
        await stored_policy.store(session, "min_gap_hours", "0")
        await stored_policy.store(session, "max_per_week", "14")
    return database


async def add_people(database: Database, count: int) -> None:
    async with database.transaction() as session:
        for start in range(0, count, 5000):
            await session.execute(
                sa.insert(Person),
                [
                    {
                        "platform": "slack",
                        "user_key": f"U{n:07d}",
                        "participation": "on",
                        "invited": False,
                        "reachable": True,
                        "timezone": ZONES[n % len(ZONES)],
                        "topics": [],
                        "networks": [],
                        "style": "each",
                    }
                    for n in range(start, min(start + 5000, count))
                ],
            )


async def new_suggestion(database: Database, caption: str) -> Suggestion:
    """A running suggestion with its share links, as `/share new … --at now` leaves it."""
    async with database.transaction() as session:
        suggestion = await suggestions.add(
            session,
            Suggestion(
                url="https://example.com/news",
                captions=[caption, f"{caption}, in other words"],
                hashtags=["team"],
                networks=["linkedin", "xing", "x"],
                language="en",
                state=SuggestionState.RUNNING,
                starts_at=NOW,
                created_at=NOW,
            ),
        )
        assert suggestion.id is not None
        await shares.create_links(session, suggestion.id, ["linkedin", "xing", "x", "copy"])
        return suggestion


DELIVERY = Delivery.__table__  # type: ignore[attr-defined]
PLANNED = DELIVERY.to_metadata(sa.MetaData(), name="bench_planned")


async def measure_planning(database: Database) -> tuple[float, int]:
    """Seconds to plan one suggestion for everyone; the rows are kept aside for the bare
    insert, which runs at the end so that its reading does not count in the peak RSS."""
    suggestion = await new_suggestion(database, "Planning")
    async with database.transaction() as session:
        policy = policy_from(await stored_policy.load(session))
    started = time.perf_counter()
    async with database.transaction() as session:
        planned = await Planning(policy).plan_suggestion(session, suggestion, NOW)
    planning = time.perf_counter() - started
    async with database.transaction() as session:
        await session.execute(sa.text("CREATE TABLE bench_planned AS SELECT * FROM delivery"))
        await session.execute(sa.delete(Delivery))
    return planning, planned


async def measure_bare_insert(database: Database) -> float:
    """Seconds to insert the planned rows again, bare, a thousand per statement as planning
    does (reading them back from the side table is not timed)."""
    async with database.transaction() as session:
        await session.execute(sa.delete(Delivery))
    bare, last = 0.0, 0
    async with database.transaction() as session:
        while True:
            chunk = (
                await session.execute(
                    sa.select(PLANNED).where(PLANNED.c.id > last).order_by(PLANNED.c.id).limit(1000)
                )
            ).all()
            if not chunk:
                break
            last = chunk[-1].id
            rows = [{k: v for k, v in row._mapping.items() if k != "id"} for row in chunk]
            started = time.perf_counter()
            await session.execute(sa.insert(Delivery.__table__), rows)  # type: ignore[attr-defined]
            bare += time.perf_counter() - started
    async with database.transaction() as session:  # leave the database as migrations make it
        await session.execute(sa.text("DROP TABLE bench_planned"))
    return bare


@asynccontextmanager
async def fake_slack(rate: float | None) -> AsyncIterator[str]:
    """The fake Slack Web API in its own process (so it does not share our event loop)."""
    command = [sys.executable, "-m", "tests.fake_slack", "--port", "0"]
    if rate is not None:
        command += ["--rate", str(rate)]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        yield (await process.stdout.readline()).decode().strip()
    finally:
        process.terminate()
        await process.wait()


async def fake_stats(api_url: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(api_url.replace("/api/", "/fake/stats")) as response,
    ):
        return dict(await response.json())


async def send_to(
    database: Database, api_url: str, people: int, *, rate: float, budget: float | None
) -> tuple[float, int, dict[str, Any], Dispatcher]:
    """Plan one suggestion for ``people`` people and send until done or ``budget`` seconds."""
    async with database.transaction() as session:
        await session.execute(sa.delete(Delivery))
        policy = policy_from(await stored_policy.load(session))
    suggestion = await new_suggestion(database, f"Sending at {rate:g}/s")
    async with database.transaction() as session:
        found = await session.execute(
            sa.select(col(Person.id)).order_by(col(Person.id)).limit(people)
        )
        ids = [int(person_id) for person_id in found.scalars() if person_id is not None]
        for start in range(0, len(ids), 5000):  # in chunks: this setup's memory is not Sharebot's
            await outbox.add_many(
                session,
                [
                    outbox.Planned(
                        person_id, NOW, DeliveryKind.CARD, suggestion.id, variant=person_id % 2
                    )
                    for person_id in ids[start : start + 5000]
                ],
            )
        await outbox.added_many(session, len(ids))  # as planning leaves the outbox
    settings = load_settings(_env_file=None, SLACK_API_URL=api_url, SLACK_BOT_TOKEN="xoxb-bench")
    client = web_client(settings)
    client.session = aiohttp.ClientSession()  # one connection pool, as the Slack app sets up
    messenger = SlackMessenger(client, rate_per_second=rate)
    ctx = Context(
        database=database,
        catalogue=Catalogue.load(),
        clock=FixedClock(),
        public_url="https://sharebot.example",
        messengers={"slack": messenger},
    )
    dispatcher = Dispatcher(ctx, concurrency=CONCURRENCY, tick_budget=budget or 3600.0)
    settle_heap()  # as `sharebot run` does once started
    started = time.perf_counter()
    sent = await dispatcher.send_due(policy, NOW)
    elapsed = time.perf_counter() - started
    await client.session.close()
    return elapsed, sent, await fake_stats(api_url), dispatcher


async def one_card(database: Database, policy: Policy) -> dict[str, Any]:
    """The blocks of one real card for one person, rendered once as the Slack messenger does."""
    suggestion = await new_suggestion(database, "Sending bare")
    async with database.transaction() as session:
        first = (await session.execute(sa.select(col(Person.id)).limit(1))).scalar_one()
        assert first is not None
        [person] = await people.contacts(session, [first])
        ctx = Context(
            database=database,
            catalogue=Catalogue.load(),
            clock=FixedClock(),
            public_url="https://sharebot.example",
        )
        view = await Wave(ctx, session, Planning(policy)).card(
            suggestion, person, ctx.texts_for(person, policy), 0
        )
    return message([view])


async def send_bare(api_url: str, people: int, content: dict[str, Any]) -> float:
    """The ceiling: slack_sdk's client alone, 64 calls in flight, one message per person."""
    settings = load_settings(_env_file=None, SLACK_API_URL=api_url, SLACK_BOT_TOKEN="xoxb-bench")
    client: AsyncWebClient = web_client(settings)
    client.session = aiohttp.ClientSession()
    numbers = iter(range(people))

    async def worker() -> None:
        for n in numbers:
            await client.chat_postMessage(
                channel=f"U{n:07d}", unfurl_links=False, unfurl_media=False, **content
            )

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    await client.session.close()
    return elapsed


async def bare_half(count: int, content: dict[str, Any], problems: list[str]) -> float:
    """Seconds for the bare loop to send ``count`` messages to a fresh fake."""
    settle_heap()  # as before Sharebot's phase
    async with fake_slack(None) as api_url:
        elapsed = await send_bare(api_url, count, content)
        stats = await fake_stats(api_url)
    if stats["duplicates"] or count - stats["channels"]:
        problems.append("duplicates or losses in the bare loop (the fake is wrong)")
    return elapsed


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(args: argparse.Namespace) -> int:
    people = 5_000 if args.quick else args.people
    limited_seconds = 5.0 if args.quick else 20.0
    targets: list[Target] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        database = await fresh_database(args.db, Path(folder))
        label = "PostgreSQL" if not database.is_sqlite else "SQLite"
        print_machine(f"fan-out benchmark: {people:,} opted-in people, {label}")
        await add_people(database, people)
        settle_heap()  # as `sharebot run` does once started: the bare loops run with it too

        planning, planned = await measure_planning(database)
        print(f"planning        {planning:6.2f} s for {planned:,} deliveries", flush=True)

        async with database.transaction() as session:
            policy = policy_from(await stored_policy.load(session))
        content = await one_card(database, policy)
        # The bare loop sends half its messages just before Sharebot's phase and half just
        # after, so that a machine whose load changes meanwhile weighs on both alike.
        halves = (people // 2, people - people // 2)
        bare_elapsed = [await bare_half(halves[0], content, problems)]
        async with fake_slack(None) as api_url:
            elapsed, sent, stats, _ = await send_to(
                database, api_url, people, rate=1_000_000, budget=None
            )
        bare_elapsed.append(await bare_half(halves[1], content, problems))
        bare_rate = people / sum(bare_elapsed)
        print(
            f"bare loop       {bare_rate:8.0f} messages/s "
            f"({people:,} in {sum(bare_elapsed):.1f} s: "
            f"{halves[0] / bare_elapsed[0]:.0f}/s before Sharebot, "
            f"{halves[1] / bare_elapsed[1]:.0f}/s after; slack_sdk chat_postMessage, "
            f"{CONCURRENCY} in flight)",
            flush=True,
        )
        lost = people - stats["channels"]
        rate = sent / elapsed
        print(
            f"unlimited       {rate:8.0f} messages/s ({sent:,} in {elapsed:.1f} s; "
            f"{rate / bare_rate:.0%} of the bare loop); "
            f"duplicates {len(stats['duplicates'])}, lost {lost}",
            flush=True,
        )
        targets.append(
            Target(
                "sending, no limit, share of the bare loop", rate / bare_rate, 0.5, "at least", "%"
            )
        )
        if stats["duplicates"] or lost:
            problems.append("duplicates or losses without a limit")

        limit = args.rate
        async with fake_slack(limit) as api_url:
            elapsed, sent, stats, dispatcher = await send_to(
                database, api_url, people, rate=limit * 10, budget=limited_seconds
            )
        rate_limited = dispatcher.ctx.metrics.rate_limited.labels("slack")._value.get()
        async with database.transaction() as session:
            states = await outbox.count_by_state(session)
        waiting = states.get(outbox.PENDING, 0)
        lost = people - stats["channels"] - waiting
        print(
            f"limited to {limit:g}/s {sent / elapsed:6.1f} messages/s over {elapsed:.1f} s = "
            f"{sent / elapsed / limit:.3f} R; 429s seen {rate_limited:.0f}; "
            f"duplicates {len(stats['duplicates'])}, lost {lost}",
            flush=True,
        )
        # the fake's count per second shows where a 429's pause (Retry-After) went
        print(f"  taken per second {' '.join(map(str, stats['per_second']))}", flush=True)
        targets.append(
            Target(
                f"sending under a limit R = {limit:g}/s",
                sent / elapsed / limit,
                0.97,
                "at least",
                "R",
            )
        )
        if stats["duplicates"] or lost:
            problems.append("duplicates or losses under a limit")
        peak = peak_rss_mb()
        bare = await measure_bare_insert(database)
        print(
            f"bare insert     {bare:6.2f} s for the same rows; planning/bare = "
            f"{planning / bare:.2f}x",
            flush=True,
        )
        targets.insert(
            0, Target("planning against a bare insert", planning / bare, 2.0, "at most", "x")
        )
        await database.close()
    print(f"peak RSS        {peak:6.0f} MB while planning and sending {people:,} people")
    targets.append(
        Target(f"peak RSS at {people:,} people (bar set at 100,000)", peak, 150.0, "at most", "MB")
    )
    print_targets(targets)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 people, short phases (CI)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=200.0, help="R for the limited phase")
    parser.add_argument("--db", help="postgresql://… (default: a fresh SQLite file)")
    sys.exit(asyncio.run(main(parser.parse_args())))
