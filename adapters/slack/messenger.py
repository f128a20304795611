"""The dispatcher's way into Slack: chat.postMessage to a person's app DM, chat.update later.

It never retries or waits itself: every failure becomes :class:`DeliveryFailed` and the
dispatcher applies :attr:`limits` (token buckets, Retry-After, backoff) for all platforms alike.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from aiohttp import ClientConnectorError, ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import message
from adapters.slack.errors import error_code
from bot.delivery.throttle import retry_after_seconds
from bot.ports import Addressee, DeliveryFailed, Rate, SendLimits
from bot.views import View

logger = logging.getLogger(__name__)

# The person cannot be reached: gone, deactivated, or not accepting the app's messages.
PERSON_GONE = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "not_in_channel",
        "is_archived",
        "messages_tab_disabled",
    }
)
# The app itself is cut off (token revoked, app uninstalled, workspace gone): nothing will
# succeed until an admin reinstalls, so retrying is pointless too.
APP_GONE = frozenset(
    {
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "app_uninstalled",
        "team_access_not_granted",
        "ekm_access_denied",
        "missing_scope",
    }
)


# Slack: "it's possible some aspect of the operation succeeded before the error was raised".
MAYBE_DONE = frozenset({"internal_error", "fatal_error"})
# Slack fetches a photo itself when a message is posted and refuses the whole message when it
# cannot ("invalid_blocks": "downloading image failed"); the card then goes out without photos.
IMAGE_FAILED = "downloading image failed"


def slack_limits(rate_per_second: float) -> SendLimits:
    """chat.postMessage: about one per second per conversation (short bursts allowed) and an
    app-wide rate, configurable because Slack sizes it per workspace ("several hundred per
    minute")."""
    overall = (
        Rate(round(rate_per_second), 1.0)
        if rate_per_second >= 1
        else Rate(1, 1 / rate_per_second)  # e.g. 0.5 per second: one every two seconds
    )
    return SendLimits(
        overall=(overall,),
        per_conversation=(Rate(1, 1.0),),
        concurrency=20,
    )


class SlackMessenger:
    """Sends and updates messages; the message reference is ``"<channel>:<ts>"``."""

    def __init__(self, client: AsyncWebClient, *, rate_per_second: float) -> None:
        self.client = client
        self._limits = slack_limits(rate_per_second)

    @property
    def limits(self) -> SendLimits:
        return self._limits

    async def send(self, to: Addressee, view: View) -> str | None:
        post = partial(
            self.client.chat_postMessage,
            channel=to.user_key,
            unfurl_links=False,
            unfurl_media=False,
        )
        try:
            response = await _with_photos_if_possible(post, view)
        except Exception as error:
            raise delivery_failed(error) from error
        return f"{response.get('channel')}:{response.get('ts')}"

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        channel, _, ts = message_ref.partition(":")
        try:
            await _with_photos_if_possible(
                partial(self.client.chat_update, channel=channel, ts=ts), view
            )
        except Exception as error:
            raise delivery_failed(error) from error


async def _with_photos_if_possible(call: Callable[..., Awaitable[Any]], view: View) -> Any:
    """``call`` with the view's message; once more without image blocks when Slack could not
    fetch a photo: that depends on the photo's host, never on the person."""
    content = message([view])
    try:
        return await call(**content)
    except SlackApiError as error:
        if error_code(error) != "invalid_blocks" or IMAGE_FAILED not in str(error.response.data):
            raise
        logger.warning("Slack could not fetch a photo of a card; it is sent without photos")
        blocks = [block for block in content["blocks"] if block.get("type") != "image"]
        return await call(**{**content, "blocks": blocks})


def delivery_failed(error: Exception) -> DeliveryFailed:
    """A Slack failure in the dispatcher's terms; no user id goes into the reason."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        code = error_code(error) or f"http {status}"
        if status == 429 or code == "ratelimited":
            return DeliveryFailed(
                "rate limited",
                rate_limited=True,
                retry_after=retry_after(getattr(error.response, "headers", {}) or {}),
            )
        if code in APP_GONE:
            # The app is cut off, not the person: never a reason to mark anyone unreachable.
            logger.error("Slack refused the app's token (%s): reinstall the app", code)
            return DeliveryFailed(code)
        if code in MAYBE_DONE:
            return DeliveryFailed(code, uncertain=True)
        return DeliveryFailed(code, permanent=code in PERSON_GONE)
    if isinstance(error, TimeoutError):
        # The request went out; Slack may have posted it. Sending again could show it twice.
        return DeliveryFailed("timed out", uncertain=True)
    if isinstance(error, ClientConnectorError):
        return DeliveryFailed(type(error).__name__)  # no connection: nothing reached Slack
    if isinstance(error, ClientError | OSError):
        # The connection broke after the request was written: it may have been posted.
        return DeliveryFailed(type(error).__name__, uncertain=True)
    return DeliveryFailed(f"unexpected {type(error).__name__}")


def retry_after(headers: Mapping[str, object]) -> float | None:
    found = (value for name, value in headers.items() if name.lower() == "retry-after")
    return retry_after_seconds(next(found, None))
