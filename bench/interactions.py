"""Signed button clicks at /slack/events: Sharebot beside a bare slack-bolt app that only acks.

Both apps run in the same run, each in a process of its own (``--serve``), beside a fake Slack
in a third that counts every answer posted to a ``response_url``. The clicks are the buttons of
the card Sharebot sends ("copy text", "other wording" and "pause"), each signed as Slack signs
and with a ``trigger_id`` of its own. Two phases:

1. As fast as ``--concurrency`` connections allow: the bare app's acks/s (the ceiling), and
   Sharebot's clicks acknowledged *and answered* per second (the core's turn done and the
   ephemeral reply received by the fake), from the first click to the last answer.
2. Both paced at the same rate, half of Sharebot's ack rate: p99 of each one's ack.

The performance bars (docs/architecture.md): answered >= 50% of the bare acks/s; ack p99 at
half rate <= 2x the bare app's p99 at the same rate. A benchmark, not a test: it exits non-zero
only when a request fails or an answer is missing (or comes twice), never for a missed target.

    python bench/interactions.py --quick      # CI: a few seconds per phase
    python bench/interactions.py --seconds 20 --concurrency 32
    python bench/interactions.py --mix copy          # "copy text" only
    python bench/interactions.py --db postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from report import Target, empty_postgres, print_machine, print_targets  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
USER = "UBENCH"
# The card's buttons clicked, in turn (``--mix``): mostly "copy text", as people do.
MIX = "copy,another,copy,pause"


def signed_headers(body: str) -> dict[str, str]:
    """Exactly as Slack signs: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": "application/x-www-form-urlencoded",
    }


@dataclass(frozen=True)
class Clicks:
    """Bodies of signed clicks on the card's buttons, each with a ``trigger_id`` of its own."""

    templates: tuple[str, ...]

    @classmethod
    def of(cls, buttons: list[dict[str, str]], response_url: str, mix: str) -> Clicks:
        by_action = {b["action_id"].split("|")[1]: b for b in buttons}
        templates = []
        for name in mix.split(","):
            button = by_action[f"card.{name.strip()}"]
            payload = {
                "type": "block_actions",
                "team": {"id": "T1"},
                "user": {"id": USER},
                "api_app_id": "A1",
                "trigger_id": "TRIGGER",
                "response_url": response_url,
                "container": {"type": "message", "channel_id": "D1", "message_ts": "1.1"},
                "actions": [{**button, "block_id": "card-1", "type": "button"}],
            }
            templates.append(urlencode({"payload": json.dumps(payload)}))
        return cls(tuple(templates))

    def bodies(self) -> Iterator[str]:
        for n in itertools.count():
            template = self.templates[n % len(self.templates)]
            yield template.replace("TRIGGER", f"{n}.{time.monotonic_ns()}", 1)


# -- servers (each in its own process) -------------------------------------------------------


async def serve_bare(fake_url: str, actions: list[str]) -> web.AppRunner:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=fake_url), signing_secret=SECRET)

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    for action in actions:
        bolt.action(action)(only_ack)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return web.AppRunner(app, handle_signals=False, access_log=None)


async def serve_sharebot(
    fake_url: str, directory: Path, db: str | None
) -> tuple[web.AppRunner, list[Any]]:
    """Sharebot on a fresh database (a SQLite file unless ``db`` names PostgreSQL) with one
    suggestion; also the buttons of its card."""
    from adapters.server import build_app, build_runtime
    from adapters.settings import load_settings
    from adapters.slack.blocks import PRESS, card_blocks
    from bot.policy import policy_from
    from bot.ports import Actor
    from bot.sharing.cards import suggestion_card
    from storage import migrate, shares, suggestions
    from storage import policy as stored_policy
    from storage.database import Database
    from storage.models import Person

    url = db or f"sqlite:///{directory / 'bench.db'}"
    database = Database.from_url(url)
    if not database.is_sqlite:
        await empty_postgres(database.engine)
    await migrate.upgrade(database.engine)
    settings = load_settings(
        _env_file=None,
        SHAREBOT_ADAPTERS="slack",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_url,
        SHAREBOT_ADMINS="slack:UHR",
        DATABASE_URL=url,
    )
    runtime = build_runtime(settings, database=database)
    core, ctx = runtime.core, runtime.ctx
    await core.say(Actor("slack", "UHR"), "roles grant UCOMMS comms")
    await core.say(
        Actor("slack", "UCOMMS"), "new https://example.org/news Big news || More news #team"
    )
    await core.say(Actor("slack", USER), "on")
    async with database.transaction() as session:
        (suggestion,) = await suggestions.by_ids(session, [1])
        tokens = await shares.links_for(session, 1)
        policy = policy_from(await stored_policy.load(session))
    card = suggestion_card(
        suggestion,
        t=ctx.texts_for(Person(platform="slack", user_key=USER), policy),
        tokens=tokens,
        share_url=ctx.share_url,
        image_url=ctx.image_url,
        person=None,
        variant=0,
        disclosure=policy.disclosure_in(suggestion.language),
    )
    buttons = [
        {"action_id": element["action_id"], "value": element["value"]}
        for block in card_blocks(card)
        if block["type"] == "actions"
        for element in block["elements"]
        if str(element.get("action_id", "")).startswith(f"{PRESS}|")
    ]
    runner = web.AppRunner(
        build_app(runtime, schedule=False), handle_signals=False, access_log=None
    )
    return runner, buttons


async def serve(kind: str, fake_api: str, actions: list[str], db: str | None) -> None:
    with tempfile.TemporaryDirectory() as directory:
        buttons: list[Any] = []
        if kind == "bare":
            runner = await serve_bare(fake_api, actions)
        else:
            runner, buttons = await serve_sharebot(fake_api, Path(directory), db)
        await runner.setup()
        from adapters.heap import settle_heap

        # as `sharebot run` does once started; the bare app too, so that both run with the
        # same garbage collector settings
        settle_heap()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(json.dumps({"url": f"http://127.0.0.1:{port}", "buttons": buttons}), flush=True)
        try:
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        finally:
            await runner.cleanup()


# -- load ------------------------------------------------------------------------------------


class Failed(Exception):
    pass


async def click(http: aiohttp.ClientSession, url: str, body: str) -> float:
    started = time.perf_counter()
    async with http.post(url, data=body, headers=signed_headers(body)) as answer:
        await answer.read()
        if answer.status != 200:
            raise Failed(f"HTTP {answer.status}")
    return time.perf_counter() - started


async def saturate(url: str, clicks: Clicks, seconds: float, concurrency: int) -> list[float]:
    """As many clicks as ``concurrency`` connections carry in ``seconds``."""
    latencies: list[float] = []
    bodies = clicks.bodies()
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                latencies.append(await click(http, url, next(bodies)))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def paced(url: str, clicks: Clicks, seconds: float, rate: float) -> list[float]:
    """Clicks at a steady ``rate`` per second (open loop: a slow answer does not slow the pace)."""
    bodies = clicks.bodies()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        start = time.perf_counter()
        tasks = []
        for n in range(int(seconds * rate)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(click(http, url, next(bodies))))
        return list(await asyncio.gather(*tasks))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


class FakeSlackProcess:
    """The fake Slack Web API in a process of its own, as Slack is on other machines."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_slack", "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.api_url = self.process.stdout.readline().strip()
        if not self.api_url:
            raise Failed("the fake Slack did not start")
        self.url = self.api_url.removesuffix("/api/")

    async def answered(self) -> int:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{self.url}/fake/stats") as answer,
        ):
            return int((await answer.json())["answered"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Server:
    def __init__(
        self, kind: str, fake: FakeSlackProcess, actions: list[str], db: str | None = None
    ) -> None:
        self.kind = kind
        self.fake = fake
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, "--fake", fake.api_url]
            + [f"--action={a}" for a in actions]
            + ([f"--db={db}"] if db else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise Failed(f"the {kind} server did not start")
        started = json.loads(line)
        self.url = f"{started['url']}/slack/events"
        self.buttons: list[dict[str, str]] = started["buttons"]

    @property
    def answers(self) -> bool:
        return self.kind == "sharebot"

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


async def drained(server: Server, expected: int, within: float) -> float:
    """When every click has an answer in Slack (Sharebot answers after the ack); raises when
    one is missing after ``within`` seconds, or when one came twice."""
    deadline = time.perf_counter() + within
    while server.answers:
        answered = await server.fake.answered()
        if answered > expected:
            raise Failed(f"{answered - expected} clicks answered twice")
        if answered == expected:
            break
        if time.perf_counter() > deadline:
            raise Failed(f"{expected - answered} clicks were acknowledged but not answered")
        await asyncio.sleep(0.02)
    return time.perf_counter()


@dataclass
class Result:
    server: Server
    acked: float  # HTTP requests/s: what Slack waits for
    answered: float  # clicks/s from the first click to the last answer (Sharebot only)
    latencies: list[float]


async def measure(server: Server, clicks: Clicks, seconds: float, concurrency: int) -> Result:
    """Acked requests/s under saturation; for Sharebot also the rate at which the work behind
    the acks (the core's answer, posted to the response_url) was done."""
    before = await server.fake.answered()
    warm = await saturate(server.url, clicks, min(1.0, seconds / 3), concurrency)
    await drained(server, before + len(warm) * server.answers, 120)
    before = await server.fake.answered()
    started = time.perf_counter()
    latencies = await saturate(server.url, clicks, seconds, concurrency)
    acked = len(latencies) / (time.perf_counter() - started)
    finished = await drained(server, before + len(latencies) * server.answers, 300)
    return Result(server, acked, len(latencies) / (finished - started), latencies)


async def pace(server: Server, clicks: Clicks, seconds: float, rate: float) -> list[float]:
    before = await server.fake.answered()
    latencies = await paced(server.url, clicks, seconds, rate)
    await drained(server, before + len(latencies) * server.answers, 300)
    return latencies


def line(label: str, latencies: list[float], extra: str = "") -> str:
    return (
        f"{label:<34} p50 {percentile(latencies, 0.5):6.1f} ms   "
        f"p99 {percentile(latencies, 0.99):6.1f} ms   ({len(latencies)} clicks){extra}"
    )


async def run(seconds: float, concurrency: int, mix: str, db: str | None) -> None:
    label = "PostgreSQL" if db else "SQLite"
    print_machine(f"bench/interactions.py: signed button clicks at /slack/events, {label}")
    print(f"clicks          {mix} in turn; {concurrency} connections", flush=True)
    fake = FakeSlackProcess()
    servers: list[Server] = []
    try:
        ours = Server("sharebot", fake, [], db)
        servers.append(ours)
        bare = Server("bare", fake, [b["action_id"] for b in ours.buttons])
        servers.append(bare)
        clicks = Clicks.of(ours.buttons, f"{fake.url}/response/bench", mix)
        await compare(bare, ours, clicks, seconds, concurrency)
    finally:
        for server in servers:
            server.stop()
        fake.stop()


async def compare(
    bare: Server, ours: Server, clicks: Clicks, seconds: float, concurrency: int
) -> None:
    print("\nas fast as the connections allow", flush=True)
    ceiling = await measure(bare, clicks, seconds, concurrency)
    print(line(f"bare bolt app: {ceiling.acked:,.0f} acks/s", ceiling.latencies), flush=True)
    found = await measure(ours, clicks, seconds, concurrency)
    print(line(f"Sharebot:      {found.acked:,.0f} acks/s", found.latencies), flush=True)
    print(
        f"Sharebot:      {found.answered:,.0f} clicks/s acknowledged and answered"
        f" ({found.answered / ceiling.acked:.0%} of the bare acks/s)",
        flush=True,
    )
    rate = found.acked / 2
    print(f"\npaced at {rate:,.0f} clicks/s (half of Sharebot's acks/s), both", flush=True)
    bare_paced = await pace(bare, clicks, seconds, rate)
    print(line("bare bolt app", bare_paced), flush=True)
    ours_paced = await pace(ours, clicks, seconds, rate)
    print(line("Sharebot (every click answered)", ours_paced), flush=True)
    print_targets(
        [
            Target(
                "clicks answered / bare app's acks per second",
                found.answered / ceiling.acked,
                0.5,
                "at least",
                "%",
            ),
            Target(
                f"ack p99 at {rate:,.0f}/s / bare app's p99 at that rate",
                percentile(ours_paced, 0.99) / percentile(bare_paced, 0.99),
                2.0,
                "at most",
                "x",
            ),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds per phase (CI)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--mix", default=MIX, help=f"the card's buttons clicked in turn (default {MIX})"
    )
    parser.add_argument("--db", help="postgresql://… for Sharebot (default: a fresh SQLite file)")
    parser.add_argument("--serve", choices=("bare", "sharebot"), help=argparse.SUPPRESS)
    parser.add_argument("--fake", help=argparse.SUPPRESS)
    parser.add_argument("--action", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.fake, args.action, args.db))
        return
    seconds = 3.0 if args.quick else args.seconds
    try:
        asyncio.run(run(seconds, args.concurrency, args.mix, args.db))
    except (Failed, aiohttp.ClientError, OSError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
