"""Stored states and kinds are typed: read back as their members, and nothing else is written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError
from sqlmodel import col

from storage import people
from storage.database import Database
from storage.models import Delivery, Person
from storage.states import DeliveryState, Participation, Style


async def test_a_state_is_read_back_as_its_member(database: Database) -> None:
    async with database.transaction() as session:
        person = await people.get_or_create(session, "playground", "anna")
        person.participation = Participation.ON
    async with database.transaction() as session:
        found = await people.find(session, "playground", "anna")
        assert found is not None
        assert found.participation is Participation.ON and found.style is Style.EACH
        rows = (await session.execute(sa.select(col(Person.participation)))).scalars().all()
        assert rows == [Participation.ON]  # a plain select too, not only ORM objects
        stored = await session.execute(sa.text("SELECT participation FROM person"))
        assert stored.scalars().all() == ["on"]  # the database keeps the plain word


async def test_a_value_outside_its_enum_is_never_written(database: Database) -> None:
    with pytest.raises(StatementError, match="'clicked' is not a valid DeliveryKind"):
        async with database.transaction() as session:
            person = await people.get_or_create(session, "playground", "anna")
            assert person.id is not None
            # A plain word, as an untyped caller would pass it: the column's type refuses it.
            await session.execute(
                sa.insert(Delivery).values(
                    person_id=person.id, kind="clicked", due_at=datetime(2026, 12, 2, tzinfo=UTC)
                )
            )
    async with database.transaction() as session:
        assert (
            await session.execute(sa.select(sa.func.count()).select_from(Delivery))
        ).scalar() == 0
        assert DeliveryState.PENDING.value == "pending"  # the database keeps the plain word
