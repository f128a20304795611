"""Value lists in a few statement sizes: padded by repeating the last value, never split wrong."""

from __future__ import annotations

from storage.shapes import LARGEST, shaped


def test_a_list_is_padded_to_the_next_power_of_two_with_its_last_value() -> None:
    assert list(shaped([7])) == [[7, 7, 7, 7]]
    assert list(shaped([1, 2, 3, 4, 5])) == [[1, 2, 3, 4, 5, 5, 5, 5]]
    assert list(shaped(list(range(64)))) == [list(range(64))]


def test_a_long_list_is_split_at_the_largest_size_and_nothing_is_lost() -> None:
    values = list(range(LARGEST * 2 + 3))
    chunks = list(shaped(values))
    assert [len(chunk) for chunk in chunks] == [LARGEST, LARGEST, 4]
    assert sorted({v for chunk in chunks for v in chunk}) == values


def test_nothing_gives_no_statement() -> None:
    assert list(shaped([])) == []
