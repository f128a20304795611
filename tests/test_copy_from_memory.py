"""Copy text and other wording from a card's buttons: answered from what is known about the
suggestion, the same as a turn answers, with nothing read or written about the person."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from bot.commands.buttons import Action
from bot.sharing.known import FRESH_SECONDS, KnownWordings, Wordings
from bot.views import Notice, Reply, SuggestionCard
from storage.models import Person
from tests.support import Chat

NEWS = "new https://example.com/day Our day || A great day #team"


async def _sent_card(chat: Chat) -> SuggestionCard:
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("anna", "on")
    await chat.make_comms("chris")
    await chat.say("chris", NEWS)
    await chat.tick()
    await chat.tick()
    (card,) = chat.inbox("anna")
    assert isinstance(card, SuggestionCard)
    return card


def _value(card: SuggestionCard, action: Action) -> str:
    (button,) = [b for b in card.buttons if b.action == action]
    return button.value


def _notice(reply: Reply) -> Notice:
    (notice,) = reply.views
    assert isinstance(notice, Notice)
    return notice


async def _rows(chat: Chat) -> dict[str, list[tuple[object, ...]]]:
    async with chat.database.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        return {
            name: sorted(map(tuple, (await conn.execute(sa.text(f"SELECT * FROM {name}"))).all()))
            for name in names
            if name not in ("alembic_version", "heartbeat")
        }


async def test_the_card_carries_suggestion_wording_and_language(chat: Chat) -> None:
    card = await _sent_card(chat)
    assert _value(card, Action.COPY) == "1:0:en"
    assert _value(card, Action.ANOTHER) == "1:0:en"


async def test_from_memory_the_answer_is_the_one_a_turn_gives(chat: Chat) -> None:
    card = await _sent_card(chat)
    for action in (Action.COPY, Action.ANOTHER):
        quick = _notice(await chat.press("anna", action, _value(card, action)))
        turned = _notice(await chat.press("anna", action, "1:0"))  # a card from before
        assert (quick.title, quick.lines) == (turned.title, turned.lines)
        assert [b.label for b in quick.buttons] == [b.label for b in turned.buttons]
    another = _notice(await chat.press("anna", Action.ANOTHER, "1:1:en"))
    assert "Our day" in another.lines[0]  # wraps around to the first wording
    assert another.buttons[0].value == "1:0:en"


async def test_a_press_from_memory_reads_and_writes_nothing_about_anyone(chat: Chat) -> None:
    card = await _sent_card(chat)
    await chat.press("anna", Action.COPY, _value(card, Action.COPY))  # wordings read now
    before = await _rows(chat)
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = chat.database.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        for action in (Action.COPY, Action.ANOTHER, Action.COPY):
            await chat.press("anna", action, _value(card, action))
            await chat.press("someone-new", action, _value(card, action))
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert statements == []
    assert await _rows(chat) == before  # nobody new either: the copy counts in memory only
    async with chat.database.transaction() as session:
        found = await session.execute(
            sa.select(Person).where(col(Person.user_key) == "someone-new")
        )
        assert found.first() is None


async def test_an_ended_suggestion_is_gone_at_once(chat: Chat) -> None:
    card = await _sent_card(chat)
    value = _value(card, Action.COPY)
    assert "Our day" in _notice(await chat.press("anna", Action.COPY, value)).lines[0]
    await chat.say("chris", "end 1")
    gone = _notice(await chat.press("anna", Action.COPY, value))
    assert gone.lines == _notice(await chat.press("anna", Action.COPY, "1:0")).lines
    assert "Our day" not in gone.lines[0]


async def test_a_new_disclosure_line_shows_at_once(chat: Chat) -> None:
    card = await _sent_card(chat)
    value = _value(card, Action.COPY)
    assert "(I work here)" not in _notice(await chat.press("anna", Action.COPY, value)).lines[0]
    await chat.say("hanna", "policy set disclosure en=(I work here)")
    assert "(I work here)" in _notice(await chat.press("anna", Action.COPY, value)).lines[0]


async def test_known_wordings_are_read_again_after_a_while() -> None:
    now = [100.0]
    known = KnownWordings(now=lambda: now[0])

    kept = Wordings(ended=False, address="du", url="https://example.com")
    known.remember(1, kept, known.clock())
    assert known.get(1) == kept
    now[0] += FRESH_SECONDS + 0.1
    assert known.get(1) is None
    # a read that began before a change was forgotten is not kept
    read_at = known.clock()
    now[0] += 1
    known.forget()
    known.remember(1, kept, read_at)
    assert known.get(1) is None
