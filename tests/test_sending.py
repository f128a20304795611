"""Rate limits and failures: Retry-After, backoff, bounded retries of what the platform did not
take, and the ends that are never retried: maybe taken, refused, unreachable, unknown."""

from __future__ import annotations

import asyncio
from time import sleep as stand_still

import sqlalchemy as sa

from bot.delivery.dispatcher import Dispatcher
from bot.delivery.throttle import Throttle, TokenBucket
from bot.ports import (
    Addressee,
    MaybeTaken,
    NotTaken,
    Rate,
    Refused,
    SendLimits,
    Uncertainty,
    Unreachable,
)
from bot.views import View
from storage import outbox, people
from storage.states import DeliveryState
from tests.support import PLATFORM, Chat, FakeMessenger, eventually

QUICK = SendLimits(max_attempts=4, backoff_seconds=0.001, backoff_cap_seconds=0.002)


class FakeTime:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _throttle(limits: SendLimits, time: FakeTime) -> Throttle:
    return Throttle(limits, monotonic=time.monotonic, sleep=time.sleep, jitter=lambda: 1.0)


def test_a_token_bucket_allows_its_burst_then_refills_evenly() -> None:
    bucket = TokenBucket(Rate(2, 1.0), now=0.0)
    assert bucket.wait(0.0) == 0.0
    bucket.take(0.0)
    bucket.take(0.0)
    assert bucket.wait(0.0) == 0.5
    assert bucket.wait(0.5) == 0.0


async def test_the_platform_limit_paces_messages() -> None:
    time = FakeTime()
    throttle = _throttle(SendLimits(overall=(Rate(10, 1.0),)), time)
    for n in range(30):
        await throttle.acquire(f"person{n}")
    # a burst of 10, then one every 0.1 s: 20 more take 2 seconds
    assert abs(time.now - 102.0) < 1e-9


async def test_one_busy_conversation_waits_alone() -> None:
    time = FakeTime()
    limits = SendLimits(overall=(Rate(100, 1.0),), per_conversation=(Rate(1, 1.0),))
    throttle = _throttle(limits, time)
    await throttle.acquire("anna")
    await throttle.acquire("ben")
    assert time.slept == []
    await throttle.acquire("anna")
    assert time.slept == [1.0]


async def test_retry_after_pauses_the_whole_platform() -> None:
    time = FakeTime()
    throttle = _throttle(SendLimits(), time)
    throttle.pause(3.0)
    await throttle.acquire("anna")
    assert time.slept == [3.0]


async def test_a_429_for_a_message_that_left_before_the_pause_does_not_lengthen_it() -> None:
    time = FakeTime()
    throttle = _throttle(SendLimits(), time)
    anna, ben = await throttle.acquire("anna"), await throttle.acquire("ben")
    time.now += 0.05
    throttle.pause(1.0, left=anna)  # the first 429: no more until 101.05
    time.now += 0.01
    throttle.pause(1.0, left=ben)  # on its way before that: says nothing new
    assert abs(throttle.paused_for() - 0.99) < 1e-9
    carl = await throttle.acquire("carl")
    assert abs(carl - 101.05) < 1e-9
    time.now += 0.05
    throttle.pause(1.0, left=carl)  # left after the pause: the platform is full again
    assert abs(throttle.paused_for() - 1.0) < 1e-9


async def test_a_429_teaches_the_pace_the_platform_takes() -> None:
    time = FakeTime()
    throttle = _throttle(SendLimits(overall=(Rate(10_000, 1.0),)), time)
    for n in range(200):  # the platform takes 200, then says "retry after 1 s"
        await throttle.acquire(f"p{n}")
        throttle.accepted()
    throttle.pause(1.0)
    resumed = time.now + 1.0
    for n in range(194):
        await throttle.acquire(f"q{n}")
    # evenly just under the 200/s it took (after a small burst), not another burst into a 429
    assert 0.9 < time.now - resumed < 1.0


async def test_a_loop_that_wakes_late_never_sends_more_in_a_second_than_the_pace() -> None:
    """After the loop stood still (a long garbage collection, a slow callback), the messages
    whose turn came meanwhile must not leave all at once: with the ones at the end of the
    same second they would be more than the platform takes (201 in a second was seen)."""
    throttle = Throttle(SendLimits(overall=(Rate(10_000, 1.0),)))
    for n in range(50):  # the platform took 50, then said "retry after 1 s": about 49/s
        await throttle.acquire(f"p{n}")
        throttle.accepted()
    throttle.pause(1.0)
    left: list[float] = []

    async def one(n: int) -> None:
        left.append(await throttle.acquire(f"q{n}"))

    async def stall() -> None:
        await asyncio.sleep(1.9)  # the pause, then most of a second of sending
        stand_still(0.2)  # noqa: ASYNC251 -- the loop stands still, on purpose

    await asyncio.gather(stall(), *(one(n) for n in range(110)))
    most = max(sum(1 for t in left if start <= t < start + 1.0) for start in left)
    assert most <= 49


async def test_only_the_stretch_before_a_429_teaches_the_pace() -> None:
    time = FakeTime()
    throttle = _throttle(SendLimits(overall=(Rate(10_000, 1.0),)), time)
    for n in range(5):
        await throttle.acquire(f"early{n}")
        throttle.accepted()
    time.now += 3600  # an hour of quiet
    for n in range(60):
        await throttle.acquire(f"p{n}")
        throttle.accepted()
    throttle.pause(1.0)
    resumed = time.now + 1.0
    for n in range(30):
        await throttle.acquire(f"q{n}")
    # paced at about 58/s (what the last stretch showed), not at 65 messages per hour
    assert time.now - resumed < 0.6


def test_backoff_doubles_up_to_the_cap() -> None:
    limits = SendLimits(backoff_seconds=0.5, backoff_cap_seconds=3.0)
    throttle = _throttle(limits, FakeTime())
    assert [throttle.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    jittered = Throttle(limits, jitter=lambda: 0.25)
    assert jittered.backoff(2) == 0.25


async def _one_card_for(chat: Chat, *names: str) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    for name in names:
        await chat.say(name, "on")
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/day Our team day")
    await chat.tick()


async def _count_sending(chat: Chat) -> int:
    async with chat.database.transaction() as session:
        rows = [row for n in range(1, 20) for row in await outbox.for_person(session, n)]
    return sum(1 for row in rows if row.state == outbox.SENDING)


async def _states(chat: Chat, *names: str) -> list[DeliveryState]:
    """The states of the named people's delivery rows."""
    states: list[DeliveryState] = []
    async with chat.database.transaction() as session:
        for name in names:
            person = await people.find(session, PLATFORM, name)
            assert person is not None and person.id is not None
            states += [row.state for row in await outbox.for_person(session, person.id)]
    return states


async def _reasons(chat: Chat, name: str) -> list[str | None]:
    async with chat.database.transaction() as session:
        person = await people.find(session, PLATFORM, name)
        assert person is not None and person.id is not None
        return [row.reason for row in await outbox.for_person(session, person.id)]


async def test_429_with_retry_after_is_waited_out_and_sent_once(chat: Chat) -> None:
    chat.limit(QUICK)
    chat.messenger.failures["anna"] = [NotTaken("429", retry_after=0.01)] * 2
    await _one_card_for(chat, "anna")
    assert [m.to for m in chat.messenger.sent] == ["anna"]
    assert chat.messenger.attempts == ["anna"] * 3
    assert chat.ctx.metrics.rate_limited.labels(PLATFORM)._value.get() == 2
    assert chat.ctx.metrics.sent.labels(PLATFORM)._value.get() == 1


async def test_what_the_platform_did_not_take_is_retried_with_backoff(chat: Chat) -> None:
    chat.limit(QUICK)
    refused = NotTaken("no connection: ClientConnectorError")
    chat.messenger.failures["anna"] = [refused, refused]
    await _one_card_for(chat, "anna")
    assert [m.to for m in chat.messenger.sent] == ["anna"]
    assert chat.messenger.attempts == ["anna"] * 3
    assert chat.ctx.metrics.rate_limited.labels(PLATFORM)._value.get() == 0  # not a 429


async def test_a_server_error_may_have_been_shown_so_it_is_never_retried(chat: Chat) -> None:
    chat.limit(QUICK)
    chat.messenger.failures["anna"] = [MaybeTaken(Uncertainty.SERVER_ERROR, "HTTP 502")]
    await _one_card_for(chat, "anna", "ben")
    chat.clock.advance(hours=1)
    await chat.tick()
    assert chat.messenger.attempts.count("anna") == 1
    assert [m.to for m in chat.messenger.sent] == ["ben"]
    assert await _states(chat, "anna", "ben") == ["uncertain", "sent"]
    uncertain = chat.ctx.metrics.uncertain
    assert uncertain.labels(PLATFORM, "server_error")._value.get() == 1
    assert await _reasons(chat, "anna") == ["server_error"]


async def test_retries_are_bounded_and_a_lost_card_is_never_tried_again(chat: Chat) -> None:
    chat.limit(QUICK)
    chat.messenger.failures["anna"] = [NotTaken("no connection: ClientConnectorError")] * 10
    await _one_card_for(chat, "anna")
    chat.clock.advance(hours=1)
    await chat.tick()
    assert chat.messenger.sent == []
    assert chat.messenger.attempts == ["anna"] * QUICK.max_attempts
    assert chat.ctx.metrics.failed.labels(PLATFORM)._value.get() == 1
    assert await _states(chat, "anna") == []
    async with chat.database.transaction() as session:
        anna = await people.find(session, PLATFORM, "anna")
    assert anna is not None and anna.reachable and anna.participation == "on"


async def test_a_timeout_after_sending_is_uncertain_and_never_retried(chat: Chat) -> None:
    chat.limit(QUICK)
    chat.messenger.failures["anna"] = [MaybeTaken(Uncertainty.TIMEOUT)]
    await _one_card_for(chat, "anna", "ben")
    chat.clock.advance(hours=1)
    await chat.tick()
    assert chat.messenger.attempts.count("anna") == 1
    assert [m.to for m in chat.messenger.sent] == ["ben"]
    assert await _states(chat, "anna", "ben") == ["uncertain", "sent"]
    assert chat.ctx.metrics.uncertain.labels(PLATFORM, "timeout")._value.get() == 1


async def test_an_unexpected_error_counts_as_uncertain(chat: Chat) -> None:
    chat.messenger.failures["anna"] = [RuntimeError("bug in an adapter")]
    await _one_card_for(chat, "anna")
    chat.clock.advance(hours=1)
    await chat.tick()
    assert chat.messenger.attempts == ["anna"]
    assert await _states(chat, "anna") == ["uncertain"]
    assert chat.ctx.metrics.uncertain.labels(PLATFORM, "unexpected")._value.get() == 1


async def test_a_clear_refusal_is_not_retried_and_the_person_stays_reachable(
    chat: Chat,
) -> None:
    chat.limit(QUICK)
    chat.messenger.failures["anna"] = [Refused("invalid_auth")]
    await _one_card_for(chat, "anna")
    chat.clock.advance(hours=1)
    await chat.tick()
    assert chat.messenger.attempts == ["anna"]
    assert await _states(chat, "anna") == []  # certainly not shown: lost, not uncertain
    assert chat.ctx.metrics.failed.labels(PLATFORM)._value.get() == 1
    async with chat.database.transaction() as session:
        anna = await people.find(session, PLATFORM, "anna")
    assert anna is not None and anna.reachable


async def test_an_ended_card_is_updated_under_the_same_rule(chat: Chat) -> None:
    chat.limit(QUICK)
    await _one_card_for(chat, "anna", "ben")
    chat.messenger.update_failures["anna"] = [NotTaken("429", retry_after=0.0)]
    chat.messenger.update_failures["ben"] = [MaybeTaken(Uncertainty.SERVER_ERROR, "HTTP 502")]
    await chat.say("chris", "end 1")
    await chat.dispatcher.idle()
    await chat.tick()
    tried = [to for to, _ in chat.messenger.update_attempts]
    assert sorted(tried) == ["anna", "anna", "ben"]  # not taken: again; maybe taken: never
    assert [to for to, _ in chat.messenger.updates] == ["anna"]
    assert await _states(chat, "anna", "ben") == []  # the rows go either way


async def test_a_permanent_failure_makes_the_person_unreachable_until_they_write(
    chat: Chat,
) -> None:
    chat.limit(QUICK)
    chat.messenger.failures["anna"] = [Unreachable("user_disabled")]
    await _one_card_for(chat, "anna", "ben")
    assert chat.messenger.attempts.count("anna") == 1
    async with chat.database.transaction() as session:
        anna = await people.find(session, PLATFORM, "anna")
    assert anna is not None and not anna.reachable and anna.participation == "on"
    await chat.say("chris", "new https://example.com/second A second one")
    chat.clock.advance(days=3)
    await chat.tick()
    assert chat.messenger.attempts.count("anna") == 1  # nothing planned for her
    await chat.say("anna", "help")  # she is back
    async with chat.database.transaction() as session:
        anna = await people.find(session, PLATFORM, "anna")
    assert anna is not None and anna.reachable


class FakeHeldMessenger(FakeMessenger):
    """Holds every send until ``release`` is set, counting how many are in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.in_flight = 0
        self.peak = 0

    async def send(self, to: Addressee, view: View) -> str | None:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await self.release.wait()
        self.in_flight -= 1
        return await super().send(to, view)


class FakeSlowForAnnaMessenger(FakeMessenger):
    """Anna's message lingers until it is let through, everyone else's takes a moment; notes
    how many rows are marked as being sent as each message leaves."""

    def __init__(self, chat: Chat) -> None:
        super().__init__()
        self.chat = chat
        self.release = asyncio.Event()
        self.marked: list[int] = []

    async def send(self, to: Addressee, view: View) -> str | None:
        async with self.chat.database.transaction() as session:
            self.marked.append((await outbox.count_by_state(session)).get(outbox.SENDING, 0))
        if to.user_key == "anna":
            await self.release.wait()
        else:
            await asyncio.sleep(0.001)
        return await super().send(to, view)


async def test_a_lingering_message_holds_up_nobody_and_at_most_twice_the_concurrency_is_claimed(
    chat: Chat,
) -> None:
    """Four at a time: while Anna's message hangs, the other three workers carry on through
    everyone else (waves that start and end together would all wait for hers), and never
    more than eight rows are marked as being sent (what a crash could leave in doubt)."""
    slow = FakeSlowForAnnaMessenger(chat)
    chat.use_messenger(slow)
    chat.dispatcher = Dispatcher(chat.ctx, concurrency=4)
    others = [f"p{n:02d}" for n in range(30)]
    await chat.say("hanna", "policy set spread_minutes 0")
    for name in ["anna", *others]:
        await chat.say(name, "on")
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/day Our team day")
    tick = asyncio.create_task(chat.tick())

    async def everyone_else_has_it() -> bool:
        return sorted(m.to for m in chat.messenger.sent) == others

    await eventually(everyone_else_has_it)
    assert not chat.inbox("anna")
    slow.release.set()
    await tick
    assert len(chat.inbox("anna")) == 1
    assert len(slow.marked) == 31 and max(slow.marked) <= 8


async def test_no_more_messages_are_in_flight_than_the_concurrency_allows(chat: Chat) -> None:
    held = FakeHeldMessenger()
    chat.use_messenger(held)
    chat.limit(SendLimits(concurrency=3))
    names = [f"p{n}" for n in range(12)]
    await chat.say("hanna", "policy set spread_minutes 0")
    for name in names:
        await chat.say(name, "on")
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/day Our team day")
    tick = asyncio.create_task(chat.tick())

    # every row is claimed and waits for a slot before any message is let through
    async def all_waiting() -> bool:
        return held.in_flight == 3 and await _count_sending(chat) == len(names)

    await eventually(all_waiting)
    held.release.set()
    await tick
    assert held.peak == 3
    assert sorted(m.to for m in chat.messenger.sent) == sorted(names)


async def test_the_reach_count_comes_last_in_each_transaction_of_a_fan_out(chat: Chat) -> None:
    """Everyone's card goes out and is counted once; each transaction that counts people
    reached does so last, so the suggestion's row (which every claimer counts on) is locked
    only until the commit, not while the next rows are claimed and read."""
    chat.dispatcher = Dispatcher(chat.ctx, concurrency=4)
    names = [f"p{n:02d}" for n in range(20)]
    await chat.say("hanna", "policy set spread_minutes 0")
    for name in names:
        await chat.say(name, "on")
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/day Our team day")
    said: dict[int, list[str]] = {}  # per connection (two claimers use two on PostgreSQL)
    engine = chat.database.engine.sync_engine

    def executed(conn: object, cursor: object, statement: str, *args: object) -> None:
        kind = "reach" if "SET reached" in statement else statement.split(None, 1)[0]
        said.setdefault(id(conn), []).append(kind)

    def committed(conn: object) -> None:
        said.setdefault(id(conn), []).append("COMMIT")

    sa.event.listen(engine, "before_cursor_execute", executed)
    sa.event.listen(engine, "commit", committed)
    try:
        await chat.tick()
    finally:
        sa.event.remove(engine, "before_cursor_execute", executed)
        sa.event.remove(engine, "commit", committed)
    assert sorted(m.to for m in chat.messenger.sent) == names
    after = [each[k + 1] for each in said.values() for k, s in enumerate(each) if s == "reach"]
    assert len(after) >= 3  # a few waves, each counted in its own transaction
    assert set(after) == {"COMMIT"}
    async with chat.database.transaction() as session:
        reached = await session.execute(sa.text("SELECT reached FROM suggestion"))
        assert reached.scalar_one() == len(names)
