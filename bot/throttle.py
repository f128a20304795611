"""A platform's sending limits in one process: token buckets, Retry-After pauses, backoff."""

from __future__ import annotations

import asyncio
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.ports import Rate, SendLimits

_CONVERSATIONS_KEPT = 10_000
_EPSILON = 1e-9  # float refills land a hair below a whole token


class TokenBucket:
    """``rate.count`` tokens that refill evenly over ``rate.seconds``; a message takes one."""

    def __init__(self, rate: Rate, now: float) -> None:
        self.capacity = float(rate.count)
        self.per_second = rate.count / rate.seconds
        self.tokens = self.capacity
        self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0 when one is there now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 - _EPSILON else (1 - self.tokens) / self.per_second

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def reserve(self, now: float) -> float:
        """Take a token that may not be there yet; returns the seconds to wait for it."""
        self.take(now)
        return max(0.0, -self.tokens / self.per_second)

    def full(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.capacity - _EPSILON

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now


class Throttle:
    """Paces one platform's messages: every bucket must allow a message before it goes.

    A conversation's own limit is waited for alone (one busy conversation holds nobody else
    up); the platform-wide limit is waited for in turn, so waiters do not all wake at once.
    """

    def __init__(
        self,
        limits: SendLimits,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.limits = limits
        self._now = monotonic
        self._sleep = sleep
        self._jitter = jitter
        start = monotonic()
        self._overall = [TokenBucket(rate, start) for rate in limits.overall]
        self._conversations: OrderedDict[str, list[TokenBucket]] = OrderedDict()
        self._paused_until = 0.0
        self._turn = asyncio.Lock()

    async def acquire(self, conversation: str) -> None:
        """Wait until a message to ``conversation`` is allowed, then count it."""
        now = self._now()
        own = max((b.reserve(now) for b in self._buckets(conversation, now)), default=0.0)
        if own > 0:
            await self._sleep(own)
        async with self._turn:
            while True:
                now = self._now()
                wait = max([self._paused_until - now, *(b.wait(now) for b in self._overall)])
                if wait <= 0:
                    for bucket in self._overall:
                        bucket.take(now)
                    return
                await self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """The platform said "retry after": nothing goes out on it before then."""
        self._paused_until = max(self._paused_until, self._now() + seconds)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter for the ``attempt``-th retry (from 1)."""
        ceiling = min(
            self.limits.backoff_cap_seconds, self.limits.backoff_seconds * 2.0 ** (attempt - 1)
        )
        return ceiling * self._jitter()

    def _buckets(self, conversation: str, now: float) -> list[TokenBucket]:
        if not self.limits.per_conversation:
            return []
        buckets = self._conversations.get(conversation)
        if buckets is None:
            buckets = [TokenBucket(rate, now) for rate in self.limits.per_conversation]
            self._conversations[conversation] = buckets
            self._forget_idle(now)
        else:
            self._conversations.move_to_end(conversation)
        return buckets

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: drop the oldest conversations whose buckets are full again."""
        while len(self._conversations) > _CONVERSATIONS_KEPT:
            oldest, buckets = next(iter(self._conversations.items()))
            if not all(bucket.full(now) for bucket in buckets):
                break
            del self._conversations[oldest]
