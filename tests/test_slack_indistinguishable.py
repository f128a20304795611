"""privacy rule 2 through the real Slack adapter: a person who shared and one who did nothing look
alike in the database, in the logs and in every call Sharebot makes to the Slack Web API.

Amy and Bob (same locale and time zone) opt in and get the same suggestion through the
dispatcher, in the same wording: the planner picks the caption variant as ``person.id % number
of variants``, so Cal opts in between them and their ids share a parity (otherwise they get
different cards by design and no swap could make the traces equal). Amy takes part in every way
a card offers: she clicks every share button (her browser opens ``GET /s/{token}``, and Slack
also sends Sharebot a ``block_actions`` payload naming her, which must only be acknowledged),
and she presses "copy text" and "another wording". Bob does nothing. Then the suggestion ends
and both cards are marked as ended.

Compared after exchanging everything that names Amy with what names Bob (helpers of
tests/privacy_support.py, shared with the playground and Teams tests):

- the database (every table, every column but the anonymous click counters) after her actions,
  after the counters reach the database, and after the end;
- the log lines: INFO and above from every logger (bolt, slack_sdk, aiohttp, Sharebot's own),
  and DEBUG from Sharebot's own loggers;
- every call Sharebot made to the Slack Web API (method and parameters: users.info,
  chat.postMessage, chat.update, views.publish, ...), and every message Slack keeps in their DMs
  (what a DM export would show). Amy's actions themselves cause no Web API call at all.

What may differ, and why: Sharebot answers Amy's "copy text" and "another wording" at the
``response_url`` of her own request, ephemerally. That is not a Web API call; Slack stores no
message for it, it is in no DM export and only Amy ever sees it. Like the redirect her browser
got from ``/s/{token}``, it is an answer to her request, not a trace of her on the platform
(Slack knows she pressed in any case: it sent the press). So the test asserts that these answers
are ephemeral, never replace or delete the card, answer only Amy's own presses, and that the URL
button's ``block_actions`` gets no answer at all. Not covered: after ``People.refresh_seconds``
(12 h) a press re-reads users.info for the presser, a read Bob's silence cannot cause; here the
cache is fresh, so no press calls users.info.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from storage import figures, outbox, people
from storage.database import Database
from tests.fake_slack import Call
from tests.privacy_support import (
    Dump,
    Identity,
    capture_logs,
    dump_database,
    swap,
    swap_lines,
    swap_values,
)
from tests.slack_support import COMMS, HR, SlackWorld, card_buttons, dm, slack_world
from tests.support import FakeClock

A, B, CAL = "UAMY", "UBOB", "UCAL"
NAMES = {A: "Amy", B: "Bob", CAL: "Cal"}
URL = "https://example.org/outing"


def url_button_clicked(user: str, button: dict[str, Any], ts: str, response_url: str) -> str:
    """The ``block_actions`` Slack sends when someone clicks a URL button: their id, the
    message, no ``value``. Sharebot's answer must be a bare ack."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user, "name": NAMES[user].lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": f"trigger-url-{user}",
        "container": {"type": "message", "message_ts": ts, "channel_id": dm(user)},
        "channel": {"id": dm(user), "name": "directmessage"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": "share-1",
                "type": "button",
                "text": button["text"],
                "action_ts": "1700000100.000001",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def web_api(calls: list[Call]) -> list[tuple[str, Any]]:
    """Method and parameters of every call, JSON parameters decoded, in a stable order."""

    def decoded(value: Any) -> Any:
        if isinstance(value, str) and value[:1] in "[{":
            return json.loads(value)
        return value

    return in_order([(c.method, {k: decoded(v) for k, v in c.params.items()}) for c in calls])


def in_order(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))


def about(call: Call, user: str) -> bool:
    """A Web API call that names ``user`` or their DM (users.info, chat.*, views.publish)."""
    named = {call.params.get(key) for key in ("user", "user_id", "channel")}
    return bool(named & {user, dm(user)})


def stored(world: SlackWorld) -> list[tuple[str, str, Any]]:
    """Every message Slack keeps in a conversation, as (channel, ts, message)."""
    return in_order(
        [
            (channel, ts, message)
            for channel, found in world.fake.messages.items()
            for ts, message in found.items()
        ]
    )


async def identity(world: SlackWorld, user: str) -> Identity:
    """Amy's or Bob's names: id, name, DM channel; references: their card as Sharebot stored
    it (``channel:ts``) and its ``ts`` alone (as chat.update names it)."""
    async with world.runtime.database.transaction() as session:
        person = await people.find(session, "slack", user)
        assert person is not None and person.id is not None and person.display_name
        (ref,) = [row.message_ref for row in await outbox.for_person(session, person.id)]
    assert ref and ref.startswith(f"{dm(user)}:")
    ts = ref.partition(":")[2]
    return Identity(person.id, (person.user_key, person.display_name, dm(user)), (ref, ts))


@pytest.mark.parametrize("approved_for_a_channel", [False, True])
async def test_sharing_and_doing_nothing_leave_the_same_trace_in_slack(
    database: Database, clock: FakeClock, approved_for_a_channel: bool
) -> None:
    """Also with the second round's ways in: Cal proposes something, the suggestion goes to a
    channel Amy and Bob are both in, and it waits for HR's approval first."""
    with capture_logs() as logs:
        async with slack_world(database, clock) as world:
            fake = world.fake
            for user, name in NAMES.items():
                fake.add_user(user, name, locale="en-GB", tz="Europe/London")
            await world.command(HR, "policy set window always")
            await world.command(HR, "policy set spread_minutes 0")
            await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
            for user in (A, CAL, B):  # Cal between them: Amy's and Bob's ids share a parity
                await world.command(user, "on")
            to = ""
            if approved_for_a_channel:
                await world.command(HR, "policy set approval required")
                await world.command(CAL, "propose https://example.org/idea Our new lab")
                fake.add_channel("C9", "team", [A, B, CAL, COMMS])
                to = " --to <#C9|team>"
            await world.command(COMMS, f"new {URL} First wording || Second wording #team{to}")
            if approved_for_a_channel:
                await world.command(HR, "approve 1")
            await world.settle()
            await world.tick()
            await fake.wait_for(lambda: dm(A) in fake.messages and dm(B) in fake.messages)
            await world.settle()
            a, b = await identity(world, A), await identity(world, B)
            assert a.person_id % 2 == b.person_id % 2  # so the same wording (id % 2) for both
            if approved_for_a_channel:  # the proposal, the approval card and the channel
                assert dm(COMMS) in fake.messages and dm(HR) in fake.messages
                assert {c.params["channel"] for c in fake.of("conversations.members")} == {"C9"}
            answered_before, called_before = len(fake.responses), len(fake.calls)
            ts = a.refs[1]
            card = fake.messages[dm(A)][ts]
            buttons = card_buttons(card)
            links = [b for b in buttons if "url" in b]
            pressed = {b["action_id"].split("|")[1]: b for b in buttons if "value" in b}
            assert links and {"card.copy", "card.another"} <= set(pressed)

            # Amy takes part in every way a card offers; Bob does nothing at all.
            for link in links:
                async with world.http.get(link["url"], allow_redirects=False) as redirect:
                    assert redirect.status in (302, 303, 307)
                status, body = await world.post(
                    url_button_clicked(A, link, ts, fake.response_url("url-button"))
                )
                assert status == 200 and body == ""
            for action in ("card.copy", "card.another"):
                answer = await world.press(
                    A, pressed[action]["action_id"], pressed[action]["value"]
                )
                assert answer["response_type"] == "ephemeral"
            await world.settle()
            # None of it made a Web API call (users.info is cached; copy and another wording
            # do not republish the App Home; the URL button is only acknowledged).
            assert fake.calls[called_before:] == []

            dumps: list[Dump] = [await dump_database(database)]
            await world.tick()  # the click counters reach the database
            dumps.append(await dump_database(database))
            async with database.transaction() as session:
                assert sum(((await figures.clicks_of(session, [1]))[1]).values()) >= len(links)
            clock.advance(hours=1)
            await world.command(COMMS, "end 1")
            await world.settle()
            await world.tick()
            await fake.wait_for(lambda: len(fake.of("chat.update")) >= 2)
            await world.settle()
            dumps.append(await dump_database(database))

            # The database: identical once Amy and Bob change places (only counters differ).
            for dump in dumps:
                assert swap(dump, a, b) == dump
            assert dumps[0]["delivery"][1]  # the check saw the deliveries

            # The Slack Web API: every call, with its parameters, identical after the swap.
            calls = web_api(fake.calls)
            assert in_order(swap_values(calls, a, b)) == calls
            concerning = {
                user: sorted(c.method for c in fake.calls if about(c, user)) for user in (A, B)
            }
            assert concerning[A] == concerning[B]
            assert {"users.info", "views.publish", "chat.postMessage", "chat.update"} <= set(
                concerning[A]
            )
            # What Slack keeps in their DMs: identical after the swap, the cards only ended.
            messages = stored(world)
            assert in_order(swap_values(messages, a, b)) == messages
            assert all(
                not card_buttons(message)
                for channel, _, message in messages
                if channel in (dm(A), dm(B))
            )

            # Amy's own answers: ephemeral, at her response_url, never editing or deleting the
            # card; the URL button's block_actions got none.
            answers = [r for r in fake.responses[answered_before:] if not r[0].startswith(COMMS)]
            assert [tag.split("-")[0] for tag, _ in answers] == [A, A]  # none at "url-button"
            for _, answer in answers:
                assert answer["response_type"] == "ephemeral"
                assert answer["replace_original"] is False
                assert not answer.get("delete_original")

    lines = logs.lines(debug=True)  # INFO and above from every logger, DEBUG from Sharebot's
    assert swap_lines(lines, a, b) == lines
    assert any(level == "INFO" for level, _, _ in lines), "the capture saw nothing"
