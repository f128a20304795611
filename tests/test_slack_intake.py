"""/slack/events checks the signature before it parses anything: unsigned junk is a 401,
signed junk a 400, never a 500 or a traceback, and nothing is stored or called."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import pytest

from storage import people
from storage.database import Database
from tests.slack_support import ANNA, SECRET, command_body, signed_headers, slack_world
from tests.support import FakeClock

MALFORMED = {
    "broken JSON": ('{"type": "event_callback", "event": ', False),
    "a JSON array": ("[1, 2, 3]", False),
    "a JSON string": ('"hello"', False),
    "broken payload": ("payload=%7B%22type%22%3A", True),
    "payload that is an array": ("payload=%5B1%2C2%5D", True),
    "payload that is a number": ("payload=42", True),
}


@pytest.mark.parametrize("name", list(MALFORMED))
@pytest.mark.parametrize(
    ("signing", "status"),
    [
        ("unsigned", 401),
        ("bad timestamp", 401),
        ("stale", 401),
        ("signed", 400),
    ],
)
async def test_a_malformed_body_is_refused_cleanly_and_changes_nothing(
    database: Database,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    name: str,
    signing: str,
    status: int,
) -> None:
    body, form = MALFORMED[name]
    headers = signed_headers(body, form=form)
    if signing == "unsigned":
        headers = {"Content-Type": headers["Content-Type"]}
    elif signing == "bad timestamp":
        headers["X-Slack-Request-Timestamp"] = "soon"
    elif signing == "stale":
        headers = signed_headers(body, form=form, timestamp=int(time.time()) - 3600)
    caplog.set_level(logging.INFO)
    async with slack_world(database, clock) as world:
        assert (await world.post(body, headers=headers))[0] == status
        await world.settle()
        assert world.fake.calls == [] and world.fake.responses == []
    async with database.transaction() as session:
        assert await people.find(session, "slack", ANNA) is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("signed", [False, True])
async def test_a_body_that_is_not_utf8_is_refused_signed_or_not(
    database: Database, clock: FakeClock, signed: bool
) -> None:
    body = b"payload=\xff\xfe{"
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers |= {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}",
        }
    async with slack_world(database, clock) as world:
        async with world.http.post(f"{world.url}/slack/events", data=body, headers=headers) as r:
            assert r.status == 401  # Slack signs UTF-8: nothing else can be checked
        assert world.fake.calls == []


async def test_slacks_certificate_check_is_answered_unsigned(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        body = "ssl_check=1&token=legacy"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        assert await world.post(body, headers=headers) == (200, "")
        assert world.fake.calls == []


async def test_a_signed_command_still_works(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        answer = await world.command(ANNA, "on")
        assert answer["response_type"] == "ephemeral"
        body = command_body(ANNA, "help", response_url=world.fake.response_url())
        assert (await world.post(body))[0] == 200


async def test_the_signature_is_checked_once(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sharebot's intake checks it before parsing; bolt's own check, after parsing, is off."""
    from slack_sdk.signature import SignatureVerifier

    checks: list[str] = []
    original = SignatureVerifier.is_valid

    def counted(self: SignatureVerifier, body: str | bytes, *args: object) -> bool:
        checks.append("checked")
        return original(self, body, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(SignatureVerifier, "is_valid", counted)
    async with slack_world(database, clock) as world:
        body = command_body(ANNA, "help", response_url=world.fake.response_url())
        assert (await world.post(body))[0] == 200
        await world.settle()
        assert len(world.fake.responses) == 1  # answered
    assert checks == ["checked"]
