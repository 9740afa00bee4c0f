"""The split of a discount over lines (``apportion``), on its own."""

from __future__ import annotations

import polars as pl
import pytest

from marketing_assets.pricing import apportion


def _split(amounts: list[int], discount: int, goods: list[int] | None = None) -> list[int]:
    frame = pl.DataFrame(
        {
            "package_id": ["p"] * len(amounts),
            "goods_id": goods or list(range(1, len(amounts) + 1)),
            "amt": amounts,
            "disc": [discount] * len(amounts),
        }
    )
    return apportion(frame, "package_id", "amt", "disc").to_list()


def test_ten_fen_over_three_equal_lines_last_takes_the_remainder() -> None:
    # 10×1000//3000 = 3 each, remainder 10 − 9 = 1 on the last goods_id → 3, 3, 4
    assert _split([1000, 1000, 1000], 10) == [3, 3, 4]


def test_shares_follow_goods_id_not_row_order() -> None:
    # rows given as goods 30, 10, 20: the remainder goes to goods 30 (first row)
    assert _split([1000, 1000, 1000], 10, goods=[30, 10, 20]) == [4, 3, 3]


def test_proportional_rounded_down() -> None:
    # 1000 over 500/300/200: 1000×500//1000 = 500, 300, 200, no remainder
    assert _split([500, 300, 200], 1000) == [500, 300, 200]
    # 100 over 333/333/334: 33, 33, 33 (33.4), remainder 1 → last 34
    assert _split([333, 333, 334], 100) == [33, 33, 34]


def test_remainder_beyond_the_last_line_goes_to_the_line_before() -> None:
    # 6 over 3/3/1: shares 6×3//7 = 2, 2, 6×1//7 = 0; remainder 2, the last line can take
    # only 1 (its amount) → the one before takes the other: 2, 3, 1 (no line below zero)
    assert _split([3, 3, 1], 6) == [2, 3, 1]
    # the last line is worth 0: the remainder goes to the one before it
    assert _split([5, 5, 0], 9) == [4, 5, 0]


def test_whole_amount_and_zero_discount() -> None:
    assert _split([7, 0, 11], 18) == [7, 0, 11]  # the discount equals the amount
    assert _split([7, 0, 11], 0) == [0, 0, 0]
    assert _split([0, 0], 0) == [0, 0]


def test_groups_are_split_separately_and_rows_stay_aligned() -> None:
    frame = pl.DataFrame(
        {
            "order_id": ["b", "a", "b", "a", "a"],
            "goods_id": [2, 9, 1, 1, 5],
            "amt": [100, 100, 300, 100, 100],
            "disc": [50, 10, 50, 10, 10],
        }
    )
    # b: 50 over goods 1 (300), 2 (100): 37 (37.5), last 13 (12.5 → 12, +1)
    # a: 10 over goods 1, 5, 9 (100 each): 3, 3, last 4
    assert apportion(frame, ["order_id"], "amt", "disc").to_list() == [13, 4, 37, 3, 3]


def test_large_amounts_do_not_overflow() -> None:
    # 9e12 fen × 9e12 fen exceeds Int64: the product is taken in Int128
    big = 9_000_000_000_000
    assert _split([big, big], big) == [big // 2, big // 2]


def test_a_discount_above_its_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="discounts ≤ amounts"):
        _split([3, 4], 8)  # 8 > 3 + 4: some line would go below zero
