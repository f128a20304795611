"""Who is behind a Slack user id: name, locale and time zone from users.info, cached a while."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import error_code
from bot.ports import Actor

logger = logging.getLogger(__name__)
PLATFORM = "slack"
REFRESH_SECONDS = 12 * 3600  # a moved person's time zone is picked up within half a day
CACHE_SIZE = 20_000


def actor_from_user(user: dict[str, object]) -> Actor:
    """A users.info / users.list ``user`` object as the core's Actor."""
    profile = user.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
    )
    locale, tz = user.get("locale"), user.get("tz")
    return Actor(
        PLATFORM,
        str(user["id"]),
        display_name=str(name) if name else None,
        locale=str(locale) if locale else None,
        timezone=str(tz) if tz else None,
    )


class People:
    """users.info on first contact and again after ``refresh_seconds``; least recent evicted."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        size: int = CACHE_SIZE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.refresh_seconds = refresh_seconds
        self.size = size
        self.monotonic = monotonic
        self._known: OrderedDict[str, tuple[float, Actor]] = OrderedDict()

    def known(self, user_id: str) -> Actor | None:
        """What the cache holds about a person, without asking Slack."""
        cached = self._known.get(user_id)
        return cached[1] if cached else None

    async def actor(self, user_id: str) -> Actor:
        now = self.monotonic()
        cached = self._known.get(user_id)
        if cached is not None and now - cached[0] < self.refresh_seconds:
            self._known.move_to_end(user_id)
            return cached[1]
        found = await self.fetch(user_id)
        if found is None:
            # Slack did not answer: keep what we knew, or go on with the id alone.
            return cached[1] if cached else Actor(PLATFORM, user_id)
        self._known[user_id] = (now, found)
        self._known.move_to_end(user_id)
        while len(self._known) > self.size:
            self._known.popitem(last=False)
        return found

    async def fetch(self, user_id: str) -> Actor | None:
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, ClientError, OSError, TimeoutError) as error:
            logger.warning("users.info failed: %s", _reason(error))
            return None
        user = response.get("user")
        return actor_from_user(user) if isinstance(user, dict) else None


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return error_code(error) or "error"
    return type(error).__name__
