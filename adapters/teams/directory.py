"""Who is in the team a command came from, and whom a mention or id names.

The Directory port takes no conversation, so the adapter lends the directory the current turn
(:meth:`TeamsDirectory.lent`) through a context variable: set while the core handles that one
activity, and only in its task.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount

from adapters.teams import references
from adapters.teams.activities import PLATFORM
from adapters.teams.personal import open_chat_from
from bot.ports import Actor

logger = logging.getLogger(__name__)
TEAM_WORDS = frozenset({"team", "#team"})
PAGE_SIZE = 500
OPENING = 8  # personal chats opened at once while inviting a team
# botbuilder reads the activity's channelData into TeamsChannelData on every roster call, and
# msrest warns about the two keys Teams sends that this model lacks: noise, not a problem.
CHANNEL_DATA_KEYS = frozenset({"teamsChannelId", "teamsTeamId"})
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class TeamsDirectory:
    """``team``: the members of the team the command was sent in (paged roster)."""

    def __init__(self, adapter: CloudAdapter, app_id: str, *, page_size: int = PAGE_SIZE) -> None:
        quiet_channel_data_keys()
        self.adapter = adapter
        self.app_id = app_id
        self.page_size = page_size
        self._turn: ContextVar[TurnContext | None] = ContextVar("teams_turn", default=None)

    @contextmanager
    def lent(self, context: TurnContext) -> Iterator[None]:
        """While the core handles this activity, ``team`` and mentions refer to its team."""
        token = self._turn.set(context)
        try:
            yield
        finally:
            self._turn.reset(token)

    async def members(self, target: str) -> list[Actor] | None:
        context = self._turn.get()
        if target.lower() not in TEAM_WORDS or context is None:
            return None
        if not TeamsInfo.get_team_id(context):
            return None  # a personal chat has no team: the answer explains the target
        roster: list[ChannelAccount] = []
        token: str | None = None
        while True:
            page = await TeamsInfo.get_paged_members(context, token, self.page_size)
            roster += [m for m in page.members or [] if getattr(m, "aad_object_id", None)]
            token = page.continuation_token
            if not token:
                break
        slots = asyncio.Semaphore(OPENING)

        async def one(member: ChannelAccount) -> Actor | None:
            async with slots:
                return await self._with_chat(context, member)

        found = await asyncio.gather(*(one(m) for m in roster))
        return [actor for actor in found if actor is not None]

    async def _with_chat(self, context: TurnContext, member: ChannelAccount) -> Actor | None:
        """The member with their personal chat opened; None when Teams refuses it."""
        try:
            reference = await open_chat_from(self.adapter, self.app_id, context, member.id)
        except Exception as error:  # one member's chat must not stop the others
            logger.warning("could not open a personal chat (%s)", type(error).__name__)
            return None
        return Actor(
            PLATFORM,
            member.aad_object_id,
            display_name=(member.name or None),
            address=references.dump(reference),
        )

    async def lookup(self, reference: str) -> Actor | None:
        """An AAD object id as such; any other id (a mention's ``29:…``) through the roster
        of the team the command came from, or of the conversation."""
        if _GUID.fullmatch(reference):
            return Actor(PLATFORM, reference.lower())
        context = self._turn.get()
        if context is None:
            return None
        try:
            member = await TeamsInfo.get_member(context, reference)
        except Exception as error:
            logger.info("member lookup failed (%s)", type(error).__name__)
            return None
        key = getattr(member, "aad_object_id", None)
        return Actor(PLATFORM, key, display_name=member.name or None) if key else None


class _KnownChannelDataKeys(logging.Filter):
    """Drops msrest's "… is not a known attribute of class TeamsChannelData" for
    :data:`CHANNEL_DATA_KEYS` only; every other msrest warning passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (
            record.msg == "%s is not a known attribute of class %s and will be ignored"
            and len(args) == 2
            and args[0] in CHANNEL_DATA_KEYS
            and "TeamsChannelData" in str(args[1])
        )


def quiet_channel_data_keys() -> None:
    """Install the filter on msrest's serialization logger, once per process."""
    noisy = logging.getLogger("msrest.serialization")
    if not any(isinstance(f, _KnownChannelDataKeys) for f in noisy.filters):
        noisy.addFilter(_KnownChannelDataKeys())
