"""Roles through Teams: whom ``roles grant`` finds, how ``roles`` names people, and the roster
calls behind it (quietly). Ids shaped like the Microsoft 365 Agents Playground's."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from storage import people
from storage.database import Database
from tests.support import FakeClock
from tests.teams_chat import (
    PEOPLE,
    Member,
    TeamsChat,
    card_text,
    running_teams,
    teams_settings,
    text,
)

# The Agents Playground's users: their AAD object ids are not GUIDs (13 digits at the end).
ALEX = Member("Alex Wilber", "00000000-0000-0000-0000-0000000000020", "en-US")
MEGAN = Member("Megan Bowen", "00000000-0000-0000-0000-0000000000021", "en-US")
RECORDED = Path(__file__).parent / "payloads" / "teams"


@pytest.fixture
async def teams(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TeamsChat]:
    monkeypatch.setitem(PEOPLE, "alex", ALEX)
    monkeypatch.setitem(PEOPLE, "megan", MEGAN)
    admins = f"teams:{PEOPLE['hanna'].aad},teams:{ALEX.aad}"
    async with running_teams(database, clock, teams_settings(SHAREBOT_ADMINS=admins)) as chat:
        yield chat


async def _roles_of(teams: TeamsChat, member: Member) -> set[str]:
    async with teams.runtime.database.transaction() as session:
        person = await people.find(session, "teams", member.aad)
        assert person is not None and person.id is not None
        return await people.roles_of(session, person.id)


async def _answer(teams: TeamsChat, who: str, command: str) -> str:
    return "\n".join(card_text(card) for card in await teams.say(who, command))


@pytest.mark.parametrize(
    "reference",
    [
        MEGAN.aad,  # the client's own id form, which is no GUID
        "Megan_Bowen",  # her name as a Teams mention of someone unknown becomes
        "megan_bowen",
    ],
)
async def test_roles_grant_finds_someone_sharebot_has_met_by_id_or_name(
    teams: TeamsChat, reference: str
) -> None:
    await teams.say("megan", "on")
    answer = await _answer(teams, "alex", f"roles grant {reference} comms")
    granted = text(teams, "roles.grant.done", user="Megan Bowen", role=text(teams, "role.comms"))
    assert granted in answer
    assert await _roles_of(teams, MEGAN) == {"comms"}


async def test_a_name_two_people_share_names_nobody(
    teams: TeamsChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    await teams.say("megan", "on")
    twin = Member("Megan Bowen", "00000000-0000-0000-0000-0000000000029", "en-US")
    monkeypatch.setitem(PEOPLE, "twin", twin)
    await teams.say("twin", "on")
    answer = await _answer(teams, "alex", "roles grant Megan_Bowen comms")
    assert text(teams, "error.user", user="Megan_Bowen").replace("`", "") in answer
    assert await _roles_of(teams, MEGAN) == set() == await _roles_of(teams, twin)


def _recorded_mention(teams: TeamsChat) -> dict[str, Any]:
    """``@Test Bot roles grant @Megan Bowen comms`` in a team channel of the Agents Playground:
    the mention carries only ``user-id-1``, no AAD object id."""
    activity: dict[str, Any] = json.loads(
        (RECORDED / "agents_playground_channel_mention.json").read_text(encoding="utf-8")
    )
    activity["serviceUrl"] = teams.connector.url
    return activity


async def test_a_mention_id_is_asked_of_the_team_roster_without_msrest_noise(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture
) -> None:
    roster = {"id": "user-id-1", "aadObjectId": MEGAN.aad, "name": "Megan Bowen"}
    teams.connector.add_team("team-id", [roster])
    with caplog.at_level(logging.INFO):
        assert await teams.post(_recorded_mention(teams)) in (200, 201)
    assert any(call.path.endswith("/members/user-id-1") for call in teams.connector.calls)
    answer = card_text(teams.connector.cards("a:personal-user-id-0")[-1])
    assert (
        text(teams, "roles.grant.done", user="Megan Bowen", role=text(teams, "role.comms"))
        in answer
    )
    assert await _roles_of(teams, MEGAN) == {"comms"}
    # botbuilder's roster call reads channelData into a model without Teams' own keys.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("msrest")] == []


async def test_other_msrest_warnings_still_reach_the_log(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture
) -> None:
    noisy = logging.getLogger("msrest.serialization")
    template = "%s is not a known attribute of class %s and will be ignored"
    with caplog.at_level(logging.WARNING):
        noisy.warning(template, "teamsTeamId", "<class 'TeamsChannelData'>")
        noisy.warning(template, "somethingNew", "<class 'TeamsChannelData'>")
        noisy.warning(template, "teamsTeamId", "<class 'Activity'>")
    assert [r.args for r in caplog.records] == [
        ("somethingNew", "<class 'TeamsChannelData'>"),
        ("teamsTeamId", "<class 'Activity'>"),
    ]


async def test_roles_names_the_configured_hr_admins_sharebot_knows(teams: TeamsChat) -> None:
    await teams.say("hanna", "help")  # Sharebot learns her name; Alex never wrote
    answer = await _answer(teams, "hanna", "roles")
    hr = next(line for line in answer.splitlines() if "HR:" in line)
    assert "Hanna" in hr and PEOPLE["hanna"].aad not in hr
    assert ALEX.aad in hr  # a name Sharebot does not know cannot be shown
