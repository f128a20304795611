"""The figures page's signed passes: a role and 15 minutes, never a person; forged ones fail."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta
from hashlib import sha256

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from adapters.settings import SettingsError, load_settings
from bot.privacy.passes import PURPOSE, Passes, PassRefused, Refusal
from storage.database import Database
from storage.models import SigningKey
from storage.states import Role
from tests.support import WEDNESDAY

SECRET = "a-secret-key-long-enough-for-the-settings-check"


def _refusal(passes: Passes, token: str, minutes: float = 0) -> Refusal:
    with pytest.raises(PassRefused) as refused:
        passes.check(token, WEDNESDAY + timedelta(minutes=minutes))
    return refused.value.refusal


def test_a_pass_names_the_role_and_its_end_nothing_else() -> None:
    passes = Passes(SECRET)
    granted = passes.issue(Role.COMMS, WEDNESDAY)
    assert granted.until == WEDNESDAY + timedelta(minutes=15)
    payload = granted.token.split(".")[0]
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert decoded == {"role": "comms", "until": int(granted.until.timestamp())}
    assert passes.check(granted.token, WEDNESDAY).role is Role.COMMS
    # two people with the same role at the same second get the same link: it names no one
    assert passes.issue(Role.COMMS, WEDNESDAY).token == granted.token
    assert passes.issue(Role.HR, WEDNESDAY).token != granted.token


def test_a_pass_works_for_15_minutes_and_never_again() -> None:
    passes = Passes(SECRET)
    token = passes.issue(Role.HR, WEDNESDAY).token
    assert passes.check(token, WEDNESDAY + timedelta(minutes=14, seconds=59)).role is Role.HR
    assert _refusal(passes, token, minutes=15) is Refusal.EXPIRED
    assert _refusal(passes, token, minutes=60 * 24 * 30) is Refusal.EXPIRED  # replayed later


def test_forged_altered_and_broken_passes_are_refused() -> None:
    passes = Passes(SECRET)
    token = passes.issue(Role.COMMS, WEDNESDAY).token
    payload, signature = token.split(".")
    other_key = Passes("another-secret-key-that-is-long-enough-too")
    as_hr = base64.urlsafe_b64encode(
        json.dumps({"role": "hr", "until": 2_000_000_000}, separators=(",", ":")).encode()
    )
    changed = "AA" if signature[-2:] != "AA" else "BB"
    forgeries = {
        "signature changed": f"{payload}.{signature[:-2]}{changed}",
        "role changed, old signature": f"{as_hr.decode().rstrip('=')}.{signature}",
        "signed with another key": other_key.issue(Role.HR, WEDNESDAY).token,
        "no signature": payload,
        "empty": "",
        "garbage": "%%%.???",
        "someone else's salt": URLSafeSerializer(SECRET, salt="other").dumps({"role": "hr"}),
    }
    for name, forged in forgeries.items():
        assert _refusal(passes, forged) is Refusal.FORGED, name


def test_a_signed_pass_that_names_no_known_role_or_time_is_refused() -> None:
    passes = Passes(SECRET)
    signer = URLSafeSerializer(SECRET, salt=PURPOSE, signer_kwargs={"digest_method": sha256})
    for payload in ({"role": "admin", "until": 2**31}, {"role": "hr"}, ["hr"], "hr"):
        assert _refusal(passes, signer.dumps(payload)) is Refusal.FORGED, payload
    assert passes.check(signer.dumps({"role": "hr", "until": 2**31}), WEDNESDAY).role is Role.HR
    # itsdangerous' default signer (SHA-1) is not the one Sharebot uses
    sha1 = URLSafeSerializer(SECRET, salt=PURPOSE).dumps({"role": "hr", "until": 2**31})
    assert _refusal(passes, sha1) is Refusal.FORGED


async def test_without_a_configured_key_every_process_agrees_on_one(database: Database) -> None:
    """Two processes that start at once make one key between them, race-free: each process
    here has its own engine (its own connections) on the same database."""
    url = database.engine.url.render_as_string(hide_password=False)
    others = [Database.from_url(url) for _ in range(2)]
    try:
        first, second = Passes(), Passes()
        await asyncio.gather(first.load(others[0], WEDNESDAY), second.load(others[1], WEDNESDAY))
        token = first.issue(Role.HR, WEDNESDAY).token
        assert second.check(token, WEDNESDAY).role is Role.HR
        async with database.transaction() as session:
            keys = (await session.execute(sa.select(SigningKey))).scalars().all()
        assert [key.purpose for key in keys] == [PURPOSE] and len(keys[0].secret) >= 64
        later = Passes()  # a restart reads the same key
        await later.load(database, WEDNESDAY + timedelta(days=3))
        assert later.check(token, WEDNESDAY).role is Role.HR
    finally:
        for other in others:
            await other.close()


async def test_a_configured_key_is_used_and_nothing_is_stored(database: Database) -> None:
    configured = Passes(SECRET)
    await configured.load(database, WEDNESDAY)
    token = configured.issue(Role.COMMS, WEDNESDAY).token
    assert Passes(SECRET).check(token, WEDNESDAY).role is Role.COMMS
    async with database.transaction() as session:
        assert (await session.execute(sa.select(SigningKey))).first() is None


def test_an_unloaded_key_is_a_programming_error_not_a_forgery() -> None:
    with pytest.raises(RuntimeError, match=r"Passes\.load"):
        Passes().issue(Role.HR, WEDNESDAY)


def test_a_short_secret_key_stops_the_start_without_repeating_it() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(SHAREBOT_SECRET_KEY="too-short-but-secret")
    message = str(error.value)
    assert "SHAREBOT_SECRET_KEY" in message and "32" in message
    assert "too-short-but-secret" not in message and "\n" not in message
    settings = load_settings(SHAREBOT_SECRET_KEY=SECRET)
    assert SECRET not in repr(settings) and settings.secret_key.get_secret_value() == SECRET
