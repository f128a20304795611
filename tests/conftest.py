"""Fixtures: the real storage on SQLite (and PostgreSQL when SHAREBOT_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from adapters.settings import Settings
from storage import migrate
from storage.database import Database
from tests.support import Chat, FakeClock

POSTGRES_URL = os.environ.get("SHAREBOT_TEST_POSTGRES_URL", "")


def pytest_configure(config: pytest.Config) -> None:
    """Settings built in a test never read a ``.env`` file: a developer's, in the folder pytest
    runs from, would otherwise change them (``SHAREBOT_SLACK_RATE=0`` fails most server tests).
    Done once here, before any test module is imported, so no test or helper can forget it;
    ``tests/test_env_file.py`` fails if it stops holding."""
    Settings.model_config["env_file"] = None


def _migrate(url: str) -> None:
    async def go() -> None:
        database = Database.from_url(url)
        try:
            if not url.startswith("sqlite"):
                async with database.engine.begin() as conn:
                    await conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                    await conn.execute(sa.text("CREATE SCHEMA public"))
            await migrate.upgrade(database.engine)
        finally:
            await database.close()

    asyncio.run(go())


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database: a SQLite file to copy per test, or the PostgreSQL test database."""
    if POSTGRES_URL:
        _migrate(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
async def database(database_template: str, tmp_path: Path) -> AsyncIterator[Database]:
    if POSTGRES_URL:
        db = Database.from_url(POSTGRES_URL)
        tables = ", ".join(SQLModel.metadata.tables)
        async with db.engine.begin() as conn:
            await conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        target = tmp_path / "sharebot.db"
        shutil.copy(database_template, target)
        db = Database.from_url(f"sqlite:///{target}")
    yield db
    await db.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def chat(database: Database, clock: FakeClock) -> AsyncIterator[Chat]:
    chat = Chat(database, clock)
    yield chat
    await chat.close()
