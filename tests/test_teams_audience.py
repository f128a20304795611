"""Audiences through real botbuilder and a fake Bot Connector: ``--to team`` in a team's channel,
its roster paged when the suggestion starts, through a proactive turn into the team."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.teams.cards import markdown
from storage.database import Database
from tests.support import FakeClock
from tests.teams_chat import PEOPLE, TEAM, TeamsChat, card_text, make_comms, running_teams, text

URL = "https://example.com/day"


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        await make_comms(chat)
        for name in ("anna", "ben", "chris"):
            await chat.say(name, "on")
        chat.connector.add_team(TEAM, [PEOPLE[n].roster_entry() for n in ("anna", "chris")])
        yield chat


async def _in_channel(teams: TeamsChat, who: str, command: str) -> str:
    activity = teams.channel_message(who, command)
    activity["channelData"]["team"]["name"] = "Marketing"
    before = len(teams.connector.cards(PEOPLE[who].chat))
    assert await teams.post(activity) in (200, 201)
    return "\n".join(card_text(c) for c in teams.connector.cards(PEOPLE[who].chat)[before:])


async def test_a_suggestion_for_this_team_reaches_its_opted_in_members(teams: TeamsChat) -> None:
    listed = len([c for c in teams.connector.calls if c.path.endswith("/pagedmembers")])
    answer = await _in_channel(teams, "chris", f"new {URL} Our team day --to team")
    assert markdown(text(teams, "new.who_audience", audience="Marketing")) in answer
    assert markdown(text(teams, "new.audience_small", audience="Marketing", min=10)) in answer
    await teams.tick()  # (the tick the command woke may have started it already)
    assert "Our team day" in card_text(teams.connector.cards(PEOPLE["anna"].chat)[-1])
    assert "Our team day" not in card_text({"all": teams.connector.cards(PEOPLE["ben"].chat)})
    asked = [c for c in teams.connector.calls if c.path.endswith("/pagedmembers")][listed:]
    # the roster, asked when it was created (its size, for the warning) and again when it
    # starts (who is in it then)
    assert [c.conversation_id for c in asked] == [TEAM, TEAM]
    listing = "\n".join(card_text(c) for c in await teams.say("chris", "list"))
    assert markdown(text(teams, "list.audience", audience="Marketing")) in listing


async def test_team_means_nothing_in_a_personal_chat(teams: TeamsChat) -> None:
    [answer] = await teams.say("chris", f"new {URL} Our team day --to team")
    assert markdown(text(teams, "error.audience", target="team")) in card_text(answer)
