"""The dispatcher's way into Slack: chat.postMessage to a person's app DM, chat.update later.

It never retries or waits itself: it says what Slack did with a message (not taken, maybe
taken, refused, person unreachable) and the core's Sender decides, for all platforms alike.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from aiohttp import ClientConnectorError, ClientError, ClientPayloadError, ConnectionTimeoutError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.outcomes import by_status, retry_after
from adapters.slack.blocks import message
from adapters.slack.errors import error_code
from bot.ports import (
    Addressee,
    MaybeTaken,
    NotTaken,
    Rate,
    Refused,
    SendFailure,
    SendLimits,
    Uncertainty,
    Unreachable,
)
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


# Slack: "it's possible some aspect of the operation succeeded before the error was raised";
# and a service that is "temporarily unavailable" may have been so halfway through.
MAYBE_DONE = frozenset({"internal_error", "fatal_error", "service_unavailable"})
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
        concurrency=64,  # in flight at most (the dispatcher bounds it too)
    )


RENDERED_KEPT = 256  # messages kept rendered: a fan-out sends the same few cards to everyone
# chat.postMessage's JSON body is sent as it is, so slack_sdk's Content-Type must be JSON's
JSON_BODY = {"Content-Type": "application/json;charset=utf-8"}


class _Rendered(NamedTuple):
    view: View
    content: dict[str, Any]
    post: bytes  # chat.postMessage's JSON body without its channel: ``,"text":…}``


class SlackMessenger:
    """Sends and updates messages; the message reference is ``"<channel>:<ts>"``.

    The core hands the same view object to everyone who sees the same card, so a view is
    rendered once, and the JSON body of its chat.postMessage encoded once (slack_sdk would
    encode every block again for every person: a tenth of a fan-out's time): the last few
    are kept by identity (each with its view, so that an id is never reused while it is
    kept), never by person.
    """

    def __init__(self, client: AsyncWebClient, *, rate_per_second: float) -> None:
        self.client = client
        self._limits = slack_limits(rate_per_second)
        self._rendered: OrderedDict[int, _Rendered] = OrderedDict()

    def content(self, view: View) -> dict[str, Any]:
        """``text`` and ``blocks`` for the view (not to be changed: it may be kept)."""
        return self._rendering(view).content

    def _rendering(self, view: View) -> _Rendered:
        kept = self._rendered.get(id(view))
        if kept is not None and kept.view is view:
            self._rendered.move_to_end(id(view))
            return kept
        content = message([view])
        rendered = _Rendered(view, content, _post_body(content)[len(b'{"channel":""') :])
        self._rendered[id(view)] = rendered
        if len(self._rendered) > RENDERED_KEPT:
            self._rendered.popitem(last=False)
        return rendered

    @property
    def limits(self) -> SendLimits:
        return self._limits

    async def send(self, to: Addressee, view: View) -> str | None:
        rendered = self._rendering(view)

        async def post(content: dict[str, Any]) -> Any:
            if content is rendered.content:  # the card as rendered: its body is encoded
                body = b'{"channel":' + json.dumps(to.user_key).encode() + rendered.post
            else:  # without its photos
                body = _post_body({"channel": to.user_key, **content})
            return await self.client.api_call(
                "chat.postMessage",
                data=body,  # type: ignore[arg-type]  # slack_sdk sends bytes as they are
                headers=dict(JSON_BODY),  # a copy: slack_sdk adds its own to the dict given
            )

        response = await _in_core_terms(post, rendered.content)
        channel, ts = response.get("channel"), response.get("ts")
        if not channel or not ts:  # "ok" without the message: not Slack's answer to a post
            raise MaybeTaken(Uncertainty.UNREADABLE, "no channel and ts in the answer")
        return f"{channel}:{ts}"

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        channel, _, ts = message_ref.partition(":")

        async def update(content: dict[str, Any]) -> Any:
            return await self.client.chat_update(channel=channel, ts=ts, **content)

        await _in_core_terms(update, self.content(view))


def _post_body(content: dict[str, Any]) -> bytes:
    """chat.postMessage's JSON body, as slack_sdk's ``chat_postMessage`` would send it; a
    channel, if any, comes first."""
    body = {"channel": "", **content, "unfurl_links": False, "unfurl_media": False}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


Call = Callable[[dict[str, Any]], Awaitable[Any]]  # a Web API method, called with a message


async def _in_core_terms(call: Call, content: dict[str, Any]) -> Any:
    """``call`` with a rendered message; a failure comes out as what Slack did with it."""
    try:
        return await _with_photos_if_possible(call, content)
    except Exception as error:
        if (failure := send_failure(error)) is None:
            raise
        raise failure from error


async def _with_photos_if_possible(call: Call, content: dict[str, Any]) -> Any:
    """``call`` with a rendered message; once more without image blocks when Slack could not
    fetch a photo: that depends on the photo's host, never on the person."""
    try:
        return await call(content)
    except SlackApiError as error:
        if error_code(error) != "invalid_blocks" or IMAGE_FAILED not in str(error.response.data):
            raise
        logger.warning("Slack could not fetch a photo of a card; it is sent without photos")
        blocks = [block for block in content["blocks"] if block.get("type") != "image"]
        return await call({**content, "blocks": blocks})


def send_failure(error: Exception) -> SendFailure | None:
    """What Slack did with a message that did not clearly arrive; no user id in the reason.

    None for an exception this does not know: it goes up as it is, and the Sender counts it
    as maybe taken, like every failure nobody can explain.
    """
    if isinstance(error, SlackApiError):
        return _answered(error)
    if isinstance(error, ClientConnectorError | ConnectionTimeoutError):
        # No connection (refused, DNS, TLS handshake): the request was never written.
        return NotTaken(f"no connection: {type(error).__name__}")
    if isinstance(error, TimeoutError):
        # The request went out; Slack may have posted it. Sending again could show it twice.
        return MaybeTaken(Uncertainty.TIMEOUT)
    if isinstance(error, ClientPayloadError):
        return MaybeTaken(Uncertainty.UNREADABLE, type(error).__name__)  # a cut-off answer
    if isinstance(error, ClientError | OSError):
        # The connection broke after the request was written: it may have been posted.
        return MaybeTaken(Uncertainty.CONNECTION_LOST, type(error).__name__)
    return None


def _answered(error: SlackApiError) -> SendFailure:
    """Slack (or something in front of it) answered, and not with a success."""
    response = error.response
    status = _status(response)
    headers = getattr(response, "headers", None) or {}
    code = error_code(error)
    if status == 429 or code == "ratelimited":
        return NotTaken("rate limited", limited=True, retry_after=retry_after(headers))
    if status >= 500:
        return by_status(status, headers)  # whatever the body says: it may have been posted
    if code in MAYBE_DONE:
        return MaybeTaken(Uncertainty.PLATFORM_ERROR, code)
    if code in PERSON_GONE:
        return Unreachable(code)
    if code in APP_GONE:
        # The app is cut off, not the person: never a reason to mark anyone unreachable.
        logger.error("Slack refused the app's token (%s): reinstall the app", code)
        return Refused(code)
    if code is not None:
        return Refused(code)  # Slack's own "no" (invalid_blocks, msg_too_long, …): not posted
    if status != 200:
        return by_status(status, headers)
    # 200 without Slack's JSON (an HTML page, a cut-off body): no clear success.
    return MaybeTaken(Uncertainty.UNREADABLE, "not Slack's JSON")


def _status(response: object) -> int:
    """The HTTP status of slack_sdk's response, or of the raw one it hands over when the body
    could not be read."""
    for name in ("status_code", "status"):
        value = getattr(response, name, None)
        if isinstance(value, int):
            return value
    return 0
