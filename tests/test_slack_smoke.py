from __future__ import annotations

from storage.database import Database
from tests.slack_support import ANNA, slack_world, texts
from tests.support import FakeClock


async def test_help(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        answer = await world.command(ANNA, "help")
        print(answer)
        assert "on" in texts(answer)
        await world.fake.wait_for(lambda: world.fake.of("views.publish"))
