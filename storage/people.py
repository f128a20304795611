"""Queries about people, their preferences and roles."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.dialect import affected, insert_ignoring_conflicts
from storage.models import ApprovalRequest, Delivery, Person, Proposal, RecentDelivery, RoleGrant
from storage.shapes import shaped
from storage.states import DeliveryState, Participation, Style


async def find(session: AsyncSession, platform: str, user_key: str) -> Person | None:
    result = await session.execute(
        select(Person).where(Person.platform == platform, Person.user_key == user_key)
    )
    return result.scalar_one_or_none()


class Met(NamedTuple):
    """A person and the roles they hold, as a turn begins with them."""

    person: Person
    roles: set[str]


# Every turn begins with it: built once, the platform id bound at each execution.
_WITH_ROLES = (
    select(Person, RoleGrant.role)
    .outerjoin(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
    .where(
        col(Person.platform) == sa.bindparam("platform"),
        col(Person.user_key) == sa.bindparam("user_key"),
    )
)


async def find_with_roles(session: AsyncSession, platform: str, user_key: str) -> Met | None:
    """The person with this platform id and their roles, read in one statement: every turn
    needs both, and on SQLite each statement of a write transaction is a trip through the
    event loop while the one writer waits (measured: about a millisecond under load)."""
    result = await session.execute(_WITH_ROLES, {"platform": platform, "user_key": user_key})
    rows = result.all()
    if not rows:
        return None
    return Met(rows[0][0], {role for _, role in rows if role is not None})


def _newcomer(platform: str, user_key: str) -> dict[str, object]:
    """A person met for the first time: undecided, no preferences."""
    return {
        "platform": platform,
        "user_key": user_key,
        "topics": [],
        "networks": [],
        "participation": Participation.UNDECIDED,
        "invited": False,
        "reachable": True,
        "style": Style.EACH,
    }


async def get_or_create(session: AsyncSession, platform: str, user_key: str) -> Person:
    """The person with this platform id, created (undecided, no preferences) on first contact."""
    return (await meet_one(session, platform, user_key)).person


async def meet_one(session: AsyncSession, platform: str, user_key: str) -> Met:
    """:func:`get_or_create` with the person's roles (a newcomer holds none)."""
    met = await find_with_roles(session, platform, user_key)
    if met is not None:
        return met
    await session.execute(insert_ignoring_conflicts(session, Person, _newcomer(platform, user_key)))
    met = await find_with_roles(session, platform, user_key)
    assert met is not None
    return met


async def meet(session: AsyncSession, platform: str, user_keys: Sequence[str]) -> list[Person]:
    """These people, the ones not met before created in one statement (for invitations)."""
    if not user_keys:
        return []
    await session.execute(
        insert_ignoring_conflicts(
            session, Person, [_newcomer(platform, key) for key in dict.fromkeys(user_keys)]
        )
    )
    return await by_keys(session, platform, user_keys)


async def by_ids(session: AsyncSession, person_ids: Sequence[int]) -> list[Person]:
    if not person_ids:
        return []
    result = await session.execute(select(Person).where(col(Person.id).in_(person_ids)))
    return list(result.scalars())


class Contact(NamedTuple):
    """What sending to a person needs of them, read as plain values (a fan-out reads a
    hundred thousand; an ORM object each cost more than the rest of the read): whom to
    address, whether they still want it, their zone, language and choices."""

    id: int
    platform: str
    user_key: str
    address: str | None
    participation: Participation
    reachable: bool
    paused_until: datetime | None
    plans_from: datetime | None
    timezone: str | None
    language: str | None
    platform_locale: str | None
    topics: list[str]
    networks: list[str]
    max_per_week: int | None
    style: Style


async def contacts(session: AsyncSession, person_ids: Sequence[int]) -> list[Contact]:
    """These people as :class:`Contact` (the ones still there)."""
    found: list[Contact] = []
    for chunk in shaped(person_ids):
        params = {f"person_{k}": id_ for k, id_ in enumerate(chunk)}
        found.extend(
            Contact(*row) for row in await session.execute(contacts_statement(len(chunk)), params)
        )
    return found


@functools.cache
def contacts_statement(size: int) -> sa.Select[Any]:
    """The contacts of ``size`` people (``:person_0`` …), built once per size
    (:mod:`storage.shapes`)."""
    table = Person.__table__  # type: ignore[attr-defined]
    ids = [sa.bindparam(f"person_{k}", type_=sa.Integer()) for k in range(size)]
    return sa.select(*(table.c[name] for name in Contact._fields)).where(table.c.id.in_(ids))


async def by_keys(session: AsyncSession, platform: str, user_keys: Sequence[str]) -> list[Person]:
    if not user_keys:
        return []
    result = await session.execute(
        select(Person).where(Person.platform == platform, col(Person.user_key).in_(user_keys))
    )
    return list(result.scalars())


async def named(session: AsyncSession, platform: str, reference: str) -> Person | None:
    """The one person met on this platform whose id is ``reference`` in any case, else whose
    display name it is (case ignored, ``_`` for spaces); None when nobody or several match."""
    wanted = reference.lower()
    for condition in (
        sa.func.lower(col(Person.user_key)) == wanted,
        sa.func.lower(col(Person.display_name)).in_({wanted, wanted.replace("_", " ")}),
    ):
        result = await session.execute(
            select(Person).where(Person.platform == platform, condition).limit(2)
        )
        found = list(result.scalars())
        if found:
            return found[0] if len(found) == 1 else None
    return None


class Audience(NamedTuple):
    """What planning reads of an opted-in person, and nothing more (cheap to load by the
    hundred thousand)."""

    id: int
    timezone: str | None
    topics: list[str]
    paused_until: datetime | None
    max_per_week: int | None
    style: str
    plans_from: datetime | None


async def opted_in_batches(
    session: AsyncSession,
    *,
    topics: bool = True,
    batch_size: int = 1000,
    among: Sequence[int] | None = None,
) -> AsyncIterator[list[Audience]]:
    """Reachable opted-in people in id order, a batch at a time, so nobody loads everyone.

    With ``topics=False`` their topics are left unread (given as empty); with ``among``, only
    these people (a channel's members) are read.
    """
    columns = (
        col(Person.id),
        col(Person.timezone),
        col(Person.topics) if topics else sa.literal(None),
        col(Person.paused_until),
        col(Person.max_per_week),
        col(Person.style),
        col(Person.plans_from),
    )
    opted_in = (col(Person.participation) == Participation.ON, col(Person.reachable))
    wanted = sorted(set(among)) if among is not None else None
    last_id, start = 0, 0
    while True:
        query = sa.select(*columns).where(*opted_in).order_by(col(Person.id))
        if wanted is None:
            query = query.where(col(Person.id) > last_id).limit(batch_size)
        else:
            chunk = wanted[start : start + batch_size]
            start += batch_size
            if not chunk:
                return
            query = query.where(col(Person.id).in_(chunk))
        result = await session.execute(query)
        batch = [
            Audience(id_ or 0, zone, chosen or [], paused, cap, style, since)
            for id_, zone, chosen, paused, cap, style, since in result.all()
        ]
        if batch:
            yield batch
            last_id = batch[-1].id
        elif wanted is None:
            return


async def ids_for(session: AsyncSession, platform: str, user_keys: Sequence[str]) -> list[int]:
    """The ids of the people with these user keys whom Sharebot knows (a thousand a query)."""
    keys = sorted(set(user_keys))
    found: list[int] = []
    for start in range(0, len(keys), 1000):
        result = await session.execute(
            select(Person.id).where(
                Person.platform == platform, col(Person.user_key).in_(keys[start : start + 1000])
            )
        )
        found += [int(i) for i in result.scalars() if i is not None]
    return sorted(found)


async def roles_of(session: AsyncSession, person_id: int) -> set[str]:
    result = await session.execute(select(RoleGrant.role).where(RoleGrant.person_id == person_id))
    return set(result.scalars())


async def grant(session: AsyncSession, person_id: int, role: str) -> bool:
    """Give a role; False when the person held it already."""
    result = await session.execute(
        insert_ignoring_conflicts(session, RoleGrant, {"person_id": person_id, "role": role})
    )
    return affected(result) > 0


async def revoke(session: AsyncSession, person_id: int, role: str) -> bool:
    result = await session.execute(
        sa.delete(RoleGrant).where(
            col(RoleGrant.person_id) == person_id, col(RoleGrant.role) == role
        )
    )
    return affected(result) > 0


async def role_holders(session: AsyncSession) -> list[tuple[Person, str]]:
    result = await session.execute(
        select(Person, RoleGrant.role)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .order_by(col(RoleGrant.role), col(Person.display_name), col(Person.user_key))
    )
    return [(person, role) for person, role in result.all()]


async def drop_pending(session: AsyncSession, *person_ids: int) -> int:
    """Remove these people's deliveries that have not been sent (replanning, unreachable)."""
    result = await session.execute(
        sa.delete(Delivery).where(
            col(Delivery.person_id).in_(person_ids), col(Delivery.state) == DeliveryState.PENDING
        )
    )
    return affected(result)


async def mark_invited(session: AsyncSession, person_ids: Sequence[int]) -> set[int]:
    """Mark these people invited; returns those this call marked (still undecided, reachable
    and not invited before), so that an invitation is planned once however many ask."""
    if not person_ids:
        return set()
    result = await session.execute(
        sa.update(Person)
        .where(
            col(Person.id).in_(person_ids),
            col(Person.participation) == Participation.UNDECIDED,
            col(Person.reachable),
            sa.not_(col(Person.invited)),
        )
        .values(invited=True)
        .returning(col(Person.id))
        .execution_options(synchronize_session=False)
    )
    return {int(i) for i in result.scalars() if i is not None}


async def mark_unreachable(session: AsyncSession, person_ids: Sequence[int]) -> None:
    """The platform said these accounts are gone or blocked the bot: plan nothing more for
    them (until they write to the bot again) and drop what was planned."""
    if not person_ids:
        return
    await session.execute(
        sa.update(Person).where(col(Person.id).in_(person_ids)).values(reachable=False)
    )
    await drop_pending(session, *person_ids)


async def forget(session: AsyncSession, person_id: int) -> None:
    """Remove every row about a person, in one transaction."""
    await drop_deliveries(session, person_id)
    await session.execute(sa.delete(RoleGrant).where(col(RoleGrant.person_id) == person_id))
    await session.execute(sa.delete(Proposal).where(col(Proposal.person_id) == person_id))
    await session.execute(
        sa.delete(ApprovalRequest).where(col(ApprovalRequest.author_id) == person_id)
    )
    await session.execute(sa.delete(Person).where(col(Person.id) == person_id))


async def drop_deliveries(session: AsyncSession, person_id: int) -> None:
    """Opting out: every delivery row of the person and the times of their recent messages."""
    await session.execute(sa.delete(Delivery).where(col(Delivery.person_id) == person_id))
    await session.execute(
        sa.delete(RecentDelivery).where(col(RecentDelivery.person_id) == person_id)
    )
