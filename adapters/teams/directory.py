"""Who is in the team a command came from, and whom a mention or id names.

The Directory port takes no conversation, so the adapter lends the directory the current turn
(:meth:`TeamsDirectory.lent`) through a context variable: set while the core handles that one
activity, and only in its task.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from msrest.exceptions import HttpOperationError

from adapters.teams import references
from adapters.teams.activities import CHANNEL_ID, PLATFORM
from adapters.teams.personal import open_chat_from
from bot.ports import Actor, Target

logger = logging.getLogger(__name__)
TEAM_WORDS = frozenset({"team", "#team"})
EVERYONE = frozenset({"everyone", "alle"})
_GONE = frozenset({403, 404})  # the app was removed from the team, or the team is gone
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

    async def target(self, text: str) -> Target | None:
        """``team``: the team the command (or message action) came from, with what is needed
        to list its members again when the suggestion starts; None outside a team."""
        word = text.strip().lower()
        if word in EVERYONE:
            return Target(PLATFORM, "", "everyone")
        context = self._turn.get()
        if word not in TEAM_WORDS or context is None:
            return None
        team_id = TeamsInfo.get_team_id(context)
        if not team_id:
            return None
        activity = context.activity
        channel_data = activity.channel_data or {}
        key = {
            "team": team_id,
            "serviceUrl": activity.service_url,
            "tenant": (channel_data.get("tenant") or {}).get("id"),
            "bot": activity.recipient.id if activity.recipient else None,
        }
        name = (channel_data.get("team") or {}).get("name")
        size = len(await self._roster(context, team_id))
        return Target(PLATFORM, json.dumps(key, sort_keys=True), name or "team", size)

    async def member_keys(self, target: Target) -> frozenset[str] | None:
        """The team's members now, through a proactive turn into the team."""
        try:
            key: dict[str, Any] = json.loads(target.key)
            team_id = str(key["team"])
            reference = ConversationReference(
                channel_id=CHANNEL_ID,
                service_url=str(key["serviceUrl"]),
                bot=ChannelAccount(id=key.get("bot")),
                conversation=ConversationAccount(
                    id=team_id,
                    is_group=True,
                    conversation_type="channel",
                    tenant_id=key.get("tenant"),
                ),
            )
        except (ValueError, KeyError, TypeError):
            return None  # not a team this adapter stored
        found: list[frozenset[str]] = []
        failures: list[Exception] = []

        async def collect(context: TurnContext) -> None:
            try:  # caught here: the adapter's turn-error handler would swallow it
                roster = await self._roster(context, team_id)
                found.append(frozenset(m.aad_object_id for m in roster))
            except Exception as error:
                failures.append(error)

        await self.adapter.continue_conversation(reference, collect, self.app_id)
        if failures:
            error = failures[0]
            if isinstance(error, HttpOperationError) and _status(error) in _GONE:
                return None
            raise error
        return found[0] if found else None

    async def _roster(self, context: TurnContext, team_id: str) -> list[ChannelAccount]:
        """The team's members with an AAD object id, every page of them."""
        roster: list[ChannelAccount] = []
        token: str | None = None
        while True:
            page = await TeamsInfo.get_paged_team_members(context, team_id, token, self.page_size)
            roster += [m for m in page.members or [] if getattr(m, "aad_object_id", None)]
            token = page.continuation_token
            if not token:
                return roster

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


def _status(error: HttpOperationError) -> int:
    response = error.response
    for name in ("status_code", "status"):
        value = getattr(response, name, None)
        if isinstance(value, int):
            return value
    return 0
