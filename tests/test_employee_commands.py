"""Employees in chat: opting in and out, pausing, topics, settings, privacy and their data."""

from __future__ import annotations

import json
import logging

import pytest

from bot.ports import Actor
from bot.views import DataExport, Form, Notice
from storage import people
from tests.data_export import MyData, exported_data
from tests.support import PLATFORM, Chat


async def test_help_shows_only_what_an_employee_may_do(chat: Chat) -> None:
    await chat.say("anna", "help")
    text = chat.last_reply("anna")
    assert "/share on" in text
    assert "/share new" not in text and "/share policy" not in text


async def test_empty_command_is_help(chat: Chat) -> None:
    await chat.say("anna", "")
    assert "/share on" in chat.last_reply("anna")


async def test_unknown_word_gets_short_help_in_english_and_german(chat: Chat) -> None:
    chat.person("jonas", locale="de-DE")
    english = await chat.ask("anna", "dance")
    german = await chat.ask("jonas", "tanzen")
    assert chat.text("error.unknown_command", word="dance") in english and "/share on" in english
    assert chat.text("error.unknown_command", "de", word="tanzen") in german


async def test_opt_in_states_the_budget_and_opt_out_confirms(chat: Chat) -> None:
    await chat.say("anna", "on")
    assert "2" in chat.last_reply("anna")  # max_per_week by default
    data = await _my_data(chat, "anna")
    assert data["preferences"]["participation"] == "on"
    await chat.say("anna", "off")
    data = await _my_data(chat, "anna")
    assert data["preferences"]["participation"] == "off"


async def test_german_aliases(chat: Chat) -> None:
    chat.person("jonas", locale="de-DE")
    await chat.say("jonas", "/share an")
    assert (await _my_data(chat, "jonas"))["preferences"]["participation"] == "on"
    await chat.say("jonas", "aus")
    assert (await _my_data(chat, "jonas"))["preferences"]["participation"] == "off"
    await chat.say("jonas", "hilfe")
    assert "/share an" in chat.last_reply("jonas") or "/share on" in chat.last_reply("jonas")


async def test_pause_forms_and_resume(chat: Chat) -> None:
    await chat.say("anna", "on")
    for form in ("2w", "10d", "2027-01-07"):
        await chat.say("anna", f"pause {form}")
        assert (await _my_data(chat, "anna"))["preferences"]["paused_until"] is not None
    await chat.say("anna", "resume")
    assert (await _my_data(chat, "anna"))["preferences"]["paused_until"] is None


async def test_bad_pause_is_explained_in_both_languages_and_changes_nothing(chat: Chat) -> None:
    chat.person("jonas", locale="de-DE")
    for name in ("anna", "jonas"):
        await chat.say(name, "on")
        before = await _my_data(chat, name)
        for bad in ("pause", "pause soon", "pause 2020-01-01", "pause 9999d"):
            await chat.say(name, bad)
            assert await _my_data(chat, name) == before
    assert await chat.ask("anna", "pause soon") == chat.text("error.pause", value="soon")
    assert await chat.ask("jonas", "pause bald") == chat.text("error.pause", "de", value="bald")


async def test_topics_set_and_clear(chat: Chat) -> None:
    await chat.say("anna", "topics jobs, events")
    assert (await _my_data(chat, "anna"))["preferences"]["topics"] == ["jobs", "events"]
    await chat.say("anna", "topics")
    assert (await _my_data(chat, "anna"))["preferences"]["topics"] == []
    await chat.say("anna", "topics <script>")
    assert (await _my_data(chat, "anna"))["preferences"]["topics"] == []


async def test_settings_form_round_trip(chat: Chat) -> None:
    reply = await chat.say("anna", "settings")
    form = reply.views[0]
    assert isinstance(form, Form) and form.form_id == "settings"
    values = {f.name: f.value for f in form.fields}
    values.update(
        participation="on", style="digest", networks="linkedin,x", language="de", max_per_week="1"
    )
    await chat.submit("anna", "settings", values)
    prefs = (await _my_data(chat, "anna"))["preferences"]
    assert prefs["participation"] == "on" and prefs["style"] == "digest"
    assert prefs["networks"] == ["linkedin", "x"] and prefs["language"] == "de"
    assert prefs["max_per_week"] == 1


async def test_saving_settings_does_not_decide_for_an_undecided_person(chat: Chat) -> None:
    form = (await chat.say("anna", "settings")).views[0]
    assert isinstance(form, Form)
    values = {f.name: f.value for f in form.fields}
    await chat.submit("anna", "settings", {**values, "topics": "jobs"})
    prefs = (await _my_data(chat, "anna"))["preferences"]
    assert prefs["participation"] == "undecided" and prefs["topics"] == ["jobs"]


async def test_pressing_card_buttons_leaves_no_info_log_line(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com Hello")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await chat.press("anna", "card.copy", "1:0")
    assert "Hello" in chat.last_reply("anna")
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []


async def test_settings_form_with_errors_changes_nothing(chat: Chat) -> None:
    await chat.say("anna", "on")
    before = await _my_data(chat, "anna")
    reply = await chat.submit(
        "anna",
        "settings",
        {"participation": "off", "paused_until": "soon", "topics": "a b c", "style": "each"},
    )
    form = reply.views[0]
    assert isinstance(form, Form)
    assert {f.name for f in form.fields if f.error} == {"paused_until", "topics"}
    assert await _my_data(chat, "anna") == before


async def test_privacy_explains_in_both_languages(chat: Chat) -> None:
    chat.person("jonas", locale="de-DE")
    await chat.say("anna", "privacy")
    await chat.say("jonas", "datenschutz")
    english, german = chat.last_reply("anna"), chat.last_reply("jonas")
    assert "my-data" in english and "forget-me" in english
    assert english != german


async def test_my_data_is_json_of_own_rows_only(chat: Chat) -> None:
    await chat.say("anna", "on")
    await chat.say("ben", "on")
    reply = await chat.say("anna", "my-data")
    export = reply.views[0]
    assert isinstance(export, DataExport)
    data = json.loads(export.content)
    assert data["person"]["user_id"] == "anna"
    assert "ben" not in export.content


async def test_forget_me_asks_first_then_removes_everything(chat: Chat) -> None:
    await chat.say("anna", "on")
    reply = await chat.say("anna", "forget-me")
    notice = reply.views[0]
    assert isinstance(notice, Notice) and {b.action for b in notice.buttons} == {
        "forget.confirm",
        "forget.cancel",
    }
    await chat.press("anna", "forget.cancel")
    assert (await _my_data(chat, "anna"))["preferences"]["participation"] == "on"
    await chat.press("anna", "forget.confirm")
    data = await _my_data(chat, "anna")  # first contact again: a fresh, undecided person
    assert data["preferences"]["participation"] == "undecided"


async def test_unknown_button_is_refused(chat: Chat) -> None:
    await chat.press("anna", "delete.everything", "1")
    assert chat.last_reply("anna")
    await chat.press("anna", "card.copy", "not-a-value")
    assert chat.last_reply("anna")


async def _my_data(chat: Chat, name: str) -> MyData:
    reply = await chat.core.say(chat.actor(name), "my-data")
    return exported_data(reply.views[0])


async def test_copy_text_and_another_wording_leave_the_person_row_as_it_was(chat: Chat) -> None:
    await chat.say("anna", "on")
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/day Our day || A great day")
    # the platform now reports another name, language and zone: only a deliberate act stores it
    chat.directory.people["anna"] = Actor(PLATFORM, "anna", "Anna B.", "de-DE", "Asia/Tokyo")
    await chat.press("anna", "card.copy", "1:0")
    await chat.press("anna", "card.another", "1:0")
    async with chat.database.transaction() as session:
        anna = await people.find(session, PLATFORM, "anna")
    assert anna is not None
    assert (anna.display_name, anna.platform_locale, anna.timezone) == (
        "Anna",
        "en-GB",
        "Europe/Berlin",
    )
