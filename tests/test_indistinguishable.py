"""privacy rule 2 through the playground: a person who shared and one who did nothing look alike.

Anna and Deniz (same language and time zone) both opt in and get the same suggestion. Anna
clicks LinkedIn, opens the copy-text page and presses "copy text"; Deniz does nothing. At every
point after Anna's click, the database, the calls made to the platform and the log lines are
identical once Anna and Deniz are swapped. The same flow runs with every employee action at
INFO to check that no log line names an employee.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from adapters.playground import demo
from storage import people, shares
from storage.database import Database
from tests.playground_server import RunningServer, running_playground
from tests.privacy_support import (
    Dump,
    Identity,
    RecordingMessenger,
    capture_logs,
    dump_database,
    identifiers_in,
    swap,
    swap_calls,
    swap_lines,
)
from tests.support import FakeClock

A, B = "anna", "deniz"
EMPLOYEES = {p.key: p.name for p in demo.PEOPLE if p.role == "employee"}


async def _say(http: aiohttp.ClientSession, server: RunningServer, who: str, text: str) -> None:
    await _post(http, server, "say", {"person": who, "text": text})


async def _post(
    http: aiohttp.ClientSession, server: RunningServer, route: str, body: dict[str, Any]
) -> None:
    async with http.post(f"{server.url}/playground/api/{route}", json=body) as response:
        assert response.status == 200, await response.text()
    await server.runtime.dispatcher.idle()


async def _identity(database: Database, key: str, refs: tuple[str, ...]) -> Identity:
    async with database.transaction() as session:
        person = await people.find(session, demo.PLATFORM, key)
    assert person is not None and person.id is not None and person.display_name
    return Identity(person.id, (person.user_key, person.display_name), refs)


@pytest.mark.parametrize("approved_for_a_channel", [False, True])
async def test_sharing_and_doing_nothing_leave_the_same_trace(
    database: Database, approved_for_a_channel: bool
) -> None:
    """Also with the second round's ways in: Clara proposes something, the suggestion goes to
    #berlin (Anna and Deniz are both in it) and waits for Hanna's approval first."""
    clock = FakeClock()
    with capture_logs() as logs:
        async with running_playground(database, clock) as server, aiohttp.ClientSession() as http:
            recorder = RecordingMessenger(server.runtime.ctx.messengers[demo.PLATFORM])
            server.runtime.ctx.messengers = {demo.PLATFORM: recorder}
            for who in (A, B):
                await _say(http, server, who, "/share on")
            to = ""
            if approved_for_a_channel:
                await _say(http, server, "hanna", "/share policy set approval required")
                await _say(http, server, "clara", "/share propose https://example.com/lab Our lab")
                assert {A, B} <= set(demo.CHANNELS["berlin"]) and "clara" not in demo.CHANNELS[
                    "berlin"
                ]
                to = " --to #berlin"
            await _say(http, server, "chris", f"/share new https://example.com/day Our day{to}")
            if approved_for_a_channel:
                assert not {c.user_key for c in recorder.calls} & {A, B}  # it waits
                await _say(http, server, "hanna", "/share approve 1")
                assert {"hanna", "chris"} <= {c.user_key for c in recorder.calls}
            assert {c.user_key for c in recorder.calls} >= {A, B}
            async with database.transaction() as session:
                links = await shares.links_for(session, 1)

            # Anna takes part in every way there is; Deniz does nothing at all.
            for network in ("linkedin", "copy"):
                async with http.get(f"{server.url}/s/{links[network]}", allow_redirects=False):
                    pass
            await _post(http, server, "press", {"person": A, "action": "card.copy", "value": "1:0"})
            await _post(
                http, server, "press", {"person": A, "action": "card.another", "value": "1:0"}
            )
            dumps: list[Dump] = [await dump_database(database)]
            await server.runtime.dispatcher.tick()  # the click counters reach the database
            dumps.append(await dump_database(database))
            clock.advance(hours=1)
            await _say(http, server, "chris", "/share end 1")
            dumps.append(await dump_database(database))

            a = await _identity(database, A, recorder.refs_to(A))
            b = await _identity(database, B, recorder.refs_to(B))
            assert a.refs and len(a.refs) == len(b.refs)
            for dump in dumps:
                assert swap(dump, a, b) == dump
            assert "delivery" in dumps[0] and dumps[0]["delivery"][1]  # the check saw rows
            calls = recorder.calls
            assert [c.kind for c in calls if c.user_key == A] == ["send", "update"]
            assert swap_calls(calls, a, b) == sorted(calls, key=repr)
    lines = logs.lines(debug=True)
    assert swap_lines(lines, a, b) == lines
    assert any("started" in message for _, _, message in lines)  # the capture saw the flow


async def test_no_log_line_at_info_names_an_employee(database: Database) -> None:
    clock = FakeClock()
    with capture_logs() as logs:
        async with running_playground(database, clock) as server, aiohttp.ClientSession() as http:
            for command in (
                "/share on",
                "/share topics events",
                "/share pause 1w",
                "/share resume",
                "/share settings",
                "/share privacy",
                "/share my-data",
                "/share help",
                "/share dance",
            ):
                for who in EMPLOYEES:
                    await _say(http, server, who, command)
            await _say(http, server, "hanna", "/share invite everyone")
            await _say(http, server, "chris", "/share new https://example.com/day Our day")
            await _say(http, server, "hanna", "/share roles grant emil comms")
            async with database.transaction() as session:
                links = await shares.links_for(session, 1)
            async with http.get(f"{server.url}/s/{links['x']}", allow_redirects=False):
                pass
            for who in EMPLOYEES:
                for action, value in (("card.copy", "1:0"), ("card.pause", ""), ("card.stop", "")):
                    await _post(
                        http, server, "press", {"person": who, "action": action, "value": value}
                    )
            await _say(http, server, "chris", "/share end 1")
            await _say(http, server, "ben", "/share forget-me")
            await _post(http, server, "press", {"person": "ben", "action": "forget.confirm"})
            await server.runtime.dispatcher.tick()
    info = logs.lines(debug=False)
    assert info, "the flow logged nothing at INFO: the capture is broken"
    assert identifiers_in(info, EMPLOYEES) == []
    assert not [m for _, _, m in info if any(token in m for token in links.values())]


def test_the_swap_exchanges_only_what_names_the_two_people() -> None:
    """Guards the helpers: ids only in person columns, names as whole words, refs exactly."""
    a = Identity(3, ("anna", "Anna Berger"), ("7",))
    b = Identity(6, ("deniz", "Deniz Yilmaz"), ("8",))
    dump: Dump = {
        "person": (("id", "user_key", "max_per_week"), [(3, "anna", 6), (6, "deniz", None)]),
        "audit_entry": (("actor", "detail"), [("playground:hanna", "playground:Anna Berger hr")]),
        "delivery": (("person_id", "message_ref", "variant"), [(3, "7", 3), (6, "8", 0)]),
    }
    swapped = swap(dump, a, b)
    assert swapped["person"][1] == [(3, "anna", None), (6, "deniz", 6)]  # rows moved, not keys
    assert swapped["audit_entry"][1] == [("playground:hanna", "playground:Deniz Yilmaz hr")]
    assert swapped["delivery"][1] == [(3, "7", 0), (6, "8", 3)]
    assert swap(swapped, a, b) == dump
    assert swap_lines([("INFO", "x", "hanna met Anna")], a, b) == [("INFO", "x", "hanna met deniz")]
