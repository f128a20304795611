"""``/share stats``: only after end + delay, only for 2k people, counts between k and N-k."""

from __future__ import annotations

from collections.abc import Mapping

from bot.sharing.links import follow
from storage import shares
from tests.support import Chat

K = 3


async def _audience(chat: Chat, size: int) -> None:
    await chat.say("hanna", f"policy set anonymity_threshold {K}")
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("hanna", "policy set min_gap_hours 0")
    for number in range(size):
        await chat.say(f"person{number}", "on")


async def _suggestion(chat: Chat, clicks: Mapping[str, int], *, end: bool = True) -> int:
    """A suggestion sent to everyone opted in, its share links followed ``clicks`` times."""
    await chat.make_comms("chris")
    await chat.say(
        "chris", "new https://example.com/day Our day --networks linkedin,xing,x,facebook"
    )
    await chat.tick()
    async with chat.database.transaction() as session:
        links = await shares.links_for(session, 1)
    for network, times in clicks.items():
        for _ in range(times):
            assert await follow(chat.ctx, links[network]) is not None
    await chat.tick()  # the counters reach the database in a batch
    if end:
        await chat.say("chris", "end 1")
    return 1


async def test_figures_wait_for_the_end_and_the_delay(chat: Chat) -> None:
    await _audience(chat, 8)
    await _suggestion(chat, {"linkedin": 3}, end=False)
    running = await chat.ask("chris", "stats 1")
    assert chat.text("stats.after_end", hours=24) in running and "LinkedIn" not in running
    await chat.say("chris", "end 1")
    chat.clock.advance(hours=23, minutes=59)
    waiting = await chat.ask("chris", "stats 1")
    assert "LinkedIn" not in waiting and "Thu, 3 Dec, 11:00" in waiting  # Berlin time
    chat.clock.advance(minutes=1)
    released = await chat.ask("chris", "stats 1")
    assert "• LinkedIn: 3" in released


async def test_counts_between_k_and_n_minus_k_are_shown_others_are_hidden(chat: Chat) -> None:
    await _audience(chat, 9)  # N = 9, k = 3: shown from 3 to 6
    await _suggestion(chat, {"linkedin": 2, "xing": 3, "x": 6, "facebook": 7})
    chat.clock.advance(hours=24)
    text = await chat.ask("chris", "stats #1")
    hidden = chat.text("stats.hidden")
    assert f"• LinkedIn: {hidden}" in text
    assert "• XING: 3" in text
    assert "• X: 6" in text
    assert f"• Facebook: {hidden}" in text
    assert chat.text("stats.reached", n="9–11") in text  # a band of k, never the exact 9
    assert "Text copied: " + hidden in text  # nobody copied: 0 is below k
    assert await chat.ask("chris", "stats 1") == text  # the same answer every time
    assert await chat.ask("hanna", "stats 1") == text


async def test_n_minus_k_is_taken_at_the_bottom_of_the_band(chat: Chat) -> None:
    """With N = 11 (band 9–11), 7 and 8 are at most N - k but still hidden: showing them would
    tell that N is 10 or 11, more than the band says."""
    await _audience(chat, 11)
    await _suggestion(chat, {"linkedin": 6, "xing": 7, "x": 8})
    chat.clock.advance(hours=24)
    text = await chat.ask("chris", "stats 1")
    hidden = chat.text("stats.hidden")
    assert "• LinkedIn: 6" in text
    assert f"• XING: {hidden}" in text and f"• X: {hidden}" in text
    assert chat.text("stats.reached", n="9–11") in text


async def test_nothing_for_an_audience_below_2k(chat: Chat) -> None:
    await _audience(chat, 2 * K - 1)
    await _suggestion(chat, {"linkedin": 3})
    chat.clock.advance(hours=25)
    text = await chat.ask("chris", "stats 1")
    assert chat.text("stats.audience_small", min=2 * K) in text
    assert "LinkedIn" not in text and "3" not in text.replace(f"{2 * K}", "")


async def test_exactly_2k_people_release_figures(chat: Chat) -> None:
    await _audience(chat, 2 * K)  # N = 6: only a count of exactly 3 can be shown
    await _suggestion(chat, {"linkedin": 3, "xing": 4})
    chat.clock.advance(hours=24)
    text = await chat.ask("hanna", "stats 1")
    assert "• LinkedIn: 3" in text and f"• XING: {chat.text('stats.hidden')}" in text


async def test_stats_errors_and_roles(chat: Chat) -> None:
    await chat.make_comms("chris")
    assert await chat.ask("chris", "stats") == chat.text("error.id_missing")
    assert await chat.ask("chris", "stats 7") == chat.text("error.no_suggestion", id=7)
    assert await chat.ask("anna", "stats 1") == chat.text("error.not_allowed", command="stats")


async def test_overview_for_hr_sums_only_shown_figures(chat: Chat) -> None:
    await _audience(chat, 12)
    for name in ("undecided1", "undecided2", "undecided3"):
        await chat.say(name, "help")
    await _suggestion(chat, {"linkedin": 4, "xing": 1})
    await chat.say("chris", "new https://example.com/two Second --networks linkedin,xing")
    await chat.tick()
    async with chat.database.transaction() as session:
        links = await shares.links_for(session, 2)
    for _ in range(5):
        await follow(chat.ctx, links["linkedin"])
    await follow(chat.ctx, links["xing"])
    await chat.tick()
    await chat.say("chris", "end 2")
    before = await chat.ask("hanna", "stats")
    assert "LinkedIn" not in before  # released for neither yet
    chat.clock.advance(hours=24)
    text = await chat.ask("hanna", "stats")
    lines = text.split("\n")
    assert lines[0] == chat.text("overview.title")
    # 12 of 17 known people opted in (hanna, chris, 3 undecided): a band, never exact
    assert chat.text("overview.opted_in", n="12–14") in text
    month = next(line for line in lines if "December 2026" in line)
    assert chat.text("overview.month", month="December 2026", started=2, released=2) in month
    # LinkedIn 4 + 5 both shown: 9; XING 1 and 1 both hidden: 0, and it says two are hidden
    assert "LinkedIn 9 · XING 0" + chat.text("overview.hidden", n=2) in month
    assert await chat.ask("hanna", "stats") == text


async def test_overview_hides_opt_in_count_near_everyone(chat: Chat) -> None:
    await _audience(chat, 8)
    await chat.say("chris", "help")  # chris and hanna are known: 8 of 10 opted in, 2 < k not
    text = await chat.ask("hanna", "stats")
    assert chat.text("overview.opted_in_hidden") in text
    assert chat.text("overview.no_months") in text


async def test_overview_is_hr_only_and_in_german(chat: Chat) -> None:
    await chat.make_comms("chris")
    chat.person("heidi", locale="de-AT")
    await chat.say("hanna", "roles grant heidi hr")
    assert await chat.ask("chris", "stats") == chat.text("error.id_missing")
    german = await chat.ask("heidi", "statistik")
    assert german.startswith(chat.text("overview.title", "de"))
