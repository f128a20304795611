"""Signed button clicks at /slack/events: Sharebot beside a bare slack-bolt app that only acks.

Each app runs in its own process (``--serve``); this process sends "copy text" clicks signed as
Slack signs them, first as fast as ``--concurrency`` connections allow (requests/s, p50, p99),
then paced at half of Sharebot's rate (p99 there; the bare app at the same pace for reference).
Targets: at least 70% of the bare app's requests/s, p99 under 100 ms at half that
rate. A benchmark, not a test: it exits non-zero only when a request fails.

    python bench/interactions.py --quick      # CI: a few seconds per phase
    python bench/interactions.py --seconds 20 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from tests.slack_support import SECRET, TOKEN, signed_headers  # noqa: E402

USER = "UBENCH"


def click_body(response_url: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": USER},
        "api_app_id": "A1",
        "trigger_id": "trigger",
        "response_url": response_url,
        "container": {"type": "message", "channel_id": "D1", "message_ts": "1.1"},
        "actions": [
            {"action_id": "do|card.copy|0", "block_id": "card-1", "type": "button", "value": "1:0"}
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


# -- servers (each in its own process) -------------------------------------------------------


async def serve_bare(fake_url: str) -> web.AppRunner:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=fake_url), signing_secret=SECRET)

    @bolt.action("do|card.copy|0")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return web.AppRunner(app, handle_signals=False, access_log=None)


async def serve_sharebot(fake_url: str, directory: Path) -> web.AppRunner:
    from adapters.server import build_app, build_runtime
    from adapters.settings import load_settings
    from bot.ports import Actor
    from storage import migrate
    from storage.database import Database

    url = f"sqlite:///{directory / 'bench.db'}"
    database = Database.from_url(url)
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
    await runtime.core.say(Actor("slack", "UHR"), "roles grant UCOMMS comms")
    await runtime.core.say(Actor("slack", "UCOMMS"), "new https://example.org/news Big news #team")
    return web.AppRunner(build_app(runtime, schedule=False), handle_signals=False, access_log=None)


async def serve(kind: str, fake_api: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        if kind == "bare":
            runner = await serve_bare(fake_api)
        else:
            runner = await serve_sharebot(fake_api, Path(directory))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(json.dumps({"url": f"http://127.0.0.1:{port}"}), flush=True)
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


async def saturate(url: str, body: str, seconds: float, concurrency: int) -> list[float]:
    """As many clicks as ``concurrency`` connections carry in ``seconds``."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                latencies.append(await click(http, url, body))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def paced(url: str, body: str, seconds: float, rate: float) -> list[float]:
    """Clicks at a steady ``rate`` per second (open loop: a slow answer does not slow the pace)."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        start = time.perf_counter()
        tasks = []
        for n in range(int(seconds * rate)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(click(http, url, body)))
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

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Server:
    def __init__(self, kind: str, fake: FakeSlackProcess) -> None:
        self.kind = kind
        self.fake = fake.url
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, "--fake", fake.api_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise Failed(f"the {kind} server did not start")
        self.url = f"{json.loads(line)['url']}/slack/events"

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


async def answered(server: Server) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.fake}/fake/stats") as answer,
    ):
        return int((await answer.json())["answered"])


async def drained(server: Server, expected: int, deadline: float) -> float:
    """When every click has been answered in Slack (Sharebot answers after the ack)."""
    if server.kind == "bare":
        return time.perf_counter()
    while await answered(server) < expected:
        if time.perf_counter() > deadline:
            raise Failed("Sharebot did not answer every click")
        await asyncio.sleep(0.05)
    return time.perf_counter()


@dataclass
class Result:
    server: Server
    acked: float  # HTTP requests/s: what Slack waits for
    answered: float  # clicks/s until every ephemeral answer reached Slack (Sharebot only)
    latencies: list[float]


async def measure(kind: str, fake: FakeSlackProcess, seconds: float, concurrency: int) -> Result:
    """Acked requests/s under saturation; for Sharebot also the rate at which the work behind
    the acks (the core's answer, posted to the response_url) was done."""
    server = Server(kind, fake)
    body = click_body(f"{server.fake}/response/bench")
    before = await answered(server)
    warm = await saturate(server.url, body, min(1.0, seconds / 3), concurrency)
    await drained(server, before + len(warm), time.perf_counter() + 60)
    started = time.perf_counter()
    latencies = await saturate(server.url, body, seconds, concurrency)
    acked = len(latencies) / (time.perf_counter() - started)
    expected = before + len(warm) + len(latencies)
    finished = await drained(server, expected, time.perf_counter() + 300)
    return Result(server, acked, len(latencies) / (finished - started), latencies)


async def run(seconds: float, concurrency: int) -> None:
    fake = FakeSlackProcess()
    try:
        await compare(fake, seconds, concurrency)
    finally:
        fake.stop()


async def compare(fake: FakeSlackProcess, seconds: float, concurrency: int) -> None:
    results: dict[str, Result] = {}
    for kind in ("bare", "sharebot"):
        found = results[kind] = await measure(kind, fake, seconds, concurrency)
        sustained = f"   answered {found.answered:.0f}/s" if kind == "sharebot" else ""
        print(
            f"{kind:>9}: {found.acked:6.0f} requests/s   p50 "
            f"{percentile(found.latencies, 0.5):5.1f} ms   p99 "
            f"{percentile(found.latencies, 0.99):6.1f} ms{sustained}"
            f"   ({len(found.latencies)} clicks, {concurrency} connections)"
        )
    bare, ours = results["bare"], results["sharebot"]
    ratio = ours.acked / bare.acked
    print(f"ratio: {ratio:.0%} of the bare app's requests/s (target >= 70%)")
    half = ours.acked / 2
    steady_p99 = 0.0
    for label, result, rate in (
        ("sharebot", ours, half),
        ("bare", bare, half),
        ("sharebot", ours, ours.answered / 2),
    ):
        await drained(result.server, await answered(result.server), time.perf_counter() + 1)
        before = await answered(result.server)
        body = click_body(f"{result.server.fake}/response/bench")
        steady = await paced(result.server.url, body, seconds, rate)
        await drained(result.server, before + len(steady), time.perf_counter() + 300)
        if result is ours and rate == half:
            steady_p99 = percentile(steady, 0.99)
        print(
            f"{label:>9} paced at {rate:.0f}/s: p50 {percentile(steady, 0.5):.1f} ms,"
            f" p99 {percentile(steady, 0.99):.1f} ms"
        )
    print(f"p99 at half of Sharebot's requests/s: {steady_p99:.1f} ms (target < 100 ms)")
    for result in results.values():
        result.server.stop()
    met = ratio >= 0.7 and steady_p99 < 100
    print("targets met" if met else "targets NOT met")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds per phase (CI)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve", choices=("bare", "sharebot"), help=argparse.SUPPRESS)
    parser.add_argument("--fake", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.fake))
        return
    seconds = 3.0 if args.quick else args.seconds
    try:
        asyncio.run(run(seconds, args.concurrency))
    except (Failed, aiohttp.ClientError, OSError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
