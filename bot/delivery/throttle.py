"""A platform's sending limits in one process: token buckets, Retry-After pauses, backoff."""

from __future__ import annotations

import asyncio
import random
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable

from bot.ports import Rate, SendLimits

_CONVERSATIONS_KEPT = 10_000
_EPSILON = 1e-9  # float refills land a hair below a whole token
_MARGIN = 0.99  # pace just under what the platform showed it takes
_AGAIN = 0.98  # a 429 while so paced: the pace was still too fast (jitter), slow down a bit
_STILL = 0.9  # ... when what it took since is about that pace (far less: learn it anew)
_FORGET_AFTER = 600.0  # without a 429 for this long, try the configured rate again
_QUIET = 1.0  # a gap this long between messages starts a new stretch of sending


def retry_after_seconds(value: object) -> float | None:
    """An HTTP ``Retry-After`` value in seconds (never negative); None when absent or not a
    number of seconds, so the dispatcher backs off by itself."""
    if value is None:
        return None
    try:
        return max(0.0, float(str(value)))
    except ValueError:
        return None


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


class Departures:
    """At most ``count`` messages leave in any ``seconds``, counted when they leave.

    A token bucket paces the turns, but a loop that wakes late sends the messages whose turn
    has come at once: when that happens just after a second began, those messages and the
    ones at the end of that second make more than the pace (201 seen where 199 was the most
    a bucket allows), and a platform that counts every second answers 429.
    """

    def __init__(self, count: int, seconds: float = 1.0) -> None:
        self.count = max(1, count)
        self.seconds = seconds
        self._left: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more may leave (0 when one may leave now)."""
        while self._left and self._left[0] <= now - self.seconds:
            self._left.popleft()
        return 0.0 if len(self._left) < self.count else self._left[0] + self.seconds - now

    def leave(self, now: float) -> None:
        self._left.append(now)


class Throttle:
    """Paces one platform's messages: every bucket must allow a message before it goes.

    A conversation's own limit is waited for alone (one busy conversation holds nobody else
    up); the platform-wide limit gives each waiter its own turn, so they do not all wake at once.
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
        self._pause_began = float("-inf")
        self._learned: TokenBucket | None = None
        self._departures: Departures | None = None  # with the learned pace, checked as they leave
        self._learned_at = start
        self._accepted = 0
        self._resumed = start
        self._last_accepted = start

    async def acquire(self, conversation: str) -> float:
        """Wait until a message to ``conversation`` is allowed, count it, and return the time
        it leaves (for :meth:`pause`).

        Each message reserves its turn in every bucket and sleeps until then, so waiters wake
        one by one at the pace, and a loop that wakes late sends the ones that are due at
        once instead of losing their turns. A pause that begins while one waits (a 429)
        sends it back to wait for the pause's end and reserve again.
        """
        now = self._now()
        own = max((b.reserve(now) for b in self._buckets(conversation, now)), default=0.0)
        if own > 0:
            await self._sleep(own)
        while True:
            now = self._now()
            if self._paused_until > now:
                await self._sleep(self._paused_until - now)
                continue
            wait = max((b.reserve(now) for b in self._platform_buckets(now)), default=0.0)
            if wait > 0:
                await self._sleep(wait)
                if self._paused_until > self._now():
                    continue
            return await self._leave()

    async def _leave(self) -> float:
        """The time the message leaves: at once, or once the last second's departures allow."""
        departures = self._departures
        if departures is None:
            return self._now()
        while (late := departures.wait(self._now())) > 0:
            await self._sleep(late)
        left = self._now()
        departures.leave(left)
        return left

    def accepted(self) -> None:
        """The platform took a message (what it took before a 429 sets the pace after it)."""
        now = self._now()
        if now - self._last_accepted > _QUIET:  # a new stretch: what came before says nothing
            self._accepted, self._resumed = 0, now
        self._accepted += 1
        self._last_accepted = now

    def pause(self, seconds: float, *, left: float | None = None) -> None:
        """The platform said "retry after" to a message that ``left`` at that time: nothing
        goes out on it before then.

        A 429 for a message that left before the pause began tells nothing new: it was on
        its way when the platform was already full (every message in flight gets one), and
        the first one's pause already says when there is room again; so it does not make
        the pause longer.

        The first 429 after a stretch of sending also teaches the pace: what the platform
        took since sending last resumed, per second, a little under. Pacing evenly at that
        rate avoids the next 429 and its pause, which would cost far more than the margin.
        A 429 while already so paced (messages that left evenly can arrive bunched) slows
        the pace a little more each time.
        """
        now = self._now()
        if left is not None and left < self._pause_began:
            return
        if now >= self._paused_until:
            self._pause_began = now
        if now >= self._paused_until and self._accepted:
            took = max(1.0, self._accepted / max(now - self._resumed, seconds))
            pace = took * _MARGIN
            learned = self._platform_buckets(now)[len(self._overall) :]
            # Paced already and still too fast: messages that leave evenly can arrive bunched,
            # so a little slower than before (unless the platform now takes far less).
            if learned and pace >= learned[0].per_second * _STILL:
                pace = learned[0].per_second * _AGAIN
            # Bursts only as large as the margin: no second ever gets more than it took.
            burst = max(1, int(pace * (1 - _MARGIN)))
            self._learned = TokenBucket(Rate(burst, burst / pace), now)
            self._departures = Departures(int(pace))
            self._learned_at = now
        self._accepted = 0
        self._paused_until = max(self._paused_until, now + seconds)
        self._resumed = self._paused_until

    def paused_for(self) -> float:
        """Seconds until the platform's pause ends (0 when it is not paused)."""
        return max(0.0, self._paused_until - self._now())

    def _platform_buckets(self, now: float) -> list[TokenBucket]:
        if self._learned is not None and now - self._learned_at > _FORGET_AFTER:
            self._learned, self._departures = None, None
        return self._overall if self._learned is None else [*self._overall, self._learned]

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
