"""Lists of values bound one parameter each, in a few fixed sizes of statement.

An expanding ``IN`` is rendered again at every execution (measured: about 40% more CPU a
wave on SQLite), so the sending path's statements take one bound parameter per value and are
built and compiled once per size. The sizes are powers of two: a list is padded by repeating
its last value (a value twice in an ``IN`` counts once, and a ``CASE`` takes its first match),
so only a handful of shapes per statement is ever compiled (one per number of rows kept some
20 MB of compiled statements during a fan-out).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

LARGEST = 128  # values per statement: a claimer's wave seldom holds more
_SMALLEST = 4


def shaped(values: Sequence[T]) -> Iterator[list[T]]:
    """``values`` in lists of at most ``LARGEST``, each padded to the next shape's size."""
    for start in range(0, len(values), LARGEST):
        chunk = list(values[start : start + LARGEST])
        size = max(_SMALLEST, 1 << (len(chunk) - 1).bit_length())
        yield chunk + [chunk[-1]] * (size - len(chunk))
