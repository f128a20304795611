"""Sending through a platform's Messenger within its limits, and what came of each message.

One rule for every platform (delivery rule 2): only a message the platform certainly did not take
(:class:`NotTaken`) is tried again, within a bounded number of attempts and time, paced by a
token bucket per platform and per conversation, a pause after ``Retry-After`` and backoff with
jitter. A message the platform may have taken (:class:`MaybeTaken`, and any exception a
Messenger does not name) is uncertain: counted, never sent again. A refusal is not retried; a
person who cannot be reached is marked so.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.delivery.throttle import Throttle
from bot.metrics import Metrics
from bot.ports import (
    Addressee,
    MaybeTaken,
    Messenger,
    NotTaken,
    SendFailure,
    Uncertainty,
    Unreachable,
)
from bot.views import View
from storage.outbox import Claimed
from storage.people import Contact

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"  # certainly not shown: refused, or not taken until time or attempts ran out
    UNREACHABLE = "unreachable"
    UNCERTAIN = "uncertain"


@dataclass
class Outgoing:
    """One message to send, decided inside the claiming transaction."""

    rows: list[Claimed]
    person: Contact
    view: View
    suggestion_ids: list[int] = field(default_factory=list)
    message_ref: str | None = None
    outcome: Outcome = Outcome.FAILED
    uncertainty: Uncertainty | None = None

    @property
    def to(self) -> Addressee:
        return Addressee(self.person.platform, self.person.user_key, self.person.address)


@dataclass
class _Lane:
    messenger: Messenger
    throttle: Throttle
    slots: asyncio.Semaphore
    sent: Any  # the platform's children of the metrics, looked up once
    failed: Any
    seconds: Any


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
                self._metrics.sent.labels(platform),
                self._metrics.failed.labels(platform),
                self._metrics.dispatch_seconds.labels(platform),
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
            lane.sent.inc()
            return
        except MaybeTaken as doubt:
            item.outcome, item.uncertainty = Outcome.UNCERTAIN, doubt.uncertainty
            self._metrics.uncertain.labels(platform, doubt.uncertainty.value).inc()
            error: SendFailure = doubt
        except Unreachable as gone:
            item.outcome, error = Outcome.UNREACHABLE, gone
        except SendFailure as failure:  # refused, or not taken until we gave up
            item.outcome, error = Outcome.FAILED, failure
        lane.failed.inc()
        logger.warning("delivery %s on %s (%s)", item.outcome.value, platform, error.reason)

    async def notify(self, to: Addressee, view: View) -> bool:
        """Send a message that is no delivery (an approval card, an answer to an author),
        under the same rule: only what the platform did not take is tried again. Whether it
        was sent; a failure costs that message only."""
        lane = self._lane(to.platform)
        if lane is None:
            return False
        try:
            await self._attempt(lane, to, view, None)
        except SendFailure as error:
            logger.warning("a notification on %s was not sent (%s)", to.platform, error.reason)
            return False
        return True

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        """Replace a sent message (a suggestion ended), under the same rule as sending: only a
        change the platform did not take is tried again; any other failure costs that update."""
        lane = self._lane(to.platform)
        if lane is None:
            return
        try:
            await self._attempt(lane, to, view, message_ref)
        except SendFailure as error:
            logger.warning("could not mark a card as ended on %s (%s)", to.platform, error.reason)

    async def _attempt(
        self, lane: _Lane, to: Addressee, view: View, message_ref: str | None
    ) -> str | None:
        """Call the platform until it took the message, the failure is final, or time is up.

        Time is up well before the row's lease ends, so that no other process counts a
        message as interrupted while this one may still send it.
        """
        deadline = time.monotonic() + self._give_up_after
        attempt = 0
        async with lane.slots:
            while True:
                attempt += 1
                left = await lane.throttle.acquire(to.user_key)
                if time.monotonic() > deadline:
                    raise NotTaken("gave up: the platform kept us waiting too long")
                started = time.perf_counter()
                try:
                    if message_ref is None:
                        sent = await lane.messenger.send(to, view)
                    else:
                        await lane.messenger.update(to, message_ref, view)
                        sent = message_ref
                    lane.throttle.accepted()
                    return sent
                except NotTaken as error:
                    wait = self._retry_wait(lane, to.platform, error, attempt, left)
                    if wait is None or time.monotonic() + wait > deadline:
                        raise
                except SendFailure:
                    raise
                except Exception as error:
                    # Not one of the four answers: the message may have gone out, so never again.
                    # The kind only at WARNING and above: a traceback can carry a user id.
                    logger.error(
                        "unexpected %s from the %s messenger", type(error).__name__, to.platform
                    )
                    logger.debug("unexpected messenger failure", exc_info=error)
                    raise MaybeTaken(Uncertainty.UNEXPECTED, type(error).__name__) from error
                finally:
                    lane.seconds.observe(time.perf_counter() - started)
                await self._sleep(wait)

    def _retry_wait(
        self, lane: _Lane, platform: str, error: NotTaken, attempt: int, left: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when attempts are used up.

        After a ``Retry-After`` the throttle holds back every message on the platform until
        its pause ends, and this one waits as long (to be weighed against the deadline).
        """
        if error.limited:
            self._metrics.rate_limited.labels(platform).inc()
        if attempt >= lane.throttle.limits.max_attempts:
            return None
        if error.retry_after is not None:
            lane.throttle.pause(error.retry_after, left=left)
            return lane.throttle.paused_for()
        return lane.throttle.backoff(attempt)
