"""The heap once started: frozen, and collected at Sharebot's thresholds, not CPython's."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from adapters.heap import GC_THRESHOLDS, settle_heap


@pytest.fixture
def restored_heap() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_heap")
def test_settling_freezes_what_the_start_built_and_collects_less_eagerly() -> None:
    built_at_start: list[object] = []  # a container: the collector keeps track of it
    gc.set_threshold(700, 10, 10)
    assert any(o is built_at_start for o in gc.get_objects())

    settle_heap()

    assert not any(o is built_at_start for o in gc.get_objects())  # frozen, never walked
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700
