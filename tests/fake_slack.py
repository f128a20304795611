"""A fake Slack Web API on an ephemeral port: records every call and answers like Slack.

In tests: ``async with running_fake_slack() as fake`` (or the ``fake_slack`` fixture), then point
``AsyncWebClient(base_url=fake.api_url)`` at it. Standalone, for benchmarks, crash tests and
trying by hand: ``python -m tests.fake_slack --port 0 --rate 50 --fault 502 --fault-every 10``
prints its API URL and serves until killed.

Knobs: ``rate`` (chat.postMessage taken in any one second before HTTP 429 with
``Retry-After``), ``fail(...)`` (a queue of injected failures: an HTTP status or a Slack
error code, refused without posting; a delay; or a ``fault`` from ``tests.faults``, played
after posting), ``fault_every`` (every n-th chat.postMessage gets the next of ``faults``),
``listener`` (its port can refuse connections: ``tests.listening.Listener``), and ``posted``
(chat.postMessage taken per channel, to find duplicates and losses).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from tests.faults import FAULTS, broken_answer
from tests.listening import Listener, listener

JSON = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    method: str
    params: JSON
    headers: dict[str, str]


@dataclass
class Failure:
    """One injected failure for the next call of ``method``.

    ``status``, ``error`` and ``delay`` answer before the call does anything; a ``fault``
    (one of ``tests.faults.FAULTS``) is played after the call did its work (a message posted).
    """

    method: str = "chat.postMessage"
    status: int = 200
    error: str | None = None
    errors: tuple[str, ...] = ()  # Slack's details, e.g. for ``invalid_blocks``
    delay: float = 0.0
    retry_after: int | None = 1  # None: a 429 without Retry-After
    fault: str | None = None


@dataclass
class FakeUser:
    id: str
    name: str
    locale: str = "en-US"
    tz: str = "Europe/Berlin"
    is_bot: bool = False
    deleted: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False

    def as_json(self) -> JSON:
        return {
            "id": self.id,
            "name": self.name.lower(),
            "real_name": self.name,
            "locale": self.locale,
            "tz": self.tz,
            "is_bot": self.is_bot,
            "deleted": self.deleted,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "profile": {"display_name": self.name, "real_name": self.name},
        }


@dataclass
class FakeSlack:
    """The state behind the fake: users, channels, messages, recorded calls and knobs."""

    rate: float | None = None
    post_delay: float = 0.0  # every chat.postMessage takes this long (a slow Slack)
    page_size: int = 2
    record: bool = True  # keep calls, answers and messages (off when standalone: memory)
    users: dict[str, FakeUser] = field(default_factory=dict)
    channels: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> name, members
    calls: list[Call] = field(default_factory=list)
    responses: list[tuple[str, JSON]] = field(default_factory=list)
    messages: dict[str, dict[str, JSON]] = field(default_factory=dict)  # channel -> ts -> message
    posted: Counter[str] = field(default_factory=Counter)
    answered: int = 0  # response_url posts, counted even when not recorded
    # chat.postMessage taken per whole second since the first one (a benchmark's pace over time)
    per_second: Counter[int] = field(default_factory=Counter)
    _first_post: float | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)  # Socket Mode
    socket_acks: list[JSON] = field(default_factory=list)
    failures: deque[Failure] = field(default_factory=deque)
    faults: tuple[str, ...] = ()  # played in turn on every ``fault_every``-th chat.postMessage
    fault_every: int = 0
    faulted: list[Call] = field(default_factory=list)  # calls answered with a failure or fault
    slow_seconds: float = 2.0  # how long the ``slow`` fault takes
    url: str = ""
    listener: Listener | None = None
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _taken: deque[float] = field(default_factory=deque)  # posts taken in the last second
    _changed: asyncio.Event | None = None
    _posts: int = 0
    _faulted_count: int = 0

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, tag: str = "r") -> str:
        return f"{self.url}/response/{tag}"

    def add_user(self, user_id: str, name: str, **details: Any) -> FakeUser:
        self.users[user_id] = FakeUser(user_id, name, **details)
        return self.users[user_id]

    def add_channel(self, channel_id: str, name: str, members: list[str]) -> None:
        self.channels[channel_id] = (name, members)

    def fail(self, *failures: Failure) -> None:
        self.failures.extend(failures)

    def of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def duplicates(self) -> dict[str, int]:
        return {channel: n for channel, n in self.posted.items() if n > 1}

    async def wait_for(self, check: Callable[[], T | None], within: float = 5.0) -> T:
        """Wait until ``check()`` is truthy (re-checked after every call) and return what it
        gave; no sleeping."""
        deadline = time.monotonic() + within
        while not (result := check()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the fake Slack did not see what the test waited for")
            event = self._event()
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue
        return result

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def _touch(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    # -- HTTP -----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{tag}", self._response)
        app.router.add_get("/fake/stats", self._stats)
        app.router.add_get("/link", self._socket)
        app.router.add_post("/fake/fail", self._inject)
        return app

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record what the app sends back (acks)."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1})
        self._touch()
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(frame.data))
                self._touch()
        return socket

    async def _stats(self, request: web.Request) -> web.Response:
        """For a benchmark in another process: messages per channel and duplicates."""
        return _json(
            {
                "posted": sum(self.posted.values()),
                "answered": self.answered,
                "channels": len(self.posted),
                "duplicates": self.duplicates(),
                "faulted": len(self.faulted) if self.record else self._faulted_count,
                "per_second": [
                    self.per_second[n] for n in range(max(self.per_second, default=-1) + 1)
                ],
            }
        )

    async def _inject(self, request: web.Request) -> web.Response:
        """``POST /fake/fail`` with a JSON list of Failure fields, e.g. ``[{"status": 429}]``
        or ``[{"fault": "502"}]``."""
        self.fail(*(Failure(**item) for item in await request.json()))
        return _json({"ok": True, "queued": len(self.failures)})

    async def _response(self, request: web.Request) -> web.Response:
        answer = await request.json()
        self.answered += 1
        if self.record:
            self.responses.append((request.match_info["tag"], answer))
        self._touch()
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: JSON = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        headers = {"Authorization": request.headers.get("Authorization", "")}
        call = Call(method, params, headers)
        if self.record:
            self.calls.append(call)
        try:
            failure = self._next_failure(method)
            if failure is not None:
                self._faulted_count += 1
                if self.record:
                    self.faulted.append(call)
            if failure is not None and failure.fault:
                return await broken_answer(
                    request,
                    failure.fault,
                    await self._answer(method, params, None),
                    _unusable(),
                    slow=self.slow_seconds,
                )
            return await self._answer(method, params, failure)
        finally:
            self._touch()

    async def _answer(self, method: str, params: JSON, failure: Failure | None) -> web.Response:
        if failure is not None:
            if failure.delay:
                await asyncio.sleep(failure.delay)  # provokes the client's timeout
            if failure.status == 429:
                return _limited(failure.retry_after)
            if failure.status != 200:
                return web.Response(status=failure.status, text="upstream trouble")
            if failure.error:
                details = {"errors": list(failure.errors)} if failure.errors else {}
                return _json({"ok": False, "error": failure.error, **details})
        if method == "chat.postMessage":
            if self.rate is not None and self._over_rate():
                return _limited(1)
            if self.post_delay:
                await asyncio.sleep(self.post_delay)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return _json({"ok": False, "error": "unknown_method"})
        return _json({"ok": True, **handler(params)})

    def _next_failure(self, method: str) -> Failure | None:
        for failure in self.failures:
            if failure.method == method:
                self.failures.remove(failure)
                return failure
        if method == "chat.postMessage" and self.fault_every and self.faults:
            self._posts += 1
            if self._posts % self.fault_every == 0:
                turn = self._posts // self.fault_every - 1
                return Failure(fault=self.faults[turn % len(self.faults)])
        return None

    def _over_rate(self) -> bool:
        """Whether this post would be more than ``rate`` taken in the last second (a sliding
        window: any one second holds at most ``rate``, wherever it starts; a fixed window
        per calendar second would take twice the rate across its edge)."""
        now = time.monotonic()
        while self._taken and self._taken[0] <= now - 1.0:
            self._taken.popleft()
        assert self.rate is not None
        if len(self._taken) >= self.rate:
            return True
        self._taken.append(now)
        return False

    # -- methods --------------------------------------------------------------------------

    def _apps_connections_open(self, params: JSON) -> JSON:
        return {"url": self.url.replace("http://", "ws://") + "/link"}

    def _auth_test(self, params: JSON) -> JSON:
        return {"team_id": "T1", "user_id": "UBOT", "bot_id": "B1", "team": "Fake", "user": "bot"}

    def _chat_postMessage(self, params: JSON) -> JSON:
        channel = str(params.get("channel", ""))
        if channel.startswith(("U", "W")):
            channel = "D" + channel[1:]  # Slack opens the app's DM with the person
        ts = f"1700000000.{next(self._ts):06d}"
        self.posted[channel] += 1
        now = time.monotonic()
        self._first_post = self._first_post if self._first_post is not None else now
        self.per_second[int(now - self._first_post)] += 1
        if self.record:
            self.messages.setdefault(channel, {})[ts] = _message(params)
        return {"channel": channel, "ts": ts, "message": {"ts": ts}}

    def _chat_update(self, params: JSON) -> JSON:
        channel, ts = str(params.get("channel")), str(params.get("ts"))
        if self.record:
            self.messages.setdefault(channel, {})[ts] = _message(params)
        return {"channel": channel, "ts": ts}

    def _chat_postEphemeral(self, params: JSON) -> JSON:
        return {"message_ts": f"1700000000.{next(self._ts):06d}"}

    def _users_info(self, params: JSON) -> JSON:
        user_id = str(params.get("user", ""))
        user = self.users.get(user_id) or FakeUser(user_id, user_id.lower())
        found = user.as_json()
        if str(params.get("include_locale", "")).lower() not in ("true", "1"):
            found.pop("locale")
        return {"user": found}

    def _users_list(self, params: JSON) -> JSON:
        members = [user.as_json() for user in self.users.values()]
        return self._page(params, "members", members)

    def _conversations_members(self, params: JSON) -> JSON:
        _, members = self.channels.get(str(params.get("channel")), ("", []))
        return self._page(params, "members", list(members))

    def _conversations_info(self, params: JSON) -> JSON:
        channel = str(params.get("channel"))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        name, members = self.channels[channel]
        found: JSON = {"id": channel, "name": name}
        if str(params.get("include_num_members", "")).lower() in ("true", "1"):
            found["num_members"] = len(members)
        return {"channel": found}

    def _conversations_list(self, params: JSON) -> JSON:
        found = [{"id": cid, "name": name} for cid, (name, _) in self.channels.items()]
        return self._page(params, "channels", found)

    def _views_open(self, params: JSON) -> JSON:
        return {"view": {"id": f"V{next(self._ts)}", **_view(params)}}

    _views_update = _views_open
    _views_push = _views_open

    def _views_publish(self, params: JSON) -> JSON:
        return {"view": {"id": "VHOME", **_view(params)}}

    def _page(self, params: JSON, key: str, items: list[Any]) -> JSON:
        start = int(params.get("cursor") or 0)
        size = min(int(params.get("limit") or self.page_size), self.page_size)
        end = start + size
        cursor = str(end) if end < len(items) else ""
        return {key: items[start:end], "response_metadata": {"next_cursor": cursor}}


def _view(params: JSON) -> JSON:
    view = params.get("view")
    return json.loads(view) if isinstance(view, str) else dict(view or {})


def _message(params: JSON) -> JSON:
    blocks = params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return {"text": params.get("text", ""), "blocks": blocks or []}


def _json(body: JSON) -> web.Response:
    return web.Response(text=json.dumps(body), content_type="application/json")


def _unusable() -> web.Response:
    """An "ok" answer slack_sdk takes as a binary file, so reading the message from it raises."""
    return web.Response(status=200, body=b"\x1f\x8b\x08\x00", content_type="application/gzip")


def _limited(seconds: int | None) -> web.Response:
    return web.Response(
        status=429,
        text=json.dumps({"ok": False, "error": "ratelimited"}),
        content_type="application/json",
        headers={} if seconds is None else {"Retry-After": str(seconds)},
    )


@asynccontextmanager
async def running_fake_slack(
    fake: FakeSlack | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[FakeSlack]:
    fake = fake or FakeSlack()
    async with listener(fake.app(), host=host, port=port) as served:
        fake.url, fake.listener = served.url, served
        yield fake


async def _serve(fake: FakeSlack, port: int, faults: list[str]) -> None:
    fake.fail(*(Failure(fault=fault) for fault in faults if not fake.fault_every))
    async with running_fake_slack(fake, port=port):
        print(fake.api_url, flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=None, help="postMessage per second")
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        choices=FAULTS,
        help="answer chat.postMessage like this after posting (repeat for several, in turn); "
        "without --fault-every, only the first posts get them",
    )
    parser.add_argument(
        "--fault-every", type=int, default=0, help="every n-th chat.postMessage gets a fault"
    )
    args = parser.parse_args()
    fake = FakeSlack(
        rate=args.rate,
        page_size=args.page_size,
        record=False,
        faults=tuple(args.fault),
        fault_every=args.fault_every,
    )
    with suppress(KeyboardInterrupt):
        asyncio.run(_serve(fake, args.port, args.fault))


if __name__ == "__main__":
    main()
