"""Long id lists go to the store in slices, each with as many placeholders as values."""

from __future__ import annotations

from services.storage.in_lists import in_lists


def test_values_come_in_order_in_slices_of_at_most_the_size() -> None:
    slices = list(in_lists(list(range(7)), size=3))

    assert [chunk for chunk, _ in slices] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [marks for _, marks in slices] == ["?,?,?", "?,?,?", "?"]


def test_no_values_make_no_query() -> None:
    assert list(in_lists([])) == []
