"""Turns suggestions into deliveries: reads people in batches, asks the slot rules, bulk-inserts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import slots
from bot.policy import Policy, holiday_calendar
from storage import outbox, people, suggestions
from storage.models import Person, Suggestion
from storage.states import DeliveryKind, Participation, Style

BUDGET_LOOKBACK = slots.WEEK


class Planned(Protocol):
    """What planning needs of a person: a stored :class:`Person` or a lighter row of one."""

    @property
    def id(self) -> int | None: ...
    @property
    def timezone(self) -> str | None: ...
    @property
    def topics(self) -> list[str]: ...
    @property
    def paused_until(self) -> datetime | None: ...
    @property
    def max_per_week(self) -> int | None: ...
    @property
    def style(self) -> str: ...
    @property
    def plans_from(self) -> datetime | None: ...


def zone_of(person: Planned, policy: Policy) -> ZoneInfo:
    """The person's own time zone, else the policy's."""
    if person.timezone:
        try:
            return ZoneInfo(person.timezone)
        except (KeyError, ValueError):
            pass
    return policy.zone


def wants(person: Planned, suggestion: Suggestion) -> bool:
    """Topics of interest: none chosen means all; a suggestion without topic goes to everyone.

    Someone who opted out and back in gets only suggestions that started after opting out:
    what they had before is not recorded any more, so it must not come again.
    """
    if person.plans_from is not None and suggestion.starts_at <= person.plans_from:
        return False
    return not person.topics or not suggestion.topic or suggestion.topic in person.topics


class Planning:
    """Plans for one policy; builds the holiday calendar and each zone's calendar once."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._holidays = holiday_calendar(policy)
        self._calendars: dict[str | None, slots.Calendar] = {}
        self._min_gap = policy.min_gap
        self._spread = policy.spread

    def calendar(self, person: Planned) -> slots.Calendar:
        """The person's working time: the policy's window in their own zone, minus holidays."""
        found = self._calendars.get(person.timezone)
        if found is None:
            zone = zone_of(person, self.policy)
            found = slots.Calendar(self.policy.window, zone, self._holidays)
            self._calendars[person.timezone] = found
        return found

    def recipient(self, person: Planned, busy: list[datetime]) -> slots.Recipient:
        cap = self.policy.max_per_week
        if person.max_per_week:
            cap = min(cap, person.max_per_week)
        return slots.Recipient(
            calendar=self.calendar(person),
            budget=slots.Budget(cap, self._min_gap, tuple(busy)),
            paused_until=person.paused_until,
            digest=person.style == Style.DIGEST,
        )

    def rows(
        self,
        suggestion: Suggestion,
        batch: Sequence[Planned],
        busy: dict[int, list[datetime]],
        *,
        start: datetime,
    ) -> list[outbox.Planned]:
        suggestion_id, expires = suggestion.id, suggestion.expires_at
        assert suggestion_id is not None
        variants = max(len(suggestion.captions), 1)
        rows: list[outbox.Planned] = []
        for person in batch:
            assert person.id is not None
            if not wants(person, suggestion):
                continue
            slot = slots.plan_slot(
                self.recipient(person, busy.get(person.id, [])),
                start=start,
                expires=expires,
                spread=self._spread,
                fraction=slots.spread_fraction(suggestion_id, person.id) if self._spread else 0.0,
            )
            if slot is None:
                continue
            kind = DeliveryKind.DIGEST if person.style == Style.DIGEST else DeliveryKind.CARD
            rows.append(
                outbox.Planned(
                    person.id, slot.due, kind, suggestion_id, slot.reason, person.id % variants
                )
            )
        return rows

    async def plan_suggestion(
        self,
        session: AsyncSession,
        suggestion: Suggestion,
        now: datetime,
        *,
        among: Sequence[int] | None = None,
    ) -> int:
        """Deliveries of one suggestion for every opted-in person who wants it; with
        ``among`` (a channel's audience), only for those of these people."""
        assert suggestion.id is not None
        start = max(suggestion.starts_at, now)
        replanning = await outbox.has_rows(session, suggestion.id)
        total = 0
        # Without a topic everyone wants it: topics need not even be read.
        batches = people.opted_in_batches(session, topics=bool(suggestion.topic), among=among)
        async for batch in batches:
            ids = [p.id for p in batch]
            have = await outbox.people_with(session, suggestion.id, ids) if replanning else set()
            busy = await outbox.busy_times(session, ids, since=now - BUDGET_LOOKBACK)
            wanted = [p for p in batch if p.id not in have]
            rows = self.rows(suggestion, wanted, busy, start=start)
            await outbox.add_many(session, rows)
            total += len(rows)
        await outbox.added_many(session, total)
        return total

    async def plan_person(
        self,
        session: AsyncSession,
        person: Person,
        now: datetime,
        *,
        member_of: Collection[int] = (),
    ) -> int:
        """Running suggestions this person has no delivery for yet (after opting in or a change).

        A suggestion for a channel's audience only when the person was in it (``member_of``:
        they had a delivery of it still to come): its audience is who was in the channel when
        it started, and Sharebot keeps no other record of who that was.
        """
        assert person.id is not None
        if person.participation != Participation.ON:
            return 0
        have = {d.suggestion_id for d in await outbox.for_person(session, person.id)}
        total = 0
        for suggestion in await suggestions.running(session):
            if suggestion.id in have:
                continue
            if suggestion.audience is not None and suggestion.id not in member_of:
                continue
            busy = await outbox.busy_times(session, [person.id], since=now - BUDGET_LOOKBACK)
            rows = self.rows(suggestion, [person], busy, start=now)
            await outbox.add_many(session, rows)
            total += len(rows)
        return total


async def replan_person(
    session: AsyncSession, person: Person, policy: Policy, now: datetime
) -> None:
    """Drop the person's unsent deliveries and plan them again under their new preferences
    (a channel's suggestion still to come stays theirs to get)."""
    assert person.id is not None
    kept = await outbox.pending_suggestions(session, person.id)
    await people.drop_pending(session, person.id)
    await session.flush()
    await Planning(policy).plan_person(session, person, now, member_of=kept)


async def replan_everyone(session: AsyncSession, policy: Policy, now: datetime) -> None:
    """After a policy change: plan every unsent delivery again under the new rules (a
    channel's suggestion for those who were still to get it)."""
    running = await suggestions.running(session)
    audiences = {
        suggestion.id: await outbox.pending_people(session, suggestion.id)
        for suggestion in running
        if suggestion.id is not None and suggestion.audience is not None
    }
    await outbox.drop_all_pending(session)
    await session.flush()
    planning = Planning(policy)
    for suggestion in running:
        await planning.plan_suggestion(
            session, suggestion, now, among=audiences.get(suggestion.id or 0)
        )
