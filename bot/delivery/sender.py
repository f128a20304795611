"""Sending through a platform's Messenger within its limits, and what came of each message.

The same rules for every platform: a token bucket per platform and per conversation, a pause
when the platform answers 429 with ``Retry-After``, exponential backoff with jitter for other
transient failures, a bounded number of attempts, no retry after a permanent failure or when
the platform may already have shown the message.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from bot.delivery.throttle import Throttle
from bot.metrics import Metrics
from bot.ports import Addressee, DeliveryFailed, Messenger
from bot.views import View
from storage.models import Delivery, Person

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    UNCERTAIN = "uncertain"


@dataclass
class Outgoing:
    """One message to send, decided inside the claiming transaction."""

    rows: list[Delivery]
    person: Person
    view: View
    suggestion_ids: list[int] = field(default_factory=list)
    message_ref: str | None = None
    outcome: Outcome = Outcome.FAILED

    @property
    def to(self) -> Addressee:
        return Addressee(self.person.platform, self.person.user_key, self.person.address)


@dataclass
class _Lane:
    messenger: Messenger
    throttle: Throttle
    slots: asyncio.Semaphore


class Sender:
    """One per process; a lane (limits and concurrency) per platform."""

    def __init__(
        self,
        messengers: Callable[[], Mapping[str, Messenger]],
        metrics: Metrics,
        *,
        give_up_after: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._messengers = messengers
        self._metrics = metrics
        self._give_up_after = give_up_after
        self._sleep = sleep
        self._lanes: dict[str, _Lane] = {}

    def _lane(self, platform: str) -> _Lane | None:
        """The platform's lane, built on first use (and again if its Messenger was replaced)."""
        messenger = self._messengers().get(platform)
        if messenger is None:
            return None
        lane = self._lanes.get(platform)
        if lane is None or lane.messenger is not messenger:
            limits = messenger.limits
            lane = _Lane(
                messenger,
                Throttle(limits, sleep=self._sleep),
                asyncio.Semaphore(limits.concurrency),
            )
            self._lanes[platform] = lane
        return lane

    async def send(self, item: Outgoing) -> None:
        """Send one message; sets ``item.outcome`` (and ``message_ref`` when sent)."""
        platform = item.person.platform
        lane = self._lane(platform)
        if lane is None:
            logger.warning("no messenger for platform %s; delivery dropped", platform)
            return
        try:
            item.message_ref = await self._attempt(lane, item.to, item.view, None)
            item.outcome = Outcome.SENT
            self._metrics.sent.labels(platform).inc()
        except DeliveryFailed as error:
            self._metrics.failed.labels(platform).inc()
            if error.permanent:
                item.outcome = Outcome.UNREACHABLE
            elif error.uncertain:
                item.outcome = Outcome.UNCERTAIN
                self._metrics.uncertain.inc()
            logger.warning("delivery %s on %s (%s)", item.outcome.value, platform, error)

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        """Replace a sent message (a suggestion ended); a failure only costs that update."""
        lane = self._lane(to.platform)
        if lane is None:
            return
        try:
            await self._attempt(lane, to, view, message_ref)
        except DeliveryFailed as error:
            logger.warning("could not mark a card as ended on %s (%s)", to.platform, error)

    async def _attempt(
        self, lane: _Lane, to: Addressee, view: View, message_ref: str | None
    ) -> str | None:
        """Call the platform until it works, the failure is final, or time is up.

        Time is up well before the row's lease ends, so that no other process counts a
        message as interrupted while this one may still send it.
        """
        deadline = time.monotonic() + self._give_up_after
        attempt = 0
        async with lane.slots:
            while True:
                attempt += 1
                await lane.throttle.acquire(to.user_key)
                if time.monotonic() > deadline:
                    raise DeliveryFailed("gave up: the platform kept us waiting too long")
                started = time.perf_counter()
                try:
                    if message_ref is None:
                        sent = await lane.messenger.send(to, view)
                    else:
                        await lane.messenger.update(to, message_ref, view)
                        sent = message_ref
                    lane.throttle.accepted()
                    return sent
                except DeliveryFailed as error:
                    wait = self._retry_wait(lane, to.platform, error, attempt)
                    if wait is None or time.monotonic() + wait > deadline:
                        raise
                except Exception as error:
                    # Unknown failure: the message may have gone out, so never again.
                    logger.exception("unexpected error from the %s messenger", to.platform)
                    raise DeliveryFailed(type(error).__name__, uncertain=True) from error
                finally:
                    self._metrics.dispatch_seconds.labels(to.platform).observe(
                        time.perf_counter() - started
                    )
                await self._sleep(wait)

    def _retry_wait(
        self, lane: _Lane, platform: str, error: DeliveryFailed, attempt: int
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when it must not be retried.

        After a ``Retry-After`` the throttle holds back every message on the platform; the
        seconds are returned all the same, to be weighed against the deadline.
        """
        if error.rate_limited:
            self._metrics.rate_limited.labels(platform).inc()
        if error.permanent or error.uncertain or attempt >= lane.throttle.limits.max_attempts:
            return None
        if error.retry_after is not None:
            lane.throttle.pause(error.retry_after)
            return error.retry_after
        return lane.throttle.backoff(attempt)
