"""The stored policy: key/value pairs; keys without a row take their default."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import PolicySetting

# Plain rows from a statement built once: every turn reads the policy (no ORM objects for it).
_TABLE: sa.Table = PolicySetting.__table__  # type: ignore[attr-defined]
_SETTINGS = sa.select(_TABLE.c.key, _TABLE.c.value)


async def load(session: AsyncSession) -> dict[str, str]:
    result = await session.execute(_SETTINGS)
    return {key: value for key, value in result}


async def store(session: AsyncSession, key: str, value: str) -> None:
    setting = await session.get(PolicySetting, key)
    if setting is None:
        session.add(PolicySetting(key=key, value=value))
    else:
        setting.value = value
    await session.flush()


async def is_empty(session: AsyncSession) -> bool:
    result = await session.execute(select(sa.func.count()).select_from(PolicySetting))
    return int(result.scalar_one()) == 0
