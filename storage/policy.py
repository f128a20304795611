"""The stored policy: key/value pairs; keys without a row take their default."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import PolicySetting

# Plain rows from a statement built once: every turn reads the policy (no ORM objects for it).
_TABLE: sa.Table = PolicySetting.__table__  # type: ignore[attr-defined]
_SETTINGS = sa.select(_TABLE.c.key, _TABLE.c.value)


# What ``session.info`` holds for these: the Remembered of a transaction of the only writer,
# and whether this transaction stored a value.
_REMEMBERED = "sharebot.policy.remembered"
_STORED = "sharebot.policy.stored"


class Remembered:
    """The policy as last read by a write transaction of the only writer (SQLite: one process
    per file, whose write transactions take turns), so the next ones take it from memory:
    every turn reads the policy, and on SQLite each statement of a write transaction is a
    trip through the event loop while the one writer waits (measured: about a millisecond a
    statement under load). Storing a value forgets it, in the transaction that stores it, so
    a rollback leaves nothing stale; that transaction remembers nothing it reads afterwards.
    """

    def __init__(self) -> None:
        self.rows: dict[str, str] | None = None


def remember_in(session: AsyncSession, remembered: Remembered) -> None:
    """Let this write transaction of the only writer read the policy from ``remembered``."""
    session.info[_REMEMBERED] = remembered


async def load(session: AsyncSession) -> dict[str, str]:
    remembered: Remembered | None = session.info.get(_REMEMBERED)
    if remembered is not None and remembered.rows is not None:
        return dict(remembered.rows)
    result = await session.execute(_SETTINGS)
    rows = {key: value for key, value in result}
    if remembered is not None and not session.info.get(_STORED):
        remembered.rows = dict(rows)
    return rows


async def store(session: AsyncSession, key: str, value: str) -> None:
    remembered: Remembered | None = session.info.get(_REMEMBERED)
    if remembered is not None:
        remembered.rows = None
    session.info[_STORED] = True
    setting = await session.get(PolicySetting, key)
    if setting is None:
        session.add(PolicySetting(key=key, value=value))
    else:
        setting.value = value
    await session.flush()


async def is_empty(session: AsyncSession) -> bool:
    result = await session.execute(select(sa.func.count()).select_from(PolicySetting))
    return int(result.scalar_one()) == 0
