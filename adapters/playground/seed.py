"""Seeds a new database with the demo organisation (roles from the start, an instant policy)."""

from __future__ import annotations

import logging

from adapters.playground import demo
from storage import people
from storage import policy as stored_policy
from storage.database import Database
from storage.states import Participation

logger = logging.getLogger(__name__)


async def seed(database: Database) -> bool:
    """Create the demo people on a database that has none; False when they exist already."""
    async with database.transaction() as session:
        if await people.find(session, demo.PLATFORM, demo.PEOPLE[0].key) is not None:
            return False
        for member in demo.PEOPLE:
            person = await people.get_or_create(session, demo.PLATFORM, member.key)
            person.display_name = member.name
            person.platform_locale = member.locale
            person.timezone = member.timezone
            if member.opted_in:
                person.participation = Participation.ON
            assert person.id is not None
            if member.role in ("hr", "comms"):
                await people.grant(session, person.id, member.role)
        if await stored_policy.is_empty(session):
            for key, value in demo.INSTANT_POLICY.items():
                await stored_policy.store(session, key, value)
    logger.info("playground: demo organisation created")
    return True
