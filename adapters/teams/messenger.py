"""The Teams Messenger: proactive messages through stored conversation references.

It never retries or waits on its own: it says what the Bot Connector did with a message (not
taken, maybe taken, refused, person unreachable) and the core's Sender decides, applying
:attr:`TeamsMessenger.limits`.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from azure.core.exceptions import DeserializationError
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import ClientRequestError, HttpOperationError
from requests import exceptions as http
from urllib3.exceptions import NewConnectionError

from adapters.outcomes import by_status
from adapters.teams import references
from adapters.teams.cards import render_card
from adapters.teams.connector import Answer, watch_answers
from bot.ports import (
    Addressee,
    MaybeTaken,
    NotTaken,
    Rate,
    SendFailure,
    SendLimits,
    Uncertainty,
    Unreachable,
)
from bot.views import View, plain_text, unmarked

# Microsoft's documented limits: per conversation 7/s and 60/30 s; about 30/s per app and tenant.
LIMITS = SendLimits(
    overall=(Rate(30, 1.0),),
    per_conversation=(Rate(7, 1.0), Rate(60, 30.0)),
)
TIMEOUT_SECONDS = 30.0
_GONE = frozenset({403, 404})
_SUMMARY = 200


def activity_for(view: View) -> Activity:
    """One message carrying the view's Adaptive Card; the plain text, without the core's marks,
    is what notifications and the chat list show."""
    activity = MessageFactory.attachment(CardFactory.adaptive_card(render_card(view)))
    activity.summary = unmarked(plain_text(view))[:_SUMMARY]
    return activity


class TeamsMessenger:
    """Sends and updates cards with ``continue_conversation`` and the app id."""

    def __init__(
        self, adapter: CloudAdapter, app_id: str, *, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.timeout = timeout

    @property
    def limits(self) -> SendLimits:
        return LIMITS

    async def send(self, to: Addressee, view: View) -> str | None:
        sent: list[object] = []

        async def post(context: TurnContext) -> None:
            # The continuation event's random id would make this a reply to nothing.
            context.activity.id = None
            response = await context.send_activity(activity_for(view))
            sent.append(response.id if response else None)

        await self._continue(to, post)
        ref = sent[0] if sent else None
        if not isinstance(ref, str) or not ref:
            # A success without the new activity's id is not the Bot Connector's answer.
            raise MaybeTaken(Uncertainty.UNREADABLE, "no activity id in the answer")
        return ref

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        async def replace(context: TurnContext) -> None:
            activity = activity_for(view)
            activity.id = message_ref
            await context.update_activity(activity)

        await self._continue(to, replace)

    async def _continue(
        self, to: Addressee, work: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        try:
            reference = references.load(to.address)
        except references.BadReference as error:
            raise Unreachable(str(error)) from error
        failures: list[BaseException] = []
        answer = Answer()
        started = False

        async def callback(context: TurnContext) -> None:
            nonlocal answer, started
            answer, started = watch_answers(context), True
            # Caught here: the adapter's turn-error handler must not swallow or answer it.
            try:
                await work(context)
            except Exception as error:
                failures.append(error)

        try:
            async with asyncio.timeout(self.timeout):
                await self.adapter.continue_conversation(reference, callback, self.app_id)
        except Exception as error:
            if not started:
                # Nothing was sent to the conversation yet (no client, no token): not taken.
                raise NotTaken(f"turn not started: {type(error).__name__}") from error
            failures.append(error)
        if failures:
            if (failure := send_failure(failures[0], answer)) is None:
                raise failures[0]
            raise failure from failures[0]


def send_failure(error: BaseException, answer: Answer) -> SendFailure | None:
    """What the Bot Connector did with one call that did not clearly succeed.

    None for an exception this does not know: it goes up as it is, and the Sender counts it
    as maybe taken.
    """
    if isinstance(error, HttpOperationError) and error.response is not None:
        response = error.response
        return _by_status(_status(response), getattr(response, "headers", None) or {})
    if answer.status and not 200 <= answer.status < 300:
        return _by_status(answer.status, answer.headers)  # an error page msrest could not read
    if isinstance(error, DeserializationError):
        return MaybeTaken(Uncertainty.UNREADABLE, "the Bot Connector's answer")
    if isinstance(error, ClientRequestError):
        return _unanswered(getattr(error, "inner_exception", None))
    if isinstance(error, TimeoutError):
        # The activity may have arrived; sending it again could show it twice.
        return MaybeTaken(Uncertainty.TIMEOUT)
    if isinstance(error, ClientError | OSError):
        return MaybeTaken(Uncertainty.CONNECTION_LOST, type(error).__name__)
    return None


def _by_status(status: int, headers: dict[str, Any]) -> SendFailure:
    if status == 412:  # Teams: too many messages to this conversation, nothing was posted
        return NotTaken("412 from the Bot Connector")
    if status in _GONE:
        # 403: the person blocked or uninstalled the app; 404: the conversation is gone.
        return Unreachable(f"{status}: conversation unreachable")
    # 429 is not taken, 5xx maybe taken; 400 or 401 is this bot's own problem, not the
    # person's: refused, never a reason to mark them unreachable.
    return by_status(status, headers)


def _unanswered(cause: object) -> SendFailure:
    """A call that got no readable answer: before the request was written, or after?"""
    if isinstance(cause, http.ConnectTimeout) or _never_connected(cause):
        return NotTaken(f"no connection: {type(cause).__name__}")
    if isinstance(cause, http.Timeout):
        return MaybeTaken(Uncertainty.TIMEOUT)
    if isinstance(cause, http.ChunkedEncodingError | http.ContentDecodingError):
        return MaybeTaken(Uncertainty.UNREADABLE, type(cause).__name__)  # a cut-off answer
    return MaybeTaken(Uncertainty.CONNECTION_LOST, type(cause).__name__)


def _never_connected(error: object) -> bool:
    """Whether urllib3 failed to open the connection (refused, DNS, TLS handshake) somewhere
    in the chain of causes requests wraps it in."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        found = pending.pop()
        if not isinstance(found, BaseException) or id(found) in seen:
            continue
        seen.add(id(found))
        if isinstance(found, NewConnectionError | ssl.SSLCertVerificationError):
            return True
        pending += [*found.args, getattr(found, "reason", None), found.__cause__]
    return False


def _status(response: object) -> int:
    for name in ("status", "status_code"):
        value = getattr(response, name, None)
        if isinstance(value, int):
            return value
    return 0
