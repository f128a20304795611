"""Drives the real server with Slack enabled: signed requests in, the fake Slack Web API out."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adapters.server import Runtime, build_runtime
from adapters.settings import Settings, load_settings
from storage.database import Database
from tests.fake_slack import FakeSlack, running_fake_slack
from tests.playground_server import serving
from tests.support import FakeClock, objects_in

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-fake-token"
HR, COMMS, ANNA, BEN = "UHR", "UCOMMS", "UANNA", "UBEN"


def signature(secret: str, timestamp: str, body: str) -> str:
    """Exactly as Slack signs: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return "v0=" + digest.hexdigest()


def signed_headers(
    body: str, *, secret: str = SECRET, timestamp: int | None = None, form: bool = True
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body),
        "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
    }


def new_trigger(user: str) -> str:
    """A fresh ``trigger_id``, as Slack gives every command and interaction its own."""
    return f"{next(_TRIGGERS)}.{user}.trigger"


_TRIGGERS = itertools.count(1_000_000)


def command_body(
    user: str,
    text: str,
    *,
    response_url: str,
    command: str = "/share",
    trigger_id: str | None = None,
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": "C0CMD",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger(user),
        }
    )


def action_body(
    user: str,
    action_id: str,
    value: str = "",
    *,
    response_url: str | None = None,
    view: dict[str, Any] | None = None,
) -> str:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": new_trigger(user),
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
    }
    if response_url:
        payload["response_url"] = response_url
        payload["container"] = {"type": "message", "channel_id": "D1", "message_ts": "1.1"}
        payload["channel"] = {"id": "D1"}
    if view is not None:
        payload["view"] = view
        payload["container"] = {"type": "view", "view_id": "V1"}
    return urlencode({"payload": json.dumps(payload)})


def submission_body(user: str, view: dict[str, Any], values: dict[str, Any]) -> str:
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": new_trigger(user),
        "view": {**view, "id": "V1", "state": {"values": values}},
    }
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], event_id: str = "Ev1") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )


@dataclass
class SlackWorld:
    """A running Sharebot with Slack enabled, the fake Slack, and a client to talk to both."""

    url: str
    runtime: Runtime
    fake: FakeSlack
    http: aiohttp.ClientSession
    clock: FakeClock
    last_trigger: str = ""  # the trigger_id of the last command

    async def post(
        self, body: str, *, form: bool = True, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        sent = headers if headers is not None else signed_headers(body, form=form)
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=sent) as answer:
            return answer.status, await answer.text()

    async def command(self, user: str, text: str) -> JSONish:
        """``/share <text>``; returns the ephemeral answer (or the opened modal)."""
        tag = f"{user}-{len(self.fake.responses) + len(self.fake.calls)}"
        before = len(self.fake.of("views.open"))
        self.last_trigger = new_trigger(user)
        status, _ = await self.post(
            command_body(
                user,
                text,
                response_url=self.fake.response_url(tag),
                trigger_id=self.last_trigger,
            )
        )
        assert status == 200
        return await self.fake.wait_for(
            lambda: _answer_for(self.fake, tag) or _opened_after(self.fake, before)
        )

    async def press(
        self, user: str, action_id: str, value: str = "", *, in_home: bool = False
    ) -> JSONish:
        tag = f"{user}-{len(self.fake.responses) + len(self.fake.calls)}"
        before = len(self.fake.of("views.open"))
        body = action_body(
            user,
            action_id,
            value,
            response_url=None if in_home else self.fake.response_url(tag),
            view={"type": "home", "id": "VHOME"} if in_home else None,
        )
        status, _ = await self.post(body)
        assert status == 200
        return await self.fake.wait_for(
            lambda: _answer_for(self.fake, tag) or _opened_after(self.fake, before)
        )

    async def settle(self) -> None:
        """Let the work behind acks (answers, home publishing) and dispatcher ticks finish."""
        assert self.runtime.slack is not None
        await self.runtime.slack.idle()
        await self.runtime.dispatcher.idle()

    async def tick(self) -> None:
        await self.runtime.dispatcher.tick()


JSONish = dict[str, Any]


def _answer_for(fake: FakeSlack, tag: str) -> JSONish | None:
    found = [body for t, body in fake.responses if t == tag]
    return found[-1] if found else None


def _opened_after(fake: FakeSlack, before: int) -> JSONish | None:
    opened = fake.of("views.open")
    if len(opened) > before:
        view = opened[-1].params["view"]
        return {"modal": json.loads(view) if isinstance(view, str) else view}
    return None


def card_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a Block Kit message, in order."""
    return [
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def dm(user: str) -> str:
    """The app's DM channel with ``user``, as the fake Slack opens it."""
    return "D" + user[1:]


def dm_messages(world: SlackWorld, user: str) -> list[dict[str, Any]]:
    """What Slack keeps in the app's DM with ``user``, oldest first."""
    return list(world.fake.messages.get(dm(user), {}).values())


def button_for(message: dict[str, Any], action: str) -> dict[str, Any]:
    """The button of a Block Kit message that presses the core's ``action``."""
    return next(b for b in card_buttons(message) if f"|{action}|" in b["action_id"])


def texts(answer: JSONish) -> str:
    """Every text in an answer's blocks (or modal), for assertions."""
    return "\n".join(o["text"] for o in objects_in(answer) if isinstance(o.get("text"), str))


def slack_settings(api_url: str, **settings: object) -> Settings:
    """Sharebot on Slack at ``api_url`` with the test app's token and secret, HR an admin, and
    ``settings`` on top (no ``.env`` is read: see ``tests/conftest.py``)."""
    return load_settings(
        SHAREBOT_ADAPTERS="slack",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        SHAREBOT_ADMINS=f"slack:{HR}",
        **settings,
    )


@asynccontextmanager
async def slack_world(
    database: Database, clock: FakeClock, **settings: object
) -> AsyncIterator[SlackWorld]:
    async with running_fake_slack() as fake:
        fake.add_user(HR, "Hanna", locale="de-DE", tz="Europe/Berlin")
        fake.add_user(COMMS, "Chris", locale="en-GB", tz="Europe/London")
        fake.add_user(ANNA, "Anna", locale="en-GB", tz="Europe/Berlin")
        fake.add_user(BEN, "Ben", locale="de-AT", tz="Europe/Vienna")
        config = slack_settings(fake.api_url, **settings)
        runtime = build_runtime(config, database=database, clock=clock)
        async with serving(runtime) as url, aiohttp.ClientSession() as http:
            world = SlackWorld(url, runtime, fake, http, clock)
            yield world
            await world.settle()
