"""Many ids, one `IN (…)` list at a time: a store takes only so many bound parameters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

IN_LIST_SIZE = 500  # far below SQLite's and PostgreSQL's limits on bound parameters

T = TypeVar("T")


def in_lists(values: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[tuple[list[T], str]]:
    """`values` in order, in slices of at most `size`, each with its `?,?,…` placeholders."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk, ",".join("?" * len(chunk))
