"""A claimer's messages on their way: claimed ones wait in line, a fixed number of workers
send them one after another, and what came of each waits to be recorded.

Workers that each take the next message the moment theirs has landed keep the platform busy
without a pause; waves that all start and all end together leave it waiting for a wave's
slowest answer, and cost the process about twice the CPU time per message (measured: a
wave of 64 sends at once, 450 µs a message; 64 workers, 260 µs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from bot.delivery.sender import Outcome, Outgoing

logger = logging.getLogger(__name__)


class Stream:
    """At most ``width`` messages in flight and at most ``2 * width`` claimed but not landed:
    so a crash leaves no more rows in doubt than the waves before it did (the one in flight
    and the next, claimed)."""

    def __init__(self, send: Callable[[Outgoing], Awaitable[None]], width: int) -> None:
        self.width = max(1, width)
        self._send = send
        self._line: asyncio.Queue[Outgoing | None] = asyncio.Queue()
        self._on_the_way: dict[int, Outgoing] = {}  # claimed, not landed (by identity)
        self._landed: list[Outgoing] = []  # what came of them is not recorded yet
        self._moved = asyncio.Event()
        self.sent = 0

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Stream]:
        """The workers, for as long as the block runs; on leaving it, every message added
        has been sent, even when the block failed. Cancelled, the workers are cancelled too:
        what they were sending stays marked as being sent (in doubt), what waited stays
        claimed, and a later tick counts both as interrupted."""
        workers = [asyncio.ensure_future(self._worker()) for _ in range(self.width)]
        try:
            yield self
        except asyncio.CancelledError:
            for worker in workers:
                worker.cancel()
            raise
        finally:
            for _ in workers:
                self._line.put_nowait(None)
            await asyncio.gather(*workers, return_exceptions=True)

    def add(self, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            self._on_the_way[id(message)] = message
            self._line.put_nowait(message)

    def room(self) -> int:
        """How many more may be claimed now."""
        return max(0, 2 * self.width - len(self._on_the_way))

    def on_the_way(self) -> list[Outgoing]:
        """Claimed and not landed: their people count as just sent."""
        return list(self._on_the_way.values())

    def landed(self) -> list[Outgoing]:
        """What landed since the last call, to be recorded (the caller now holds it)."""
        landed, self._landed = self._landed, []
        return landed

    async def wait_for_room(self, wanted: int) -> None:
        """Until ``wanted`` more may be claimed, or nothing is on its way any more."""
        while self.room() < min(wanted, 2 * self.width) and self._on_the_way:
            self._moved.clear()
            await self._moved.wait()

    async def _worker(self) -> None:
        while (message := await self._line.get()) is not None:
            try:
                await self._send(message)
            except Exception as error:  # a bug: its rows stay marked as being sent, in doubt
                logger.error("sending one message failed unexpectedly (%s)", type(error).__name__)
                logger.debug("unexpected sending failure", exc_info=error)
            else:
                self._landed.append(message)
                self.sent += message.outcome is Outcome.SENT
            finally:
                del self._on_the_way[id(message)]
                self._moved.set()
