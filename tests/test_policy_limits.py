"""SHAREBOT_POLICY_LIMITS: bounds agreed with the works council that HR cannot cross from chat."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from adapters.settings import SettingsError, load_settings
from bot.commands.policy_admin import LIMITS_ACTOR, clamp_to_limits
from bot.limits import BadLimit, parse_limits
from bot.policy import policy_from
from bot.views import Form
from storage import audit
from storage import policy as stored_policy
from storage.database import Database
from storage.states import AuditAction
from tests.cli import run_cli
from tests.playground_server import running_playground
from tests.support import Chat

AGREED = (
    "max_per_week<=2,min_gap_hours>=48,anonymity_threshold>=10,report_delay_hours>=24,"
    "retention_days<=30,window<=mon-fri 08:00-18:00,participation=opt-in"
)
# (key, a value beyond its bound, the text that refuses it, the bound as it is named)
BEYOND = [
    ("max_per_week", "3", "max", "2"),
    ("min_gap_hours", "24", "min", "48"),
    ("anonymity_threshold", "9", "min", "10"),
    ("report_delay_hours", "0", "min", "24"),
    ("retention_days", "31", "max", "30"),
    ("window", "always", "window", "mon-fri 08:00-18:00"),
    ("window", "mon-sat 09:00-17:00", "window", "mon-fri 08:00-18:00"),
    ("window", "mon-fri 07:30-17:00", "window", "mon-fri 08:00-18:00"),
    ("participation", "invite", "fixed", "opt-in"),
]
# the catalogue each speaker reads: English, German (du), German with policy german_address sie
SPEAKERS = [("en-GB", "en", "du"), ("de-DE", "de", "du"), ("de-AT", "de_sie", "sie")]


async def _agreed(chat: Chat, limits: str = AGREED) -> None:
    """The bounds in force, and the stored policy brought inside them, as at start."""
    chat.ctx.limits = parse_limits(limits)
    await clamp_to_limits(chat.ctx)


async def _stored(database: Database) -> dict[str, str]:
    async with database.transaction() as session:
        return policy_from(await stored_policy.load(session)).as_text()


async def _audit(database: Database) -> list[tuple[str, AuditAction, str]]:
    async with database.transaction() as session:
        return [(e.actor, e.action, e.detail) for e in reversed(await audit.recent(session))]


# --- the setting ------------------------------------------------------------------------------


def test_the_agreed_bounds_parse_in_order() -> None:
    limits = parse_limits(f" {AGREED.replace(',', ', ')} ")
    assert limits.text == AGREED
    assert [(b.key, b.op) for b in limits.of("window")] == [("window", "<=")]
    assert parse_limits("").bounds == ()
    # a comma inside a window is part of it
    assert parse_limits("window<=mon,wed 08:00-12:00,max_per_week<=1").text == (
        "window<=mon,wed 08:00-12:00,max_per_week<=1"
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("max_per_week<=lots", "not a value max_per_week can have"),
        ("max_per_week<=99", "not a value max_per_week can have"),
        ("anonymity_threshold>=2", "not a value anonymity_threshold can have"),
        ("colour<=3", "colour is not a policy key"),
        ("max_per_week", "write each entry as key<=value"),
        ("window>=mon-fri 09:00-17:00", "window takes <= (the widest window allowed) or ="),
        ("participation<=invite", "participation takes only ="),
        ("max_per_week<=2,max_per_week<=3", "max_per_week is bounded twice"),
        ("retention_days=30,retention_days<=60", "has a fixed value and another bound"),
        ("min_gap_hours>=48,min_gap_hours<=24", "leave no value to choose"),
    ],
)
def test_a_bad_entry_is_named_with_what_is_wrong(entry: str, problem: str) -> None:
    with pytest.raises(BadLimit) as raised:
        parse_limits(entry)
    assert problem in raised.value.problem
    with pytest.raises(SettingsError) as bad:
        load_settings(SHAREBOT_POLICY_LIMITS=entry)
    line = str(bad.value)
    assert "\n" not in line and "SHAREBOT_POLICY_LIMITS" in line
    assert repr(raised.value.entry) in line and problem in line


def test_a_bad_value_is_told_what_the_key_takes() -> None:
    with pytest.raises(SettingsError, match="1–14") as bad:
        load_settings(SHAREBOT_POLICY_LIMITS="max_per_week<=2,max_per_week>=x")
    assert "'max_per_week>=x'" in str(bad.value)


def test_a_bad_setting_stops_sharebot_run_with_one_line(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path, SHAREBOT_POLICY_LIMITS="max_per_week<=2,windows<=always")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SHAREBOT_POLICY_LIMITS" in result.stderr and "'windows<=always'" in result.stderr
    assert not (tmp_path / "cli.db").exists()  # stopped before touching the database


# --- in chat ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "catalogue", "address"), SPEAKERS)
@pytest.mark.parametrize(("key", "value", "kind", "bound"), BEYOND)
async def test_policy_set_beyond_a_bound_is_refused_naming_it(
    chat: Chat,
    locale: str,
    catalogue: str,
    address: str,
    key: str,
    value: str,
    kind: str,
    bound: str,
) -> None:
    chat.person("hanna", locale=locale)
    await chat.say("hanna", f"policy set german_address {address}")
    await _agreed(chat)
    before, trail = await _stored(chat.database), await _audit(chat.database)

    answer = await chat.ask("hanna", f"policy set {key} {value}")

    assert answer == chat.text(f"policy.error.bound.{kind}", catalogue, key=key, value=bound)
    assert "SHAREBOT_POLICY_LIMITS" in answer
    assert ("Betriebsvereinbarung" if catalogue != "en" else "works agreement") in answer
    assert await _stored(chat.database) == before
    assert await _audit(chat.database) == trail


async def test_values_inside_the_bounds_are_taken(chat: Chat) -> None:
    await _agreed(chat)
    for key, value in (
        ("max_per_week", "1"),
        ("min_gap_hours", "72"),
        ("anonymity_threshold", "12"),
        ("retention_days", "14"),
        ("window", "mon-thu 08:00-18:00"),
        ("window", "Mo-Fr 9:00-12:00"),
        ("participation", "opt-in"),
    ):
        answer = await chat.ask("hanna", f"policy set {key} {value}")
        assert answer.startswith(f"`{key}`") and "SHAREBOT_POLICY_LIMITS" not in answer
    assert (await _stored(chat.database))["window"] == "mon-fri 09:00-12:00"


async def test_the_policy_form_shows_each_bound_and_refuses_beside_the_field(chat: Chat) -> None:
    await _agreed(chat)
    form = (await chat.say("hanna", "policy")).views[0]
    assert isinstance(form, Form)
    assert chat.text("policy.intro.limits") in form.intro
    hints = {field.name: field.hint for field in form.fields}
    assert chat.text("policy.hint.bound.max", value="2") in hints["max_per_week"]
    assert chat.text("policy.hint.bound.min", value="10") in hints["anonymity_threshold"]
    assert chat.text("policy.hint.bound.window", value="mon-fri 08:00-18:00") in hints["window"]
    assert chat.text("policy.hint.bound.fixed", value="opt-in") in hints["participation"]
    assert hints["holidays"] == chat.text("policy.hint.holidays")  # no bound, no mark

    values = {field.name: field.value for field in form.fields}
    before, trail = await _stored(chat.database), await _audit(chat.database)
    beyond = {**values, "max_per_week": "5", "window": "always", "timezone": "Europe/Vienna"}
    returned = (await chat.submit("hanna", "policy", beyond)).views[0]
    assert isinstance(returned, Form)
    errors = {field.name: field.error for field in returned.fields if field.error}
    assert errors == {
        "max_per_week": chat.text("policy.error.bound.max", key="max_per_week", value="2"),
        "window": chat.text("policy.error.bound.window", key="window", value="mon-fri 08:00-18:00"),
    }
    assert {f.name: f.value for f in returned.fields}["timezone"] == "Europe/Vienna"  # kept
    assert await _stored(chat.database) == before and await _audit(chat.database) == trail

    inside = {**values, "max_per_week": "1", "timezone": "Europe/Vienna"}
    await chat.submit("hanna", "policy", inside)
    stored = await _stored(chat.database)
    assert (stored["max_per_week"], stored["timezone"]) == ("1", "Europe/Vienna")


async def test_the_german_form_names_the_bounds_in_german(chat: Chat) -> None:
    chat.person("hanna", locale="de-DE")
    await _agreed(chat, "retention_days<=30")
    form = (await chat.say("hanna", "richtlinie")).views[0]
    assert isinstance(form, Form)
    hint = next(field.hint for field in form.fields if field.name == "retention_days")
    assert hint.endswith(chat.text("policy.hint.bound.max", "de", value="30"))
    assert "Betriebsvereinbarung" in hint


# --- at start ---------------------------------------------------------------------------------


async def test_a_stored_policy_outside_new_bounds_is_clamped_once_with_an_audit_entry(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    for key, value in (("max_per_week", "5"), ("window", "mon-sat 07:00-17:00"), ("utm", "on")):
        await chat.say("hanna", f"policy set {key} {value}")
    trail = await _audit(chat.database)
    chat.ctx.limits = parse_limits("max_per_week<=2,window<=mon-fri 08:00-18:00,utm=off")

    with caplog.at_level(logging.INFO):
        moved = await clamp_to_limits(chat.ctx)

    assert moved == {
        "max_per_week": ("5", "2"),
        "window": ("mon-sat 07:00-17:00", "mon-fri 08:00-17:00"),  # the overlap
        "utm": ("on", "off"),
    }
    stored = await _stored(chat.database)
    assert (stored["max_per_week"], stored["window"], stored["utm"]) == (
        "2",
        "mon-fri 08:00-17:00",
        "off",
    )
    assert (await _audit(chat.database))[len(trail) :] == [
        (LIMITS_ACTOR, AuditAction.POLICY_CLAMPED, "max_per_week: 5 -> 2"),
        (
            LIMITS_ACTOR,
            AuditAction.POLICY_CLAMPED,
            "window: mon-sat 07:00-17:00 -> mon-fri 08:00-17:00",
        ),
        (LIMITS_ACTOR, AuditAction.POLICY_CLAMPED, "utm: on -> off"),
    ]
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.commands.policy_admin"]
    assert lines == [
        "policy max_per_week: 5 -> 2, to keep within SHAREBOT_POLICY_LIMITS",
        "policy window: mon-sat 07:00-17:00 -> mon-fri 08:00-17:00, to keep within "
        "SHAREBOT_POLICY_LIMITS",
        "policy utm: on -> off, to keep within SHAREBOT_POLICY_LIMITS",
    ]
    shown = await chat.ask("hanna", "audit")
    assert chat.text("audit.action.policy.clamped") in shown and LIMITS_ACTOR in shown

    assert await clamp_to_limits(chat.ctx) == {}  # the next start finds nothing to move
    assert len(await _audit(chat.database)) == len(trail) + 3


async def test_a_window_with_no_overlap_becomes_the_widest_allowed(chat: Chat) -> None:
    await chat.say("hanna", "policy set window sat,sun 10:00-16:00")
    chat.ctx.limits = parse_limits("window<=mon-fri 08:00-18:00")
    assert await clamp_to_limits(chat.ctx) == {
        "window": ("sat-sun 10:00-16:00", "mon-fri 08:00-18:00")
    }


async def test_the_server_clamps_at_start_after_seeding_the_playground(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    limits = "max_per_week<=2,min_gap_hours>=48,window<=mon-fri 08:00-18:00"
    with caplog.at_level(logging.WARNING, logger="bot.commands.policy_admin"):
        async with running_playground(database, SHAREBOT_POLICY_LIMITS=limits) as server:
            assert server.runtime.ctx.limits.text == limits
    stored = await _stored(database)
    # the demo's instant policy (window always, 14 a week, no gap) is brought inside at once
    assert (stored["max_per_week"], stored["min_gap_hours"], stored["window"]) == (
        "2",
        "48",
        "mon-fri 08:00-18:00",
    )
    assert [detail for _, action, detail in await _audit(database)] == [
        "max_per_week: 14 -> 2",
        "min_gap_hours: 0 -> 48",
        "window: always -> mon-fri 08:00-18:00",
    ]
    assert len([r for r in caplog.records if "SHAREBOT_POLICY_LIMITS" in r.getMessage()]) == 3

    async with running_playground(database, SHAREBOT_POLICY_LIMITS=limits):
        pass
    assert len(await _audit(database)) == 3  # a second start moves nothing
