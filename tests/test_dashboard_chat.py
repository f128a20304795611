"""``/share dashboard`` in the chat, and the figures' bars in ``stats`` and the overview."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.registry import help_lines
from storage.states import Role
from tests.dashboard_support import audience, link_of, suggestion, token_of
from tests.support import Chat


async def test_comms_and_hr_get_a_private_link_for_their_role(chat: Chat) -> None:
    await chat.make_comms("chris")
    reply = await chat.say("chris", "dashboard")
    assert link_of(reply).startswith("https://sharebot.example/dashboard?token=")
    granted = chat.ctx.passes.check(token_of(reply), chat.clock.now())
    assert granted.role is Role.COMMS
    assert granted.until == chat.clock.now() + timedelta(minutes=15)
    text = chat.last_reply("chris")
    assert chat.text("dashboard.link.title") in text and "Wed, 2 Dec, 11:15" in text
    assert chat.text("dashboard.role.comms") in text

    hr = await chat.say("hanna", "dashboard")
    assert chat.ctx.passes.check(token_of(hr), chat.clock.now()).role is Role.HR
    # the same role at the same moment: the same link, whoever asked
    await chat.make_comms("cleo")
    assert token_of(await chat.say("cleo", "dashboard")) == token_of(reply)


async def test_someone_with_both_roles_gets_the_hr_page(chat: Chat) -> None:
    await chat.make_comms("hanna")
    reply = await chat.say("hanna", "dashboard")
    assert chat.ctx.passes.check(token_of(reply), chat.clock.now()).role is Role.HR


async def test_in_german_and_only_for_comms_and_hr(chat: Chat) -> None:
    chat.person("heidi", locale="de-AT")
    await chat.say("hanna", "roles grant heidi comms")
    reply = await chat.say("heidi", "übersicht")
    assert chat.last_reply("heidi").startswith(chat.text("dashboard.link.title", "de"))
    assert token_of(reply)
    assert token_of(await chat.say("heidi", "uebersicht"))
    refused = await chat.ask("anna", "dashboard")
    assert refused == chat.text("error.not_allowed", command="dashboard")
    assert not [b for v in chat.replies["anna"][-1].views for b in getattr(v, "buttons", ())]
    assert "help.dashboard" in help_lines(frozenset({Role.COMMS}))
    assert "help.dashboard" in help_lines(frozenset({Role.HR}))
    assert "help.dashboard" not in help_lines(frozenset())


async def test_stats_has_a_bar_per_shown_count_and_the_page_link(chat: Chat) -> None:
    await audience(chat, 9)  # N = 9 (band 9–11), k = 3: counts from 3 to 6 are shown
    await suggestion(chat, 1, {"linkedin": 6, "xing": 3, "x": 2})
    chat.clock.advance(hours=24)
    reply = await chat.say("chris", "stats 1")
    lines = chat.last_reply("chris").split("\n")
    hidden = chat.text("stats.hidden")
    # a bar against the people reached (9, the bottom of the band): 6 of 9 is 7 of 10 blocks
    assert "• LinkedIn: 6  ▇▇▇▇▇▇▇▁▁▁" in lines
    assert "• XING: 3  ▇▇▇▁▁▁▁▁▁▁" in lines
    assert f"• X: {hidden}" in lines  # hidden: no bar, nothing to read off its length
    assert f"• Text copied: {hidden}" in lines
    assert chat.ctx.passes.check(token_of(reply), chat.clock.now()).role is Role.COMMS
    assert chat.text("dashboard.link.button") in chat.last_reply("chris")


async def test_stats_before_release_has_no_bar(chat: Chat) -> None:
    await audience(chat, 9)
    await suggestion(chat, 1, {"linkedin": 6}, end=False)
    reply = await chat.say("chris", "stats 1")
    text = chat.last_reply("chris")
    assert "▇" not in text and "▁" not in text and "LinkedIn" not in text
    assert token_of(reply)


async def test_the_overview_shows_each_network_month_by_month(chat: Chat) -> None:
    await audience(chat, 12)
    await suggestion(chat, 1, {"linkedin": 4, "xing": 1})
    chat.clock.advance(days=33)  # Monday, 4 January
    await suggestion(chat, 2, {"linkedin": 8, "xing": 5})
    chat.clock.advance(days=1)
    reply = await chat.say("hanna", "stats")
    lines = chat.last_reply("hanna").split("\n")
    head = chat.text("overview.trend", first="December 2026", last="January 2027")
    assert head in lines
    trend = lines[lines.index(head) + 1 :]
    # LinkedIn 4 then 8 (the top, █; half of it ▅); XING 1 hidden (nothing shown, ▁), then 5
    assert trend[0] == "• LinkedIn ▅█" and trend[1] == "• XING ▁▅"
    assert chat.ctx.passes.check(token_of(reply), chat.clock.now()).role is Role.HR


async def test_the_overview_marks_a_month_without_released_figures(chat: Chat) -> None:
    await audience(chat, 12)
    await suggestion(chat, 1, {"linkedin": 4})
    chat.clock.advance(days=62)  # February: January had no suggestion at all
    await suggestion(chat, 2, {"linkedin": 4}, end=False)
    chat.clock.advance(days=1)
    await chat.say("hanna", "stats")
    lines = chat.last_reply("hanna").split("\n")
    assert "• LinkedIn █··" in lines  # December shown; January empty; February still running


async def test_no_trend_before_any_release(chat: Chat) -> None:
    await audience(chat, 12)
    await suggestion(chat, 1, {"linkedin": 4})
    text = await chat.ask("hanna", "stats")
    assert chat.text("overview.trend", first="December 2026", last="December 2026") not in text
