"""What start-up built stays out of the collector's way for the rest of the process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.heap import YOUNG_THRESHOLD, settle_after_start


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_gc")
def test_start_up_objects_are_frozen_and_young_collections_spaced_out() -> None:
    built_at_start = [{"topic": n} for n in range(1_000)]
    gc.unfreeze()
    middle, old = gc.get_threshold()[1:]

    settle_after_start()

    assert gc.get_freeze_count() >= len(built_at_start)
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)


@pytest.mark.usefixtures("restored_gc")
def test_garbage_made_after_start_is_still_collected() -> None:
    settle_after_start()

    class Node:
        other: Node

    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle only the collector can free
    del first, second

    assert gc.collect() >= 2
