"""The process's heap once started: frozen, and collected less eagerly than CPython's default."""

from __future__ import annotations

import gc

# The garbage collector looks at the youngest objects after so many more were made than
# freed: CPython's 700 suits a small script. Sending one message makes and drops a few dozen
# containers (aiohttp's request and response, futures, rows), so at 700 the collector ran
# every dozen messages and walked what a fan-out keeps alive meanwhile (claimed rows, their
# people, the stream): 3.2 s of a 43 s fan-out to 100,000 people, 66 of them full
# collections of about 20 ms each; at 10,000, 0.07 s (measured with gc.callbacks). Cycles
# wait a little longer to be freed (peak RSS unchanged, bench/fanout.py).
GC_THRESHOLDS = (10_000, 10, 10)


def settle_heap() -> None:
    """Once started: what the start built (modules, classes, the catalogue, the holiday
    calendars) lives as long as the process, so it is kept out of the garbage collector's
    full collections, which would otherwise walk it again every time. A full collection of
    it held the event loop for about 100 ms (measured during a fan-out): long enough for the
    messages whose turn came meanwhile to leave bunched, into a platform's 429. From then on
    the collector runs at :data:`GC_THRESHOLDS`."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
