"""The Teams Messenger: proactive messages through stored conversation references.

It never retries or waits on its own: every failure becomes a :class:`DeliveryFailed` that
says what kind it is, and the dispatcher applies :attr:`TeamsMessenger.limits`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import ClientError
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.teams import references
from adapters.teams.cards import render_card
from bot.delivery.throttle import retry_after_seconds
from bot.ports import Addressee, DeliveryFailed, Rate, SendLimits
from bot.views import View, plain_text

# DESIGN §9: per conversation 7/s and 60/30 s; about 30/s per app and tenant.
LIMITS = SendLimits(
    overall=(Rate(30, 1.0),),
    per_conversation=(Rate(7, 1.0), Rate(60, 30.0)),
)
TIMEOUT_SECONDS = 30.0
_GONE = frozenset({403, 404})
_SUMMARY = 200


def activity_for(view: View) -> Activity:
    """One message carrying the view's Adaptive Card; the plain text is the notification."""
    activity = MessageFactory.attachment(CardFactory.adaptive_card(render_card(view)))
    activity.summary = plain_text(view)[:_SUMMARY]
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
        sent: list[str | None] = []

        async def post(context: TurnContext) -> None:
            # The continuation event's random id would make this a reply to nothing.
            context.activity.id = None
            response = await context.send_activity(activity_for(view))
            sent.append(response.id if response else None)

        await self._continue(to, post)
        return sent[0] if sent else None

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
            raise DeliveryFailed(str(error), permanent=True) from error
        failures: list[BaseException] = []

        async def callback(context: TurnContext) -> None:
            # Caught here: the adapter's turn-error handler must not swallow or answer it.
            try:
                await work(context)
            except Exception as error:
                failures.append(error)

        try:
            async with asyncio.timeout(self.timeout):
                await self.adapter.continue_conversation(reference, callback, self.app_id)
        except TimeoutError as error:
            # The activity may have arrived; sending it again could show it twice.
            raise DeliveryFailed("timed out", uncertain=True) from error
        except (ClientError, ClientRequestError, OSError) as error:
            raise DeliveryFailed(f"connection: {type(error).__name__}") from error
        if failures:
            raise classify(failures[0]) from failures[0]


def classify(error: BaseException) -> DeliveryFailed:
    """What the dispatcher should do about one failed call to the Bot Connector."""
    if isinstance(error, HttpOperationError) and error.response is not None:
        status = _status(error.response)
        if status == 429:
            return DeliveryFailed(
                "429 too many requests",
                rate_limited=True,
                retry_after=_retry_after(error.response),
            )
        if status in _GONE:
            # 403: the person blocked or uninstalled the app; 404: the conversation is gone.
            return DeliveryFailed(f"{status}: conversation unreachable", permanent=True)
        # 412, 502, 504, other 5xx: transient. Any other status (400, 401) is this bot's own
        # problem, not the person's: never a reason to mark them unreachable.
        return DeliveryFailed(f"{status} from the Bot Connector")
    if isinstance(error, TimeoutError):
        return DeliveryFailed("timed out", uncertain=True)
    if isinstance(error, ClientError | ClientRequestError | OSError):
        return DeliveryFailed(f"connection: {type(error).__name__}")
    return DeliveryFailed(f"unexpected: {type(error).__name__}")


def _status(response: object) -> int:
    for name in ("status", "status_code"):
        value = getattr(response, name, None)
        if isinstance(value, int):
            return value
    return 0


def _retry_after(response: object) -> float | None:
    headers = getattr(response, "headers", None) or {}
    return retry_after_seconds(headers.get("Retry-After"))
