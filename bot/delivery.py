"""The dispatcher: starts due suggestions, sends due deliveries at most once, tidies ended ones.

Sending is at most once: a row is marked ``sending`` and committed before the platform is
called, and a row found in that state later is never sent again (a lost suggestion is
harmless; a duplicate is spam).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import planner
from bot.cards import digest, suggestion_card
from bot.context import Context
from bot.i18n import Texts
from bot.invitations import invitation_card
from bot.planning import Planning
from bot.policy import Policy, policy_from
from bot.ports import Addressee, DeliveryFailed
from bot.views import SuggestionCard, View
from storage import outbox, people, shares, suggestions
from storage import policy as stored_policy
from storage.models import Delivery, Person, Suggestion

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)


@dataclass
class _Outgoing:
    """One message to send, decided inside the claiming transaction."""

    rows: list[Delivery]
    person: Person
    view: View
    suggestion_ids: list[int] = field(default_factory=list)
    message_ref: str | None = None
    ok: bool = False


class Dispatcher:
    """Ticked by the scheduler (and woken after a command); one tick at a time per process."""

    def __init__(self, ctx: Context, *, batch_size: int = 200, concurrency: int = 20) -> None:
        self.ctx = ctx
        self.batch_size = batch_size
        self._limit = asyncio.Semaphore(concurrency)
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
        await self.start_due(policy, now)
        await self.end_expired(now)
        await self.send_due(policy, now)
        await self.finish_ended(policy)
        await self.ctx.clicks.flush(self.ctx.database)
        async with self.ctx.database.transaction() as session:
            uncertain = await outbox.stale_sending(session, now - LEASE)
            self.ctx.metrics.queue_depth.set(await outbox.queue_depth(session))
        if uncertain:
            self.ctx.metrics.uncertain.inc(uncertain)
            logger.warning(
                "%d deliveries were interrupted mid-send and will not be retried", uncertain
            )

    async def _policy(self) -> Policy:
        async with self.ctx.database.transaction() as session:
            return policy_from(await stored_policy.load(session))

    async def start_due(self, policy: Policy, now: datetime) -> None:
        """Plan each suggestion whose start has come; the claim makes this happen exactly once."""
        async with self.ctx.database.transaction() as session:
            due = await suggestions.due_to_start(session, now)
        for suggestion_id in due:
            async with self.ctx.database.transaction() as session:
                if not await suggestions.claim_start(session, suggestion_id):
                    continue
                suggestion = await suggestions.get(session, suggestion_id)
                assert suggestion is not None
                planned = await Planning(policy).plan_suggestion(session, suggestion, now)
            self.ctx.metrics.planned.inc(planned)
            logger.info("suggestion #%d started: %d deliveries planned", suggestion_id, planned)

    async def end_expired(self, now: datetime) -> None:
        async with self.ctx.database.transaction() as session:
            for suggestion_id in await suggestions.expired(session, now):
                if await suggestions.end(session, suggestion_id, now):
                    await outbox.drop_unsent(session, suggestion_id)
                    logger.info("suggestion #%d expired", suggestion_id)

    async def send_due(self, policy: Policy, now: datetime) -> int:
        """Claim and send due deliveries, batch after batch, until none is due."""
        total = 0
        while True:
            outgoing = await self._claim(policy, now)
            if outgoing is None:
                return total
            await asyncio.gather(*(self._send(item) for item in outgoing))
            await self._record(outgoing, now)
            total += sum(1 for item in outgoing if item.ok)

    async def _claim(self, policy: Policy, now: datetime) -> list[_Outgoing] | None:
        async with self.ctx.database.transaction() as session:
            rows = await outbox.claim_due(session, now, self.batch_size)
            if not rows:
                return None
            batch = _Batch(self.ctx, session, Planning(policy))
            await batch.load_people(rows)
            outgoing = []
            for group in _one_message_each(rows):
                item = await self._prepare(batch, group, now)
                if item is not None:
                    outgoing.append(item)
            return outgoing

    async def _prepare(
        self, batch: _Batch, group: list[Delivery], now: datetime
    ) -> _Outgoing | None:
        """Re-check the person and build the message, or drop or reschedule the rows."""
        row, session = group[0], batch.session
        person = batch.people.get(row.person_id)
        if person is None:
            return None
        texts = self.ctx.texts_for(person, batch.planning.policy)
        if row.kind == "invitation":
            if person.participation != "undecided":
                await outbox.remove(session, _ids(group))
                return None
            return _Outgoing(group, person, invitation_card(texts, batch.planning.policy))
        reason = await self._hold_reason(session, person, row, batch.planning, now)
        if reason == "window":
            await self._reschedule(session, group, person, batch.planning, now)
            return None
        if reason is not None:
            self.ctx.metrics.dropped.labels(reason).inc(len(group))
            await outbox.remove(session, _ids(group))
            return None
        rows = group
        if row.kind == "digest":
            rows = group + await outbox.digest_companions(session, row)
        found = {s.id: s for s in await suggestions.by_ids(session, _suggestion_ids(rows))}
        cards = [
            await batch.card(suggestion, person, texts, r.variant)
            for r in rows
            if (suggestion := found.get(r.suggestion_id)) is not None
            and suggestion.state != "ended"
        ]
        if not cards:
            await outbox.remove(session, _ids(rows))
            return None
        view: View = digest(cards, t=texts) if row.kind == "digest" else cards[0]
        return _Outgoing(rows, person, view, [c.suggestion_id for c in cards])

    async def _hold_reason(
        self,
        session: AsyncSession,
        person: Person,
        row: Delivery,
        planning: Planning,
        now: datetime,
    ) -> str | None:
        """Why this row must not go out now, if it must not: the person may have changed."""
        if person.participation != "on":
            return "opted_out"
        if person.paused_until and person.paused_until > now:
            return "paused"
        if row.kind == "digest":
            return None
        if planning.calendar(person).next_open(now) != now:
            return "window"
        recent = [
            w for w in await outbox.recent_for(session, _id(person)) if w > now - planner.WEEK
        ]
        if planning.recipient(person, recent).budget.conflict(now) is not None:
            return "budget"
        return None

    async def _reschedule(
        self,
        session: AsyncSession,
        group: list[Delivery],
        person: Person,
        planning: Planning,
        now: datetime,
    ) -> None:
        """A late row (the process was down) moves to the next window instead of going now."""
        opened = planning.calendar(person).next_open(now)
        if opened is None:
            self.ctx.metrics.dropped.labels("window").inc(len(group))
            await outbox.remove(session, _ids(group))
            return
        for row in group:
            await outbox.reschedule(session, _id(row), opened)

    async def _send(self, item: _Outgoing) -> None:
        platform = item.person.platform
        messenger = self.ctx.messengers.get(platform)
        if messenger is None:
            logger.warning("no messenger for platform %s; delivery dropped", platform)
            return
        to = Addressee(platform, item.person.user_key, item.person.address)
        async with self._limit:
            started = time.perf_counter()
            try:
                item.message_ref = await messenger.send(to, item.view)
                item.ok = True
            except DeliveryFailed as error:
                self.ctx.metrics.failed.labels(platform).inc()
                logger.warning("delivery failed on %s (%s)", platform, error)
            except Exception:
                self.ctx.metrics.failed.labels(platform).inc()
                logger.exception("delivery failed on %s", platform)
            finally:
                self.ctx.metrics.dispatch_seconds.labels(platform).observe(
                    time.perf_counter() - started
                )

    async def _record(self, outgoing: list[_Outgoing], now: datetime) -> None:
        async with self.ctx.database.transaction() as session:
            for item in outgoing:
                ids = _ids(item.rows)
                if not item.ok or item.rows[0].kind == "invitation":
                    await outbox.remove(session, ids)
                    if item.ok:
                        self.ctx.metrics.sent.labels(item.person.platform).inc()
                    continue
                bundle = item.suggestion_ids if item.rows[0].kind == "digest" else None
                await outbox.mark_sent(session, ids, message_ref=item.message_ref, bundle=bundle)
                assert item.person.id is not None
                await outbox.record_recent(session, item.person.id, now)
                for suggestion_id in item.suggestion_ids:
                    await suggestions.count_reached(session, suggestion_id)
                self.ctx.metrics.sent.labels(item.person.platform).inc()

    async def finish_ended(self, policy: Policy) -> None:
        """Show 'ended' on every card sent for ended suggestions, then delete their rows."""
        async with self.ctx.database.transaction() as session:
            ended = await outbox.ended_with_rows(session)
        for suggestion_id in ended:
            async with self.ctx.database.transaction() as session:
                rows = await outbox.sent_for(session, suggestion_id)
                batch = _Batch(self.ctx, session, Planning(policy))
                await batch.load_people(rows)
                updates = [await self._ended_view(batch, row) for row in rows]
            await asyncio.gather(*(self._update(*u) for u in updates if u is not None))
            async with self.ctx.database.transaction() as session:
                await outbox.delete_for_suggestion(session, suggestion_id)

    async def _ended_view(self, batch: _Batch, row: Delivery) -> tuple[Addressee, str, View] | None:
        """The sent message again, its ended suggestions marked (a digest keeps its order)."""
        person = batch.people.get(row.person_id)
        if person is None or row.message_ref is None:
            return None
        texts = self.ctx.texts_for(person, batch.planning.policy)
        ids = row.bundle or _suggestion_ids([row])
        found = {s.id: s for s in await suggestions.by_ids(batch.session, ids)}
        cards = [await batch.card(found[i], person, texts, row.variant) for i in ids if i in found]
        if not cards:
            return None
        view: View = digest(cards, t=texts) if row.bundle else cards[0]
        return Addressee(person.platform, person.user_key, person.address), row.message_ref, view

    async def _update(self, to: Addressee, message_ref: str, view: View) -> None:
        messenger = self.ctx.messengers.get(to.platform)
        if messenger is None:
            return
        async with self._limit:
            try:
                await messenger.update(to, message_ref, view)
            except Exception:
                logger.exception("could not mark a card as ended on %s", to.platform)


class _Batch:
    """What one batch of rows needs, read once: the people, the rules, the share tokens."""

    def __init__(self, ctx: Context, session: AsyncSession, planning: Planning) -> None:
        self.ctx = ctx
        self.session = session
        self.planning = planning
        self.people: dict[int, Person] = {}
        self._tokens: dict[int, dict[str, str]] = {}

    async def load_people(self, rows: list[Delivery]) -> None:
        found = await people.by_ids(self.session, sorted({row.person_id for row in rows}))
        self.people = {_id(person): person for person in found}

    async def card(
        self, suggestion: Suggestion, person: Person, texts: Texts, variant: int
    ) -> SuggestionCard:
        key = _id(suggestion)
        if key not in self._tokens:
            self._tokens[key] = await shares.links_for(self.session, key)
        return suggestion_card(
            suggestion,
            t=texts,
            tokens=self._tokens[key],
            share_url=self.ctx.share_url,
            person=person,
            variant=variant,
        )


def _suggestion_ids(rows: list[Delivery]) -> list[int]:
    return [row.suggestion_id for row in rows if row.suggestion_id is not None]


def _ids(rows: list[Delivery]) -> list[int]:
    return [row.id for row in rows if row.id is not None]


def _id(entity: Delivery | Suggestion | Person) -> int:
    assert entity.id is not None
    return entity.id


def _one_message_each(rows: list[Delivery]) -> list[list[Delivery]]:
    """Claimed rows grouped into messages: a person's digest rows of one slot go together."""
    groups: dict[tuple[object, ...], list[Delivery]] = {}
    for row in rows:
        key = (row.person_id, row.due_at) if row.kind == "digest" else ("row", row.id)
        groups.setdefault(key, []).append(row)
    return list(groups.values())
