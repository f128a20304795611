"""The dispatcher: starts due suggestions, sends due deliveries at most once, tidies ended ones.

Sending is at most once: a row is marked ``sending`` and committed just before the platform
is called (at most twice ``concurrency`` rows are so marked at any moment, so that is the
most a crash leaves in doubt), and a row found in that state after its lease is never sent
again but counted as uncertain (``interrupted``), like a message the platform may have
taken without saying so (a lost suggestion is harmless; a duplicate is spam). Several
processes may share one PostgreSQL database: rows are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.invitations import invitation_card
from bot.context import Context, Notification
from bot.delivery.audience import members_now, target_of
from bot.delivery.ending import finish_ended
from bot.delivery.planning import Planning
from bot.delivery.sender import Outcome, Outgoing, Sender
from bot.delivery.stream import Stream
from bot.delivery.wave import Round, Wave, id_of, ids_of, one_message_each
from bot.policy import Policy, policy_from
from bot.ports import Uncertainty
from bot.sharing.cards import digest
from bot.views import View
from storage import outbox, people, recent, suggestions
from storage import policy as stored_policy
from storage.database import Database
from storage.people import Contact
from storage.states import DeliveryKind, Participation, SuggestionState

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
# Claims up to so many messages' rows due at that moment: ``outbox.claim_due`` or
# ``outbox.claim_digests``.
Claim = Callable[[AsyncSession, datetime, int], Awaitable[list[outbox.Claimed]]]


def default_claimers(database: Database) -> int:
    """How many claim and send at once, each its own people with its share of the messages
    in flight.

    On SQLite transactions take turns and the work is bound by one core, so one claimer
    with all of them sends fastest; on PostgreSQL a second one claims and records while
    the other's messages are in flight. Measured with bench/fanout.py, 20,000 people, at
    092bfbf (before the stream of workers): SQLite 1,629/s with one, 1,374/s with two,
    1,038/s with four; PostgreSQL 1,415/s with two, 1,179/s with one, 1,143/s with four.
    """
    return 1 if database.is_sqlite else 2


class Dispatcher:
    """Ticked by the scheduler (and woken after a command); one tick at a time per process.

    ``concurrency`` messages are in flight at most, sent by ``claimers`` that each claim,
    send and record their own people's rows through a :class:`Stream` as wide as their
    share of ``concurrency``. Outcomes and the next claim (a wave of rows) share one
    transaction, run while other messages are in flight. A tick sends for at most
    ``tick_budget`` seconds, then starts over, so a long fan-out never holds up starting or
    ending others.
    """

    def __init__(
        self,
        ctx: Context,
        *,
        concurrency: int = 32,
        lease: timedelta = LEASE,
        tick_budget: float = 20.0,
        claimers: int | None = None,
    ) -> None:
        self.ctx = ctx
        self.concurrency = max(concurrency, 1)
        self.claimers = min(claimers or default_claimers(ctx.database), self.concurrency)
        self.lease = lease
        self.tick_budget = tick_budget
        self.sender = Sender(
            lambda: ctx.messengers, ctx.metrics, give_up_after=lease.total_seconds() / 2
        )
        self._lock = asyncio.Lock()
        self._again = False
        self._woken: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Run a tick soon (after the caller's transaction has committed)."""
        if self._lock.locked():
            self._again = True
            return
        task = asyncio.get_running_loop().create_task(self.tick())
        self._woken.add(task)
        task.add_done_callback(self._woken.discard)

    def notify(self, notes: Sequence[Notification]) -> None:
        """Send messages to people other than the one of a turn, after it committed: through
        the platform's messenger and this process's limits, never through the outbox (they
        are not suggestions and count against nobody's budget)."""
        task = asyncio.get_running_loop().create_task(self._notify(notes))
        self._woken.add(task)
        task.add_done_callback(self._woken.discard)

    async def _notify(self, notes: Sequence[Notification]) -> None:
        await asyncio.gather(*(self.sender.notify(note.to, note.view) for note in notes))

    async def idle(self) -> None:
        """Wait until ticks started by :meth:`wake` are done (tests and shutdown)."""
        while self._woken:
            await asyncio.gather(*list(self._woken), return_exceptions=True)

    async def tick(self) -> None:
        async with self._lock:
            while True:
                self._again = False
                await self._tick_once()
                if not self._again:
                    break

    async def _tick_once(self) -> None:
        now = self.ctx.clock.now()
        policy = await self._policy()
        until = time.monotonic() + self.tick_budget
        steps: list[tuple[str, Callable[[], Awaitable[object]]]] = [
            ("start", lambda: self.start_due(policy, now)),
            ("expire", lambda: self.end_expired(now)),
            ("send", lambda: self.send_due(policy, now, until)),
            ("end", lambda: self.finish_ended(policy, until)),
            ("count clicks", lambda: self.ctx.clicks.flush(self.ctx.database)),
            ("tidy", lambda: self._tidy(now)),
        ]
        for name, step in steps:  # one failing step does not keep the others from running
            try:
                await step()
            except Exception as error:
                # The kind of failure only: a database error's text and traceback can carry
                # message references and platform ids (security rule 5).
                logger.error(
                    "dispatcher step %r failed (%s); it runs again next tick",
                    name,
                    type(error).__name__,
                )
                logger.debug("dispatcher step %r failure details", name, exc_info=error)

    async def _tidy(self, now: datetime) -> None:
        """Count rows left mid-send by a dead process as uncertain; report the queue."""
        interrupted = Uncertainty.INTERRUPTED
        async with self.ctx.database.transaction() as session:
            stale = await outbox.stale_sending(session, now - self.lease, interrupted.value)
            self.ctx.metrics.queue_depth.set(await outbox.queue_depth(session))
        for platform, count in stale.items():
            self.ctx.metrics.uncertain.labels(platform, interrupted.value).inc(count)
        if stale:
            logger.warning(
                "%d deliveries were interrupted mid-send and will not be retried",
                stale.total(),
            )

    async def _policy(self) -> Policy:
        async with self.ctx.database.transaction() as session:
            return policy_from(await stored_policy.load(session))

    async def start_due(self, policy: Policy, now: datetime) -> None:
        """Plan each suggestion whose start has come; the claim makes this happen exactly once.

        A channel's suggestion goes to its members as the platform lists them now, asked
        before the planning transaction opens (a large channel takes a while to page through).
        """
        async with self.ctx.database.transaction() as session:
            due = await suggestions.by_ids(session, await suggestions.due_to_start(session, now))
        for suggestion in due:
            suggestion_id = id_of(suggestion)
            target = target_of(suggestion)
            members: frozenset[str] | None = None
            if target is not None:
                try:
                    members = await members_now(self.ctx.directories, target)
                except Exception as error:  # the platform may answer next time
                    logger.warning(
                        "suggestion #%d waits: its audience could not be listed (%s)",
                        suggestion_id,
                        type(error).__name__,
                    )
                    continue
                if members is None:
                    logger.warning(
                        "suggestion #%d: its audience is gone; nobody gets it", suggestion_id
                    )
            async with self.ctx.database.transaction() as session:
                if not await suggestions.claim_start(session, suggestion_id):
                    continue
                started = await suggestions.get(session, suggestion_id)
                assert started is not None
                among = None
                if target is not None:
                    among = await people.ids_for(session, target.platform, sorted(members or ()))
                planned = await Planning(policy).plan_suggestion(session, started, now, among=among)
            self.ctx.metrics.planned.inc(planned)
            logger.info("suggestion #%d started: %d deliveries planned", suggestion_id, planned)

    async def end_expired(self, now: datetime) -> None:
        async with self.ctx.database.transaction() as session:
            for suggestion_id in await suggestions.expired(session, now):
                if await suggestions.end(session, suggestion_id, now):
                    await outbox.drop_unsent(session, suggestion_id)
                    logger.info("suggestion #%d expired", suggestion_id)

    async def send_due(self, policy: Policy, now: datetime, until: float | None = None) -> int:
        """Claim and send due deliveries, wave after wave, until none is due or time is up."""
        until = until or time.monotonic() + self.tick_budget
        planning = Planning(policy)  # rules and holiday calendar, built once for every wave
        shared = Round()  # suggestions read and cards rendered once for all its waves
        workers = self.claimers
        width = self.concurrency // workers
        sent = 0
        for claim in (outbox.claim_digests, outbox.claim_due):  # the digests, then the rest
            done = await asyncio.gather(
                *(
                    self._work(
                        partial(claim, shard=outbox.Shard(k, workers)),
                        planning,
                        shared,
                        now,
                        width,
                        until,
                    )
                    for k in range(workers)
                ),
                return_exceptions=True,  # every worker finishes before a failure goes up
            )
            for result in done:
                if isinstance(result, BaseException):
                    raise result
            sent += sum(result for result in done if isinstance(result, int))
        return sent

    async def _work(
        self,
        claim: Claim,
        planning: Planning,
        shared: Round,
        now: datetime,
        width: int,
        until: float,
    ) -> int:
        """Send the claimer's due messages through ``width`` workers that each take the next
        one the moment theirs has landed. Whenever half a stream's worth has landed, what
        came of it is recorded and as many more are claimed, in one transaction, while the
        rest are in flight: the platform is not left waiting for the database, nor a rate
        limit's turns unused. When time is up, what was claimed goes out and is recorded."""
        if time.monotonic() > until:
            self._again = True
            return 0
        stream = Stream(self.sender.send, width)
        failure: Exception | None = None
        async with stream.running():
            wanted = width  # the first claim: one stream's worth, then what has room
            while True:
                more = wanted if time.monotonic() <= until else 0
                try:
                    claimed = await self._next(
                        claim, stream.landed(), planning, shared, now, more, stream.on_the_way()
                    )
                except Exception as error:  # what was claimed before still goes out
                    failure = error
                    break
                if claimed is None:
                    self._again = self._again or more == 0
                    break
                stream.add(claimed)
                await stream.wait_for_room(max(1, width // 2))
                wanted = stream.room()
        await self._record(stream.landed(), self.ctx.clock.now())
        if failure is not None:
            raise failure
        return stream.sent

    def _claim_time(self, tick_started: datetime) -> datetime:
        """Now, for the lease (a clock that stands still in tests gives the tick's time)."""
        return max(tick_started, self.ctx.clock.now())

    async def _next(
        self,
        claim: Claim,
        done: list[Outgoing] | None,
        planning: Planning,
        shared: Round,
        now: datetime,
        wave: int,
        in_flight: Sequence[Outgoing] = (),
    ) -> list[Outgoing] | None:
        """Record what came of ``done`` and claim up to ``wave`` more messages, in one transaction;
        None when nothing more was claimed. The people of ``in_flight`` count as just sent
        (their outcome is not written yet). Should claiming fail, the outcomes are recorded
        on their own before the failure goes up (the claims are rolled back: not sent)."""
        try:
            async with self.ctx.database.transaction() as session:
                if done:
                    await self._write_outcomes(session, done, self.ctx.clock.now())
                claimed = None
                if wave > 0:
                    at = self._claim_time(now)
                    rows = await claim(session, at, wave)
                    claimed = await self._prepare_wave(
                        session, rows, planning, shared, at, in_flight
                    )
                if done:  # last: the suggestion's row stays locked until the commit
                    await self._count_reached(session, done)
                return claimed
        except Exception:
            if done:
                await self._record(done, self.ctx.clock.now())
            raise

    async def _prepare_wave(
        self,
        session: AsyncSession,
        rows: list[outbox.Claimed],
        planning: Planning,
        shared: Round,
        now: datetime,
        in_flight: Sequence[Outgoing] = (),
    ) -> list[Outgoing] | None:
        """The claimed rows' messages (None when nothing was claimed)."""
        if not rows:
            return None
        batch = Wave(self.ctx, session, planning, shared)
        await batch.load(rows, now)
        for flying in in_flight:  # a second card of theirs must wait as if that one had gone
            if flying.rows[0].kind != DeliveryKind.INVITATION:
                batch.recent.setdefault(flying.person.id, []).append(now)
        outgoing = []
        for group in one_message_each(rows):
            item = await self._prepare(batch, group, now)
            if item is not None:
                outgoing.append(item)
        return outgoing

    async def _prepare(
        self, batch: Wave, group: list[outbox.Claimed], now: datetime
    ) -> Outgoing | None:
        """Re-check the person and build the message, or drop or reschedule the rows."""
        row, session = group[0], batch.session
        person = batch.people.get(row.person_id)
        if person is None:
            return None
        texts = self.ctx.texts_for(person, batch.planning.policy)
        if row.kind == DeliveryKind.INVITATION:
            if person.participation != Participation.UNDECIDED or not person.reachable:
                await outbox.remove(session, ids_of(group))
                return None
            return Outgoing(group, person, invitation_card(texts, batch.planning.policy))
        reason = self._hold_reason(batch, person, row, now)
        if reason == "window":
            await self._reschedule(session, group, person, batch.planning, now)
            return None
        if reason is not None:
            self.ctx.metrics.dropped.labels(reason).inc(len(group))
            await outbox.remove(session, ids_of(group))
            return None
        rows = group
        cards = [
            await batch.card(suggestion, person, texts, r.variant)
            for r in rows
            if (suggestion := batch.suggestions.get(r.suggestion_id or 0)) is not None
            and suggestion.state != SuggestionState.ENDED
        ]
        if not cards:
            await outbox.remove(session, ids_of(rows))
            return None
        view: View = digest(cards, t=texts) if row.kind == DeliveryKind.DIGEST else cards[0]
        if row.kind != DeliveryKind.DIGEST:  # a second due row of this person in the wave must wait
            batch.recent.setdefault(person.id, []).append(now)
        return Outgoing(rows, person, view, [c.suggestion_id for c in cards])

    def _hold_reason(
        self, batch: Wave, person: Contact, row: outbox.Claimed, now: datetime
    ) -> str | None:
        """Why this row must not go out now, if it must not: the person may have changed."""
        if person.participation != Participation.ON:
            return "opted_out"
        if not person.reachable:
            return "unreachable"
        if person.paused_until and person.paused_until > now:
            return "paused"
        if batch.planning.calendar(person).next_open(now) != now:
            return "window"  # late after downtime: the next window, a digest too
        if row.kind == DeliveryKind.DIGEST:
            return None  # a digest has its own weekly slot, outside the budget
        recent = batch.recent.get(person.id, [])
        if batch.planning.recipient(person, recent).budget.conflict(now) is not None:
            return "budget"
        return None

    async def _reschedule(
        self,
        session: AsyncSession,
        group: list[outbox.Claimed],
        person: Contact,
        planning: Planning,
        now: datetime,
    ) -> None:
        """A late row (the process was down) moves to the next window instead of going now."""
        opened = planning.calendar(person).next_open(now)
        if opened is None:
            self.ctx.metrics.dropped.labels("window").inc(len(group))
            await outbox.remove(session, ids_of(group))
            return
        for row in group:
            await outbox.reschedule(session, row.id, opened)

    async def _record(self, outgoing: list[Outgoing], now: datetime) -> None:
        """Write down what came of a wave, in one transaction of its own."""
        if not outgoing:
            return
        async with self.ctx.database.transaction() as session:
            await self._write_outcomes(session, outgoing, now)
            await self._count_reached(session, outgoing)

    async def _write_outcomes(
        self, session: AsyncSession, outgoing: list[Outgoing], now: datetime
    ) -> None:
        """Write down what came of a wave, in a few statements (the reach count aside)."""
        by_outcome: dict[Outcome, list[Outgoing]] = {outcome: [] for outcome in Outcome}
        for item in outgoing:
            by_outcome[item.outcome].append(item)
        sent = [i for i in by_outcome[Outcome.SENT] if i.rows[0].kind != DeliveryKind.INVITATION]
        gone = [
            i
            for i in outgoing
            if i.outcome in (Outcome.FAILED, Outcome.UNREACHABLE)
            or (i.outcome is Outcome.SENT and i.rows[0].kind == DeliveryKind.INVITATION)
        ]
        await outbox.remove(session, [id_ for item in gone for id_ in ids_of(item.rows)])
        doubtful: dict[Uncertainty, list[int]] = {}
        for item in by_outcome[Outcome.UNCERTAIN]:
            reason = item.uncertainty or Uncertainty.UNEXPECTED
            doubtful.setdefault(reason, []).extend(ids_of(item.rows))
        for reason, ids in doubtful.items():
            await outbox.mark_uncertain(session, ids, reason.value)
        unreachable = [item.person.id for item in by_outcome[Outcome.UNREACHABLE]]
        await people.mark_unreachable(session, unreachable)
        await outbox.mark_sent(
            session,
            [
                outbox.SentMessage(
                    ids_of(item.rows),
                    item.message_ref,
                    item.suggestion_ids if item.rows[0].kind == DeliveryKind.DIGEST else None,
                )
                for item in sent
            ],
        )
        await recent.record_recent(session, [item.person.id for item in sent], now)
        if unreachable:
            logger.info("%d people are no longer reachable on their platform", len(unreachable))

    async def _count_reached(self, session: AsyncSession, outgoing: list[Outgoing]) -> None:
        """Count the people the sent messages reached, per suggestion. Each suggestion's row
        is locked from then until the commit, so this comes last in a transaction: written
        first, it held every other claimer's transaction (on PostgreSQL, in this process or
        another) waiting while this one claimed and read (measured: 4 ms per wave, 100,000
        people, two claimers)."""
        sent = [item for item in outgoing if item.outcome is Outcome.SENT]
        reached = Counter(s for item in sent for s in item.suggestion_ids)
        for suggestion_id, amount in sorted(reached.items()):
            await suggestions.count_reached(session, suggestion_id, amount)

    async def finish_ended(self, policy: Policy, until: float | None = None) -> None:
        """Show 'ended' on every card sent for ended suggestions, then delete their rows."""
        until = until or time.monotonic() + self.tick_budget
        if not await finish_ended(self.ctx, self.sender, policy, until):
            self._again = True
