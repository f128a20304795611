"""A fake Bot Connector: the Teams service a real CloudAdapter talks to at ``serviceUrl``.

Records every call, answers the conversation API Sharebot uses, and fails on request:
``connector.fail(429, retry_after=3)`` or ``connector.fail(403)`` refuse a call without
posting; ``connector.fault("502")`` (any of ``tests.faults.FAULTS``) posts, then answers
broken; ``connector.hang()`` never answers; ``connector.listener`` can refuse connections
(``tests.listening.Listener``). ``sent`` counts the messages taken per conversation.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.faults import broken_answer
from tests.listening import Listener, listener


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str
    body: Any = None
    activity_id: str = ""


@dataclass
class Failure:
    status: int = 0
    retry_after: str | None = None
    hang: bool = False
    fault: str | None = None  # played after the call did its work


@dataclass
class FakeConnector:
    """Playing Teams' Bot Connector REST API (``/v3/conversations/...``)."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    failures: deque[Failure] = field(default_factory=deque)
    rosters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)
    hanging: int = 0  # calls held by hang() right now
    released: asyncio.Event = field(default_factory=asyncio.Event)
    faulted: list[Call] = field(default_factory=list)  # calls answered with a failure or fault
    slow_seconds: float = 2.0  # how long the ``slow`` fault takes
    listener: Listener | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # ---- knobs

    def fail(self, status: int, *, retry_after: str | None = None, times: int = 1) -> None:
        """The next ``times`` calls that send, update or create answer ``status``."""
        self.failures.extend(Failure(status, retry_after) for _ in range(times))

    def fault(self, fault: str, *, times: int = 1) -> None:
        """The next ``times`` calls that send, update or create do their work, then answer
        with ``fault`` (reset, 502, a cut-off body, …)."""
        self.failures.extend(Failure(fault=fault) for _ in range(times))

    def hang(self) -> None:
        """The next such call never answers (until :meth:`release`): a timeout."""
        self.failures.append(Failure(hang=True))

    def release(self) -> None:
        self.released.set()

    def add_team(self, team_id: str, members: list[dict[str, Any]]) -> None:
        self.rosters[team_id] = members

    # ---- what happened

    def messages(self, conversation_id: str | None = None) -> list[Call]:
        """Messages posted (new or reply), in order, optionally to one conversation."""
        return [
            c
            for c in self.calls
            if c.method == "POST"
            and "/activities" in c.path
            and c.body is not None
            and c.body.get("type") == "message"
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]

    def created(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path == "/v3/conversations"]

    def cards(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        """The Adaptive Cards of the posted messages."""
        return [
            attachment["content"]
            for call in self.messages(conversation_id)
            for attachment in call.body.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    # ---- the API

    def app(self) -> web.Application:
        app = web.Application()
        base = "/v3/conversations"
        app.router.add_post(base, self._create)
        app.router.add_post(base + "/{cid}/activities", self._post)
        app.router.add_post(base + "/{cid}/activities/{aid}", self._post)
        app.router.add_put(base + "/{cid}/activities/{aid}", self._update)
        app.router.add_get(base + "/{cid}/pagedmembers", self._paged)
        app.router.add_get(base + "/{cid}/members", self._members)
        app.router.add_get(base + "/{cid}/members/{mid}", self._member)
        return app

    async def _record(self, request: web.Request) -> Call:
        body = await request.json() if request.can_read_body else None
        call = Call(
            request.method,
            request.path,
            request.match_info.get("cid", ""),
            body,
            request.match_info.get("aid", ""),
        )
        self.calls.append(call)
        return call

    async def _answered(
        self, request: web.Request, call: Call, work: Callable[[], web.Response]
    ) -> web.StreamResponse:
        """``work``'s answer, unless a failure was injected: refused before the work, or a
        fault played after it."""
        failure = self.failures.popleft() if self.failures else None
        if failure is None:
            return work()
        self.faulted.append(call)
        if failure.fault:
            return await broken_answer(
                request, failure.fault, work(), _unusable(), slow=self.slow_seconds
            )
        if failure.hang:
            self.hanging += 1
            await self.released.wait()
            self.hanging -= 1
            return web.json_response({"error": {"code": "Timeout"}}, status=504)
        headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
        return web.json_response(
            {"error": {"code": "Injected", "message": f"fake {failure.status}"}},
            status=failure.status,
            headers=headers,
        )

    async def _create(self, request: web.Request) -> web.StreamResponse:
        call = await self._record(request)

        def create() -> web.Response:
            member = call.body["members"][0]["id"]
            return web.json_response({"id": f"a:personal-{member}", "activityId": None}, status=201)

        return await self._answered(request, call, create)

    async def _post(self, request: web.Request) -> web.StreamResponse:
        call = await self._record(request)

        def post() -> web.Response:
            self.sent[call.conversation_id] += 1
            return web.json_response({"id": f"activity-{next(self._ids)}"}, status=201)

        return await self._answered(request, call, post)

    async def _update(self, request: web.Request) -> web.StreamResponse:
        call = await self._record(request)
        return await self._answered(
            request, call, lambda: web.json_response({"id": call.activity_id})
        )

    async def _paged(self, request: web.Request) -> web.Response:
        call = await self._record(request)
        roster = self.rosters.get(call.conversation_id)
        if roster is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        size = int(request.query.get("pageSize") or 2)
        start = int(request.query.get("continuationToken") or 0)
        page: dict[str, Any] = {"members": roster[start : start + size]}
        if start + size < len(roster):
            page["continuationToken"] = str(start + size)
        return web.json_response(page)

    async def _members(self, request: web.Request) -> web.Response:
        call = await self._record(request)
        return web.json_response(self._everyone(call.conversation_id))

    async def _member(self, request: web.Request) -> web.Response:
        await self._record(request)
        for member in self._everyone(request.match_info["cid"], all_teams=True):
            if member["id"] == request.match_info["mid"]:
                return web.json_response(member)
        return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)

    def _everyone(self, conversation_id: str, *, all_teams: bool = False) -> list[dict[str, Any]]:
        if all_teams:
            return [m for roster in self.rosters.values() for m in roster]
        return self.rosters.get(conversation_id, [])


def _unusable() -> web.Response:
    """A "created" answer whose JSON the connector client cannot take apart."""
    return web.json_response(["not", "a", "resource"], status=201)


@asynccontextmanager
async def running_connector() -> AsyncIterator[FakeConnector]:
    """The fake connector on an ephemeral port; ``connector.url`` is its service URL."""
    connector = FakeConnector()
    async with listener(connector.app()) as served:
        connector.url, connector.listener = f"{served.url}/", served
        try:
            yield connector
        finally:
            connector.release()
