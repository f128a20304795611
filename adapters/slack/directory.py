"""Members of a channel or the whole workspace, and the person behind a mention."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import error_code
from adapters.slack.people import PLATFORM, People, actor_from_user
from bot.ports import Actor, Target

CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
EVERYONE = frozenset({"everyone", "team", "alle", "@everyone", "@channel"})
SLACKBOT = "USLACKBOT"
PAGE = 200
# The channel is gone, or the app is not in it (any more): nothing to list.
NO_CHANNEL = frozenset({"channel_not_found", "not_in_channel", "is_archived", "missing_scope"})


def is_person(user: Mapping[str, Any]) -> bool:
    """A full member: no bot, no app, no deleted account, no guest, not Slackbot."""
    return not (
        user.get("is_bot")
        or user.get("is_app_user")
        or user.get("deleted")
        or user.get("is_restricted")
        or user.get("is_ultra_restricted")
        or user.get("id") == SLACKBOT
    )


def channel_id(target: str) -> str | None:
    found = CHANNEL.match(target.strip())
    return found.group(1) if found else None


class SlackDirectory:
    """``#channel`` via conversations.members, ``everyone`` via users.list, both paginated."""

    def __init__(self, client: AsyncWebClient, people: People) -> None:
        self.client = client
        self.people = people

    async def members(self, target: str) -> list[Actor] | None:
        target = target.strip()
        if target.lower() in EVERYONE:
            return [actor_from_user(user) async for user in self._users() if is_person(user)]
        channel = channel_id(target) or await self._channel_named(target)
        if channel is None:
            return None
        ids = {
            member
            async for member in self._pages("conversations_members", "members", channel=channel)
        }
        # Channel membership says nothing about bots and guests: users.list does.
        return [
            actor_from_user(user)
            async for user in self._users()
            if user.get("id") in ids and is_person(user)
        ]

    async def target(self, text: str) -> Target | None:
        """``<#C…|name>`` or ``#name``: the channel, its name and size (conversations.info);
        ``everyone`` (or ``team``) is the whole workspace."""
        text = text.strip()
        if text.lower() in EVERYONE:
            return Target(PLATFORM, "", "everyone")
        channel = channel_id(text) or await self._channel_named(text)
        if channel is None:
            return None
        try:
            answer = await self.client.conversations_info(channel=channel, include_num_members=True)
        except SlackApiError as error:
            if error_code(error) in NO_CHANNEL:
                return None
            raise
        found = answer.get("channel") or {}
        size = found.get("num_members")
        label = f"#{found.get('name') or channel}"
        return Target(PLATFORM, channel, label, size if isinstance(size, int) else None)

    async def member_keys(self, target: Target) -> frozenset[str] | None:
        """The channel's members now (conversations.members, paginated)."""
        try:
            return frozenset(
                [
                    str(member)
                    async for member in self._pages(
                        "conversations_members", "members", channel=target.key
                    )
                ]
            )
        except SlackApiError as error:
            if error_code(error) in NO_CHANNEL:
                return None
            raise

    async def lookup(self, reference: str) -> Actor | None:
        reference = reference.strip()
        found = USER.match(reference)
        user_id = found.group(1) if found else reference if USER_ID.match(reference) else None
        if user_id is not None:
            return await self.people.fetch(user_id)  # fresh: it must exist to hold a role
        name = reference.lstrip("@").lower()
        async for user in self._users():
            profile = user.get("profile") or {}
            names = {
                str(user.get("name", "")).lower(),
                str(profile.get("display_name", "")).lower(),
            }
            if name and name in names and is_person(user):
                return actor_from_user(user)
        return None

    async def _channel_named(self, target: str) -> str | None:
        if not target.startswith("#"):
            return None
        name = target[1:].lower()
        async for channel in self._pages(
            "conversations_list",
            "channels",
            types="public_channel,private_channel",
            exclude_archived=True,
        ):
            if str(channel.get("name", "")).lower() == name:
                return str(channel["id"])
        return None

    def _users(self) -> AsyncIterator[dict[str, Any]]:
        return self._pages("users_list", "members")

    async def _pages(self, method: str, key: str, **params: Any) -> AsyncIterator[Any]:
        cursor = ""
        while True:
            call = getattr(self.client, method)
            response = await call(limit=PAGE, cursor=cursor or None, **params)
            for item in response.get(key) or []:
                yield item
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return
