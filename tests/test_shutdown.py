"""Stopping the server lets the scheduler's jobs under way finish, so that none of them is cut
off mid-send or meets a closed database (APScheduler's shutdown would cancel them)."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from adapters.server import build_app, build_runtime
from adapters.settings import load_settings
from storage.database import Database
from tests.listening import listening


async def test_a_tick_running_at_shutdown_finishes_before_the_database_closes(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = build_runtime(load_settings(SHAREBOT_ADAPTERS="playground"), database=database)
    started = asyncio.Event()
    finished: list[int] = []

    async def slow_tick() -> None:  # stands in for a dispatcher tick that is mid-way
        started.set()
        await asyncio.sleep(0.3)
        async with database.transaction() as session:
            finished.append((await session.execute(sa.text("SELECT 1"))).scalar_one())

    monkeypatch.setattr(runtime.dispatcher, "tick", slow_tick)
    async with listening(build_app(runtime, schedule=True)):
        await asyncio.wait_for(started.wait(), timeout=10)
    # the app is cleaned up: the tick had its database to the end
    assert finished == [1]
