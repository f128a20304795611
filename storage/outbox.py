"""The delivery outbox: planned messages, claimed by the dispatcher, deleted when done."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.dialect import affected, refresh_statistics, supports_skip_locked, unindexed
from storage.models import Delivery, Person, RecentDelivery, Suggestion, UTCDateTime
from storage.shapes import shaped
from storage.states import DeliveryKind, DeliveryState, SuggestionState

PENDING, SENDING, SENT, UNCERTAIN = (
    DeliveryState.PENDING,
    DeliveryState.SENDING,
    DeliveryState.SENT,
    DeliveryState.UNCERTAIN,
)
_TABLE: sa.Table = Delivery.__table__  # type: ignore[attr-defined]  # Core: no ORM objects


class Planned(NamedTuple):
    """One delivery to write: for whom, when, and what (a suggestion's card, or an invitation)."""

    person_id: int
    due_at: datetime
    kind: DeliveryKind
    suggestion_id: int | None = None
    reason: str | None = None  # why it waits (shown in the person's queue)
    variant: int = 0  # which wording the card shows


async def add_many(session: AsyncSession, planned: Sequence[Planned]) -> None:
    """Bulk insert of planned deliveries, all pending: one executemany, no ORM objects."""
    if planned:
        rows = [
            {
                "person_id": person_id,
                "due_at": due_at,
                "kind": kind,
                "suggestion_id": suggestion_id,
                "reason": reason,
                "variant": variant,
                "state": PENDING,
            }
            for person_id, due_at, kind, suggestion_id, reason, variant in planned
        ]
        await session.execute(sa.insert(_TABLE), rows)


class Claimed(NamedTuple):
    """A delivery row as a claim or a take returns it, for sending: plain values, no ORM
    object (a fan-out claims a hundred thousand; building each as an ORM object was a tenth
    of the sending process's time)."""

    id: int
    person_id: int
    suggestion_id: int | None
    kind: DeliveryKind
    due_at: datetime
    variant: int
    message_ref: str | None
    bundle: list[int] | None  # a sent digest's suggestions, in the order it showed them


_CLAIMED = [_TABLE.c[name] for name in Claimed._fields]


REFRESH_AFTER = 1000  # rows added at once


async def added_many(session: AsyncSession, count: int) -> None:
    """After ``count`` rows were added at once (a fan-out planned), let the database see how
    many are due now. PostgreSQL plans each claim by its figures of the table: while they
    still showed few pending rows, every claim read all due rows and sorted them to take
    the first few (measured: 33 ms a claim at 100,000 due, where reading the index in order
    takes 1 ms), and a fan-out went no faster than that."""
    if count >= REFRESH_AFTER:
        await refresh_statistics(session, _TABLE.name)


async def has_rows(session: AsyncSession, suggestion_id: int) -> bool:
    """Whether a suggestion has any delivery yet (planning again, not for the first time)."""
    found = await session.execute(
        select(Delivery.id).where(col(Delivery.suggestion_id) == suggestion_id).limit(1)
    )
    return found.first() is not None


async def busy_times(
    session: AsyncSession, person_ids: Sequence[int], *, since: datetime
) -> dict[int, list[datetime]]:
    """Per person, the times of recent messages and of deliveries still to come.

    ``person_ids`` come in id order from a batch; the queries take their id range (cheaper
    than a long ``IN`` list) and keep only the ids asked for.
    """
    busy: dict[int, list[datetime]] = defaultdict(list)
    if not person_ids:
        return busy
    low, high = min(person_ids), max(person_ids)
    recent = await session.execute(
        select(RecentDelivery.person_id, RecentDelivery.at).where(
            col(RecentDelivery.person_id).between(low, high), col(RecentDelivery.at) >= since
        )
    )
    planned = await session.execute(
        select(Delivery.person_id, Delivery.due_at).where(
            col(Delivery.person_id).between(low, high),
            # by person: with the state index SQLite read every pending row for each batch,
            # all the rows planned so far while a fan-out was planned (a quarter of
            # planning's time at 100,000 people)
            unindexed(_TABLE.c.state) == PENDING,
            col(Delivery.kind) != DeliveryKind.INVITATION,
        )
    )
    wanted = set(person_ids)
    for person_id, when in [*recent.all(), *planned.all()]:
        if person_id in wanted:
            busy[person_id].append(when)
    return busy


async def people_with(
    session: AsyncSession, suggestion_id: int, person_ids: Sequence[int]
) -> set[int]:
    """Of these people, those who already have a delivery of this suggestion."""
    if not person_ids:
        return set()
    result = await session.execute(
        select(Delivery.person_id).where(
            col(Delivery.suggestion_id) == suggestion_id, col(Delivery.person_id).in_(person_ids)
        )
    )
    return set(result.scalars())


async def pending_people(session: AsyncSession, suggestion_id: int) -> list[int]:
    """Who still has an unsent delivery of this suggestion (the audience of a channel's
    suggestion, as far as it is still to be sent)."""
    result = await session.execute(
        select(Delivery.person_id).where(
            col(Delivery.suggestion_id) == suggestion_id, col(Delivery.state) == PENDING
        )
    )
    return sorted(set(result.scalars()))


# A pause asks this in its turn: built once (building a statement is a fifth of a lookup's
# CPU), the person and the time bound at each execution.
_PENDING_BEFORE = (
    sa.select(_TABLE.c.id)
    .where(
        _TABLE.c.person_id == sa.bindparam("person_id"),
        # by person: SQLite took the state index, all pending rows due before then
        unindexed(_TABLE.c.state) == PENDING,
        _TABLE.c.due_at < sa.bindparam("before", type_=_TABLE.c.due_at.type),
    )
    .limit(1)
)


async def has_pending(session: AsyncSession, person_id: int, *, before: datetime) -> bool:
    """Whether this person has a delivery still to come (of any kind) due before then."""
    found = await session.execute(_PENDING_BEFORE, {"person_id": person_id, "before": before})
    return found.first() is not None


async def pending_suggestions(session: AsyncSession, person_id: int) -> set[int]:
    """The suggestions this person has an unsent delivery of."""
    result = await session.execute(
        select(Delivery.suggestion_id).where(
            col(Delivery.person_id) == person_id,
            col(Delivery.state) == PENDING,
            col(Delivery.suggestion_id).is_not(None),
        )
    )
    return {int(i) for i in result.scalars() if i is not None}


async def drop_all_pending(session: AsyncSession) -> None:
    """Drop every unsent suggestion delivery (invitations stay), before planning them again."""
    await session.execute(
        sa.delete(Delivery).where(
            col(Delivery.state) == PENDING, col(Delivery.kind) != DeliveryKind.INVITATION
        )
    )


# A digest row, written as the partial index ``ix_delivery_digest_due`` reads it (a bound
# parameter would not let the databases see that the index applies).
_A_DIGEST = _TABLE.c.kind == sa.literal_column(f"'{DeliveryKind.DIGEST.value}'")


class Shard(NamedTuple):
    """The people whose id leaves ``part`` when divided by ``of``: one claimer's share, so
    that claimers in one process never hold two messages for the same person at once."""

    part: int
    of: int

    def holds(self) -> sa.ColumnElement[bool]:
        """The condition, none for everyone: PostgreSQL knows nothing of how many rows a
        remainder keeps and guesses very few, and so plans a claim to read and sort every due
        row rather than take the first ones in the index's order (measured: 10 ms a claim at
        50,000 due, 0.1 ms without it)."""
        if self.of == 1:
            return sa.true()
        return _TABLE.c.person_id % self.of == self.part


EVERYONE = Shard(0, 1)


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, shard: Shard = EVERYONE
) -> list[Claimed]:
    """Mark up to ``limit`` due deliveries of the shard's people as being sent and return
    them, in one statement; digests are not among them (:func:`claim_digests` takes those, a
    person at a time).

    On PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED``, so several processes
    never claim the same row; only rows still pending change hands in any case.
    """
    statement = _claim_due(shard, supports_skip_locked(session))
    return await _claim(session, statement, {"now": now, "limit": limit})


async def claim_digests(
    session: AsyncSession, now: datetime, people: int, shard: Shard = EVERYONE
) -> list[Claimed]:
    """Mark every due digest row of up to ``people`` of the shard's people as being sent and
    return them, in one statement: a person's digest is claimed whole, one message.

    On PostgreSQL each person's row is locked too (``FOR NO KEY UPDATE SKIP LOCKED``): a
    claimer takes only the digest rows of people it holds, so two claimers, in one process or
    several, never split a person's digest between them.
    """
    statement = _claim_digests(shard, supports_skip_locked(session))
    return await _claim(session, statement, {"now": now, "limit": people})


# The claims' parameters: the claim's time (what is due by then; the lease starts then) and
# how many messages it takes. Each claim's statement is built once per shard and database:
# building one for every wave was a tenth of the dispatcher's own time (measured).
_NOW = sa.bindparam("now", type_=UTCDateTime())
_LIMIT = sa.bindparam("limit", type_=sa.Integer())


@functools.cache
def _claim_due(shard: Shard, locking: bool) -> sa.Update:
    # Ordered by due time only, as the (state, due_at) index reads: on PostgreSQL a tie-break
    # on id would sort every due row for each claim (a fan-out "now" makes them all equal);
    # SQLite's index carries the id, so there it is the same order.
    due = (
        sa.select(_TABLE.c.id)
        .where(
            _TABLE.c.state == PENDING,
            _TABLE.c.due_at <= _NOW,
            _TABLE.c.kind != DeliveryKind.DIGEST,
            shard.holds(),
        )
        .order_by(_TABLE.c.due_at)
        .limit(_LIMIT)
    )
    if locking:
        due = due.with_for_update(skip_locked=True)
    return _claiming(due, locking)


@functools.cache
def _claim_digests(shard: Shard, locking: bool) -> sa.Update:
    due = (_A_DIGEST, _TABLE.c.state == PENDING, _TABLE.c.due_at <= _NOW)
    waiting = sa.select(_TABLE.c.person_id).where(*due, shard.holds()).distinct().limit(_LIMIT)
    held = select(Person.id).where(col(Person.id).in_(waiting.scalar_subquery()))
    if locking:
        held = held.with_for_update(skip_locked=True, key_share=True)
    rows = sa.select(_TABLE.c.id).where(*due, _TABLE.c.person_id.in_(held.scalar_subquery()))
    if locking:  # a row being dropped or planned again is not waited for
        rows = rows.with_for_update(skip_locked=True)
    return _claiming(rows, locking)


def _claiming(ids: sa.Select[Any], locking: bool) -> sa.Update:
    """Mark the rows ``ids`` selects that are still pending as being sent, returning them.

    ``ids`` runs once, as a materialized CTE: as a subquery of the UPDATE, PostgreSQL may run
    it again for every row it updates, and each run skips the rows this statement has just
    locked and takes the next ones, so a claim of two took every due row of a small table
    (seen in a test). Where rows are locked (PostgreSQL), only those still pending change
    hands. SQLite has one writer, and the statement is one: the rows ``ids`` selected are
    pending when they are marked, and asked again, SQLite read every pending row through
    the state index to find the few (measured: 2.3 ms a claim at 30,000 due, 0.1 ms by id).
    """
    due = ids.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    chosen = _TABLE.c.id.in_(sa.select(due.c.id))
    return (
        sa.update(_TABLE)
        .where(sa.and_(chosen, _TABLE.c.state == PENDING) if locking else chosen)
        .values(state=SENDING, claimed_at=_NOW)
        .returning(*_CLAIMED)
    )


async def _claim(
    session: AsyncSession, statement: sa.Update, params: dict[str, object]
) -> list[Claimed]:
    """The claimed rows, in due order."""
    rows = [Claimed(*row) for row in await session.execute(statement, params)]
    rows.sort(key=lambda row: (row.due_at, row.id))
    return rows


class SentMessage(NamedTuple):
    """The rows one message carried, its platform reference, and a digest's suggestions."""

    ids: list[int]
    message_ref: str | None
    bundle: list[int] | None


async def mark_sent(session: AsyncSession, messages: Sequence[SentMessage]) -> None:
    """Mark rows sent with their message reference: one UPDATE per wave (:mod:`storage.shapes`),
    each row's reference and digest bundle chosen by a CASE on its id.

    Rows deleted meanwhile (the person asked to be forgotten) are simply not there to mark.
    """
    rows = [(id_, m.message_ref, m.bundle) for m in messages for id_ in m.ids]
    for chunk in shaped(rows):
        bundled = any(bundle is not None for _, _, bundle in chunk)
        params: dict[str, object] = {} if bundled else {"no_bundle": None}
        for k, (id_, ref, bundle) in enumerate(chunk):
            params[f"id_{k}"], params[f"ref_{k}"] = id_, ref
            if bundled:
                params[f"bundle_{k}"] = bundle
        await session.execute(_mark_sent_statement(len(chunk), bundled), params)


@functools.cache
def _mark_sent_statement(size: int, bundled: bool) -> sa.Update:
    """``UPDATE delivery SET state='sent', message_ref=CASE WHEN id=… THEN … END[, bundle=CASE …]
    WHERE id IN (…)`` for ``size`` rows, built once per shape: building and compiling a
    statement for every wave cost more than the executemany it replaces (measured)."""
    table = _TABLE
    ids = [sa.bindparam(f"id_{k}", type_=table.c.id.type) for k in range(size)]

    def each(name: str, column: sa.Column[object]) -> sa.Case[object]:
        return sa.case(
            *[
                (table.c.id == ids[k], sa.bindparam(f"{name}_{k}", type_=column.type))
                for k in range(size)
            ]
        )

    no_bundle = sa.bindparam("no_bundle", type_=table.c.bundle.type)  # as before: None, typed
    return (
        sa.update(table)
        .where(table.c.id.in_(ids))
        .values(
            state=SENT,
            message_ref=each("ref", table.c.message_ref),
            bundle=each("bundle", table.c.bundle) if bundled else no_bundle,
        )
    )


async def mark_uncertain(session: AsyncSession, ids: Sequence[int], reason: str) -> None:
    """Rows whose message may or may not have arrived, and why: kept, never sent again."""
    if ids:
        await session.execute(
            sa.update(Delivery)
            .where(col(Delivery.id).in_(ids))
            .values(state=UNCERTAIN, reason=reason)
        )


async def reschedule(session: AsyncSession, delivery_id: int, due_at: datetime) -> None:
    await session.execute(
        sa.update(Delivery)
        .where(col(Delivery.id) == delivery_id)
        .values(state=PENDING, claimed_at=None, due_at=due_at, reason="window")
    )


async def remove(session: AsyncSession, ids: Sequence[int]) -> None:
    if ids:
        await session.execute(sa.delete(Delivery).where(col(Delivery.id).in_(ids)))


async def stale_sending(
    session: AsyncSession, claimed_before: datetime, reason: str
) -> Counter[str]:
    """Rows left 'sending' by a process that died: never sent again, marked uncertain with
    ``reason``; how many per platform."""
    marked = await session.execute(
        sa.update(Delivery)
        .where(col(Delivery.state) == SENDING, col(Delivery.claimed_at) < claimed_before)
        .values(state=UNCERTAIN, reason=reason)
        .returning(col(Delivery.person_id))
        .execution_options(synchronize_session=False)
    )
    rows_of = Counter(marked.scalars())  # person id -> rows
    if not rows_of:
        return Counter()
    platforms = await session.execute(
        select(Person.id, Person.platform).where(col(Person.id).in_(list(rows_of)))
    )
    counted: Counter[str] = Counter()
    for person_id, platform in platforms.all():
        counted[platform] += rows_of[person_id]
    return counted


async def take_sent(session: AsyncSession, suggestion_id: int, limit: int) -> list[Claimed]:
    """Up to ``limit`` sent rows of an ended suggestion, deleted as they are taken.

    Locked with ``SKIP LOCKED`` on PostgreSQL, so two processes never take the same row.
    """
    query = (
        sa.select(*_CLAIMED)
        .where(
            _TABLE.c.suggestion_id == suggestion_id,
            _TABLE.c.state == SENT,
            _TABLE.c.message_ref.is_not(None),
        )
        .order_by(_TABLE.c.id)
        .limit(limit)
    )
    if supports_skip_locked(session):
        query = query.with_for_update(skip_locked=True)
    rows = [Claimed(*row) for row in await session.execute(query)]
    await remove(session, [row.id for row in rows])
    return rows


async def delete_for_suggestion(session: AsyncSession, suggestion_id: int) -> int:
    """Drop every row of an ended suggestion, except ones being sent right now."""
    result = await session.execute(
        sa.delete(Delivery).where(
            col(Delivery.suggestion_id) == suggestion_id, col(Delivery.state) != SENDING
        )
    )
    return affected(result)


async def drop_unsent(session: AsyncSession, suggestion_id: int) -> int:
    """Drop the pending rows of a suggestion that has just ended."""
    result = await session.execute(
        sa.delete(Delivery).where(
            col(Delivery.suggestion_id) == suggestion_id, col(Delivery.state) == PENDING
        )
    )
    return affected(result)


async def ended_with_rows(session: AsyncSession) -> list[int]:
    """Ended suggestions whose sent cards still need to show it, or whose rows remain."""
    result = await session.execute(
        select(Delivery.suggestion_id)
        .join(Suggestion, col(Suggestion.id) == col(Delivery.suggestion_id))
        .where(col(Suggestion.state) == SuggestionState.ENDED, col(Delivery.state) != SENDING)
        .distinct()
    )
    return [int(i) for i in result.scalars()]


async def for_person(session: AsyncSession, person_id: int) -> list[Delivery]:
    result = await session.execute(
        select(Delivery).where(col(Delivery.person_id) == person_id).order_by(col(Delivery.due_at))
    )
    return list(result.scalars())


async def purge(session: AsyncSession, *, recent_before: datetime) -> int:
    """Retention: budget entries older than a week and every row left of ended suggestions."""
    removed = await session.execute(
        sa.delete(RecentDelivery).where(col(RecentDelivery.at) < recent_before)
    )
    ended = select(Suggestion.id).where(col(Suggestion.state) == SuggestionState.ENDED)
    gone = await session.execute(sa.delete(Delivery).where(col(Delivery.suggestion_id).in_(ended)))
    # invitations interrupted mid-send belong to no suggestion that could end
    stale = await session.execute(
        sa.delete(Delivery).where(
            col(Delivery.kind) == DeliveryKind.INVITATION,
            col(Delivery.state) == UNCERTAIN,
            col(Delivery.claimed_at) < recent_before,
        )
    )
    return affected(removed) + affected(gone) + affected(stale)


async def queue_depth(session: AsyncSession) -> int:
    result = await session.execute(
        select(sa.func.count()).select_from(Delivery).where(col(Delivery.state) == PENDING)
    )
    return int(result.scalar_one())


async def uncertain_by_reason(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Uncertain rows per (platform, reason), for ``sharebot doctor``: no person, no message."""
    result = await session.execute(
        select(Person.platform, Delivery.reason, sa.func.count())
        .join(Person, col(Person.id) == col(Delivery.person_id))
        .where(col(Delivery.state) == UNCERTAIN)
        .group_by(col(Person.platform), col(Delivery.reason))
    )
    return {(platform, reason or "?"): int(count) for platform, reason, count in result.all()}


async def count_by_state(session: AsyncSession) -> dict[str, int]:
    """How many rows are in each state (for ``sharebot doctor``)."""
    result = await session.execute(
        select(Delivery.state, sa.func.count()).group_by(col(Delivery.state))
    )
    return {state: int(count) for state, count in result.all()}
