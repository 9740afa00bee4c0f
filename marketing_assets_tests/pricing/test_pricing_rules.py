"""Pricing rules (catalog, Pricing 2.5) on hand-made orders; every expectation is a
literal worked out by hand in the comment beside it. Money in fen (10000 = ¥100.00)."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest

from marketing_assets.pricing import allowance_balances_after, price_orders
from marketing_assets.pricing import schemas as S

from ._support import (
    PAY,
    allowances,
    auto_coupons,
    by_goods,
    column,
    coupons,
    lines,
    price,
    promotions,
    scope,
)


PRESALE_30_80 = {"deposit_amt": 3000, "deduction_amt": 8000}
O2 = {"order_id": "o2", "package_id": "p2"}  # a second order (of u1 unless told)
O3 = {"order_id": "o3", "package_id": "p3"}
ONE_SECOND, ONE_DAY = timedelta(seconds=1), timedelta(days=1)
ONE_FEN = {"goods_id": 1, "unit_price": 1}
STORE_11 = {"store_promotion_id": 11}


def test_presale_deposit_30_deducting_80_on_200() -> None:
    # ¥200, deposit ¥30 deducting ¥80: presale discount 80 − 30 = 50 (merchant),
    # paid 200 − 50 = 150 = deposit 30 + final payment 150 − 30 = 120.
    # Second line, quantity 2: discount 2 × 50 = 100, paid 400 − 100 = 300,
    # deposit 2 × 30 = 60, final 300 − 60 = 240.
    result = price(
        lines(
            {"goods_id": 1, "unit_price": 20000, **PRESALE_30_80},
            {"goods_id": 2, "unit_price": 20000, "quantity": 2, **PRESALE_30_80},
        )
    )
    out = result.lines
    assert column(out, "shown_amt") == [20000, 40000]  # presale is not in 千人一面价
    assert column(out, "presale_discount_amt") == [5000, 10000]
    assert column(out, "paid_amt") == [15000, 30000]
    assert column(out, "deposit_paid_amt") == [3000, 6000]
    assert column(out, "final_paid_amt") == [12000, 24000]
    assert column(out, "merchant_cost_amt") == [5000, 10000]
    assert column(out, "platform_cost_amt") == [0, 0]


@pytest.mark.parametrize(
    ("second_price", "applied"),
    [
        (3999, False),  # 6000 + 3999 = 9999 (¥99.99) < 10000: 满100减20 not reached
        (4000, True),  # 6000 + 4000 = 10000 (¥100.00) ≥ 10000: reached
    ],
)
def test_coupon_threshold_just_missed_then_reached(second_price: int, applied: bool) -> None:
    result = price(
        lines({"goods_id": 1, "unit_price": 6000}, {"goods_id": 2, "unit_price": second_price}),
        held_coupons=coupons({"coupon_id": 7, "threshold": 10000, "discount": 2000}),
    )
    out = result.lines
    if applied:
        # 2000 over 6000 / 4000: 2000×6000//10000 = 1200, 2000×4000//10000 = 800
        assert column(out, "store_coupon_amt") == [1200, 800]
        assert column(out, "store_coupon_id") == [7, 7]
        assert column(out, "paid_amt") == [4800, 3200]
        assert result.coupon_uses["discount_amt"].sum() == 2000
    else:
        assert column(out, "store_coupon_amt") == [0, 0]
        assert column(out, "store_coupon_id") == [None, None]
        assert column(out, "paid_amt") == [6000, 3999]
        assert result.coupon_uses.height == 0


def test_split_remainder_goes_to_the_highest_goods_id() -> None:
    # Order o1: a no-threshold platform coupon of 10 fen over three lines of 1000 (given
    # out of goods order): 10×1000//3000 = 3 each, remainder 10 − 9 = 1 to goods 30 → 3/3/4.
    # Order o2: a store coupon of 100 over 333/333/334: 100×333//1000 = 33 (33.3),
    # 33, 100×334//1000 = 33 (33.4); remainder 100 − 99 = 1 to goods 60 → 33/33/34.
    result = price(
        pl.concat(
            [
                lines(
                    {"goods_id": 30, "unit_price": 1000},
                    {"goods_id": 10, "unit_price": 1000},
                    {"goods_id": 20, "unit_price": 1000},
                ),
                lines(
                    *(
                        {**O2, "user_id": "u2", "goods_id": g, "unit_price": p}
                        for g, p in ((60, 334), (40, 333), (50, 333))
                    )
                ),
            ]
        ),
        held_coupons=coupons(
            {"coupon_id": 1, "coupon_type": 1, "threshold": 0, "discount": 10},
            {"coupon_id": 2, "user_id": "u2", "threshold": 0, "discount": 100},
        ),
    )
    out = result.lines
    assert column(out, "goods_id") == [10, 20, 30, 40, 50, 60]  # sorted by order, package, goods
    assert column(out, "platform_coupon_amt") == [3, 3, 4, 0, 0, 0]
    assert column(out, "store_coupon_amt") == [0, 0, 0, 33, 33, 34]
    assert column(out, "paid_amt") == [997, 997, 996, 300, 300, 300]


def test_platform_coupon_threshold_judged_before_the_store_coupon() -> None:
    # o1 = p1 (s1: goods 1, 20000) + p2 (s2: goods 2, 11000), 31000 in all.
    # Store coupon 1 of s1, 满150减20: p1 20000 ≥ 15000 → 2000 on goods 1.
    # Platform thresholds are judged after promotions (31000), not after the store coupon
    # (29000): 2 满300减30 (31000 ≥ 30000, 3000) beats 3 满250减25 (2500). Its 3000 is split
    # on the amounts at its step, 18000 / 11000: 3000×18000//29000 = 1862 (1862.07) on
    # goods 1, goods 2 (last) 3000 − 1862 = 1138.
    result = price(
        lines(
            {"goods_id": 1, "unit_price": 20000},
            {"package_id": "p2", "seller_id": "s2", "goods_id": 2, "unit_price": 11000},
        ),
        held_coupons=coupons(
            {"coupon_id": 1, "threshold": 15000, "discount": 2000},
            {"coupon_id": 2, "coupon_type": 1, "threshold": 30000, "discount": 3000},
            {"coupon_id": 3, "coupon_type": 1, "threshold": 25000, "discount": 2500},
        ),
    )
    out = result.lines
    assert column(out, "store_coupon_amt") == [2000, 0]
    assert column(out, "store_coupon_id") == [1, None]
    assert column(out, "platform_coupon_amt") == [1862, 1138]
    assert column(out, "platform_coupon_id") == [2, 2]
    assert column(out, "paid_amt") == [16138, 9862]  # 20000−2000−1862, 11000−1138
    assert column(out, "merchant_cost_amt") == [2000, 0]
    assert column(out, "platform_cost_amt") == [1862, 1138]
    uses = result.coupon_uses.select("coupon_id", "package_id", "goods_id", "discount_amt")
    assert uses.with_columns(result.coupon_uses["bearer"]).rows() == [
        (1, "p1", 1, 2000, "merchant"),
        (2, "p1", 1, 1862, "platform"),
        (2, "p2", 2, 1138, "platform"),
    ]
    assert column(result.coupon_uses, "seller_id") == ["s1", "s1", "s2"]  # the line's seller


def test_thresholds_on_the_amounts_after_promotions_split_on_the_amounts_at_the_step() -> None:
    # o1 = p1 (s1: goods 1, 10000) + p2 (s2: goods 2, 6000): 16000 after promotions.
    # Store coupon 1 of s1 满100减10: p1 10000 ≥ 10000 → 1000 on goods 1; left 9000, 6000.
    # Platform coupon 2 满160减20 judged on 16000 (not on the 15000 left) ≥ 16000 → applies:
    # min(2000, 15000) = 2000 split on 9000 / 6000: 2000×9000//15000 = 1200, last 800;
    # left 7800, 5200. Allowance 每满80减10 judged on 16000 (not 13000): floor(2) × 1000 =
    # 2000 ≤ 13000 left, balance 5000 → 2000, split on 7800 / 5200: 1200, last 800.
    result = price(
        lines(
            {"goods_id": 1, "unit_price": 10000},
            {"package_id": "p2", "seller_id": "s2", "goods_id": 2, "unit_price": 6000},
        ),
        held_coupons=coupons(
            {"coupon_id": 1, "threshold": 10000, "discount": 1000},
            {"coupon_id": 2, "coupon_type": 1, "threshold": 16000, "discount": 2000},
        ),
        allowances=allowances(
            {"user_id": "u1", "balance": 5000, "step_threshold": 8000, "step_discount": 1000}
        ),
    )
    out = result.lines
    assert column(out, "shown_amt") == [10000, 6000]
    assert column(out, "store_coupon_amt") == [1000, 0]
    assert column(out, "platform_coupon_amt") == [1200, 800]
    assert column(out, "platform_coupon_id") == [2, 2]
    assert column(out, "allowance_amt") == [1200, 800]
    assert column(out, "paid_amt") == [6600, 4400]  # 10000−1000−1200−1200, 6000−800−800
    assert result.allowance_uses.select(
        "order_allowance_amt", "balance_before", "balance_after"
    ).rows() == [(2000, 5000, 3000), (2000, 5000, 3000)]


def test_discount_capped_by_what_is_left_of_its_lines_at_its_step() -> None:
    # p1 of s1: goods 1 3000, goods 2 2000 (5000). Store coupon 1 满50减45: 4500 split
    # 4500×3000//5000 = 2700, last 1800; left 300, 200. Platform coupon 2 满50减20 is judged
    # on 5000 ≥ 5000 → applies, but only 500 is left: min(2000, 500) = 500, split
    # 500×300//500 = 300, last 200 → both lines at 0. Allowance 每满10减1 judged on 5000:
    # 5 × 100 = 500, capped by the 0 left → nothing used, balance untouched.
    result = price(
        lines({"goods_id": 1, "unit_price": 3000}, {"goods_id": 2, "unit_price": 2000}),
        held_coupons=coupons(
            {"coupon_id": 1, "threshold": 5000, "discount": 4500},
            {"coupon_id": 2, "coupon_type": 1, "threshold": 5000, "discount": 2000},
        ),
        allowances=allowances(
            {"user_id": "u1", "balance": 10000, "step_threshold": 1000, "step_discount": 100}
        ),
    )
    out = result.lines
    assert column(out, "store_coupon_amt") == [2700, 1800]
    assert column(out, "platform_coupon_amt") == [300, 200]
    assert column(out, "platform_coupon_id") == [2, 2]
    assert column(out, "allowance_amt") == [0, 0]
    assert column(out, "paid_amt") == [0, 0]
    assert result.coupon_uses.filter(pl.col("coupon_id") == 2)["discount_amt"].sum() == 500
    assert result.allowance_uses.height == 0


def test_item_coupon_covers_only_its_goods() -> None:
    # p1: goods 1 6000, goods 2 3000, goods 3 1000. Item coupon 5 (template 50, goods 1
    # and 3) 满70减10: covered 6000 + 1000 = 7000 ≥ 7000 → 1000 over goods 1 and 3:
    # 1000×6000//7000 = 857 (857.1), goods 3 (last) 1000 − 857 = 143; goods 2 untouched.
    # Item coupon 6 (goods 2 only) 满50减30 is larger but covers 3000 < 5000: not usable.
    result = price(
        lines(
            {"goods_id": 1, "unit_price": 6000},
            {"goods_id": 2, "unit_price": 3000},
            {"goods_id": 3, "unit_price": 1000},
        ),
        held_coupons=coupons(
            {"coupon_id": 5, "limit_type": 1, "threshold": 7000, "discount": 1000},
            {"coupon_id": 6, "limit_type": 1, "threshold": 5000, "discount": 3000},
        ),
        coupon_scope=pl.concat([scope(50, 1, 3), scope(60, 2)]),
    )
    out = result.lines
    assert column(out, "store_coupon_amt") == [857, 0, 143]
    assert column(out, "store_coupon_id") == [5, None, 5]
    assert column(result.coupon_uses, "goods_id") == [1, 3]
    assert column(result.coupon_uses, "coupon_template_id") == [50, 50]


def test_largest_applicable_store_coupon_wins_ties_to_smallest_id() -> None:
    # Package of s1 at 20000. Applicable: 6 满100减10 (1000), 8 满150减30 (3000),
    # 4 满200减30 (3000). Not: 9 满300减80 (threshold), 3 of seller s2, 2 of user u9.
    # Largest discount 3000, tie between 4 and 8 → 4. 3000 over 12000/8000: 1800/1200.
    result = price(
        lines({"goods_id": 1, "unit_price": 12000}, {"goods_id": 2, "unit_price": 8000}),
        held_coupons=coupons(
            {"coupon_id": 6, "threshold": 10000, "discount": 1000},
            {"coupon_id": 8, "threshold": 15000, "discount": 3000},
            {"coupon_id": 4, "threshold": 20000, "discount": 3000},
            {"coupon_id": 9, "threshold": 30000, "discount": 8000},
            {"coupon_id": 3, "seller_id": "s2", "threshold": 0, "discount": 9000},
            {"coupon_id": 2, "user_id": "u9", "threshold": 0, "discount": 9000},
        ),
    )
    assert column(result.lines, "store_coupon_id") == [4, 4]
    assert column(result.lines, "store_coupon_amt") == [1800, 1200]
    assert result.coupon_uses["coupon_id"].unique().to_list() == [4]


@pytest.mark.parametrize(
    ("pay_time", "expected_id", "expected_amt"),
    [
        # pay 20:00: coupon 1 (5000 off) expired 1 s before, coupon 2 (4000) valid from the
        # next day, coupon 3 (2000) ends exactly at the pay time (bounds are inclusive)
        (PAY, 3, 2000),
        # no pay time: the validity test is skipped, the largest (coupon 1) applies
        (None, 1, 5000),
    ],
)
def test_expired_or_not_yet_valid_coupon_is_ignored(
    pay_time: datetime | None, expected_id: int, expected_amt: int
) -> None:
    result = price(
        lines({"goods_id": 1, "unit_price": 30000, "pay_time": pay_time}),
        held_coupons=coupons(
            {"coupon_id": 1, "threshold": 0, "discount": 5000, "valid_end": PAY - ONE_SECOND},
            {"coupon_id": 2, "threshold": 0, "discount": 4000, "valid_start": PAY + ONE_DAY},
            {"coupon_id": 3, "threshold": 0, "discount": 2000, "valid_end": PAY},
        ),
    )
    assert column(result.lines, "store_coupon_id") == [expected_id]
    assert column(result.lines, "store_coupon_amt") == [expected_amt]


def test_store_m_n_discount_then_platform_full_reduction() -> None:
    # Store promotion 11 = 4件8折 over goods 1 (10000 × 1), 2 (5000 × 2), 3 (3000 × 1):
    # 4 pieces ≥ 4 → each line pays amount × 8 // 10: 8000, 8000, 2400; discounts 2000,
    # 2000, 600 (merchant). Platform promotion 21 = 满150减15 on the 18400 left:
    # 1500 split 1500×8000//18400 = 652 (652.2), 652, last 1500 − 1304 = 196.
    # o2 has the same store promotion on 3 pieces only (< 4): nothing.
    promos = promotions(
        {"promotion_id": 11, "scope": "store", "rule": "m_n_discount", "threshold": 4, "value": 8},
        {
            "promotion_id": 21,
            "scope": "platform",
            "rule": "full_reduction",
            "threshold": 15000,
            "value": 1500,
        },
    )
    both = {**STORE_11, "platform_promotion_id": 21}
    result = price(
        pl.concat(
            [
                lines(
                    {"goods_id": 1, "unit_price": 10000, **both},
                    {"goods_id": 2, "unit_price": 5000, "quantity": 2, **both},
                    {"goods_id": 3, "unit_price": 3000, **both},
                ),
                lines(
                    {**O2, "goods_id": 1, "unit_price": 10000, "quantity": 3, **STORE_11}
                ),
            ]
        ),
        promotions=promos,
    )
    out = result.lines
    assert column(out, "store_promo_amt") == [2000, 2000, 600, 0]
    assert column(out, "platform_promo_amt") == [652, 652, 196, 0]
    assert column(out, "shown_amt") == [7348, 7348, 2204, 30000]
    assert column(out, "merchant_cost_amt") == [2000, 2000, 600, 0]
    assert column(out, "platform_cost_amt") == [652, 652, 196, 0]
    uses = result.promotion_uses.select("promotion_id", "goods_id", "discount_amt", "bearer")
    assert uses.rows() == [
        (11, 1, 2000, "merchant"),
        (21, 1, 652, "platform"),
        (11, 2, 2000, "merchant"),
        (21, 2, 652, "platform"),
        (11, 3, 600, "merchant"),
        (21, 3, 196, "platform"),
    ]


def test_store_full_reduction_applies_once_over_its_lines_only() -> None:
    # Store promotion 12 = 满200减20 over goods 1 (15000) and 2 (10000): 25000 ≥ 20000 →
    # 2000 once (not per 200), split 2000×15000//25000 = 1200, 800. Goods 3 (9000) is
    # in the package but not in the promotion.
    result = price(
        lines(
            {"goods_id": 1, "unit_price": 15000, "store_promotion_id": 12},
            {"goods_id": 2, "unit_price": 10000, "store_promotion_id": 12},
            {"goods_id": 3, "unit_price": 9000},
        ),
        promotions=promotions(
            {
                "promotion_id": 12,
                "scope": "store",
                "rule": "full_reduction",
                "threshold": 20000,
                "value": 2000,
            }
        ),
    )
    assert column(result.lines, "store_promo_amt") == [1200, 800, 0]


def test_auto_coupon_lowers_shown_price_and_is_merchant_cost() -> None:
    # s1's auto coupon (template 900) 满50减5: p1 3000 + 2000 = 5000 ≥ 5000 → 500,
    # split 500×3000//5000 = 300, 200; 千人一面价 2700 and 1800. s2's p2 at 4999: no.
    # The held store coupon 满50减10 of s1 is then judged on 4500 < 5000: not applied.
    result = price(
        lines(
            {"goods_id": 1, "unit_price": 3000},
            {"goods_id": 2, "unit_price": 2000},
            {"package_id": "p2", "seller_id": "s2", "goods_id": 3, "unit_price": 4999},
        ),
        auto_coupons=auto_coupons(
            {"seller_id": "s1", "coupon_template_id": 900, "threshold": 5000, "discount": 500},
            {"seller_id": "s2", "coupon_template_id": 901, "threshold": 5000, "discount": 500},
        ),
        held_coupons=coupons({"coupon_id": 1, "threshold": 5000, "discount": 1000}),
    )
    out = result.lines
    assert column(out, "auto_coupon_amt") == [300, 200, 0]
    assert column(out, "auto_coupon_template_id") == [900, 900, None]
    assert column(out, "shown_amt") == [2700, 1800, 4999]
    assert column(out, "store_coupon_amt") == [0, 0, 0]
    assert column(out, "merchant_cost_amt") == [300, 200, 0]
    assert column(out, "platform_cost_amt") == [0, 0, 0]
    assert result.coupon_uses.height == 0  # no claimed coupon
    uses = result.auto_coupon_uses.select(
        "coupon_template_id", "goods_id", "discount_amt", "bearer"
    )
    assert uses.rows() == [
        (900, 1, 300, "merchant"),
        (900, 2, 200, "merchant"),
    ]


def test_allowance_each_full_x_minus_y_capped_by_balance_across_two_orders() -> None:
    # u1: balance 1500, 每满100减10 (X 10000, Y 1000). o1 (12000): floor(1.2) × 1000 = 1000,
    # balance 1500 → 500. o2 (15000 + 10000 = 25000): floor(2.5) × 1000 = 2000, capped at
    # 500 → split 500×15000//25000 = 300, 200; balance 0. u2 holds no allowance: 0.
    # The lines come in with o2 first: the balance is still consumed in order_id order.
    wallet = allowances(
        {"user_id": "u1", "balance": 1500, "step_threshold": 10000, "step_discount": 1000},
        {"user_id": "u7", "balance": 800, "step_threshold": 10000, "step_discount": 1000},
    )
    result = price(
        pl.concat(
            [
                lines(
                    {**O2, "goods_id": 1, "unit_price": 15000},
                    {**O2, "goods_id": 2, "unit_price": 10000},
                ),
                lines({"goods_id": 3, "unit_price": 12000}),
                lines(
                    {**O3, "user_id": "u2", "goods_id": 4, "unit_price": 50000}
                ),
            ]
        ),
        allowances=wallet,
    )
    out = result.lines
    assert column(out, "order_id") == ["o1", "o2", "o2", "o3"]
    assert column(out, "allowance_amt") == [1000, 300, 200, 0]
    assert column(out, "platform_cost_amt") == [1000, 300, 200, 0]
    assert column(out, "paid_amt") == [11000, 14700, 9800, 50000]
    uses = result.allowance_uses.select(
        "order_id",
        "goods_id",
        "allowance_amt",
        "order_allowance_amt",
        "balance_before",
        "balance_after",
    )
    assert uses.rows() == [
        ("o1", 3, 1000, 1000, 1500, 500),
        ("o2", 1, 300, 500, 500, 0),
        ("o2", 2, 200, 500, 500, 0),
    ]
    # the caller's balances for the next call: u1 1500 − 1000 − 500 = 0, u7 untouched
    after = allowance_balances_after(wallet, result)
    assert after.select("user_id", "balance").rows() == [("u1", 0), ("u7", 800)]


def test_a_coupon_is_used_once_across_a_buyers_orders() -> None:
    # u1 has three orders at s1 of 12000 each, and store coupons A (id 1) 满100减30 and
    # B (id 2) 满50减10, both usable on every order. Taken in order_id order: o1 gets A
    # (largest), o2 gets B (A is gone), o3 nothing. Platform coupon 3 (无门槛 500) goes
    # to o1 only, on the 12000 − 3000 = 9000 left there.
    result = price(
        pl.concat(
            lines({"order_id": o, "package_id": f"p{o}", "goods_id": 1, "unit_price": 12000})
            for o in ("o3", "o1", "o2")
        ),
        held_coupons=coupons(
            {"coupon_id": 1, "threshold": 10000, "discount": 3000},
            {"coupon_id": 2, "threshold": 5000, "discount": 1000},
            {"coupon_id": 3, "coupon_type": 1, "threshold": 0, "discount": 500},
        ),
    )
    out = result.lines
    assert column(out, "store_coupon_id") == [1, 2, None]
    assert column(out, "store_coupon_amt") == [3000, 1000, 0]
    assert column(out, "platform_coupon_id") == [3, None, None]
    assert column(out, "paid_amt") == [8500, 11000, 12000]


def test_coupon_discount_never_exceeds_what_it_covers() -> None:
    # o1: a no-threshold platform coupon of 5000 on an order of 1000 + 2000 = 3000 → 3000
    # (1000 and 2000), paid 0. o2 (u2): presale at ¥50, deposit ¥30 deducting ¥80: the
    # inflation 80 − 30 = 50 is capped at what is left after the deposit, 50 − 30 = 20 →
    # paid 30 = deposit 30 + final payment 0 (never below zero).
    result = price(
        pl.concat(
            [
                lines({"goods_id": 1, "unit_price": 1000}, {"goods_id": 2, "unit_price": 2000}),
                lines({**O2, "user_id": "u2", "goods_id": 3, "unit_price": 5000, **PRESALE_30_80}),
            ]
        ),
        held_coupons=coupons({"coupon_id": 1, "coupon_type": 1, "threshold": 0, "discount": 5000}),
    )
    out = result.lines
    assert column(out, "platform_coupon_amt") == [1000, 2000, 0]
    assert column(out, "presale_discount_amt") == [0, 0, 2000]
    assert column(out, "paid_amt") == [0, 0, 3000]
    assert column(out, "deposit_paid_amt") == [0, 0, 3000]
    assert column(out, "final_paid_amt") == [0, 0, 0]


def test_input_row_order_does_not_change_the_result() -> None:
    base = lines(
        {"goods_id": 3, "unit_price": 777},
        {"goods_id": 1, "unit_price": 555},
        {"package_id": "p2", "seller_id": "s2", "goods_id": 2, "unit_price": 999},
    )
    held = coupons({"coupon_id": 1, "coupon_type": 1, "threshold": 0, "discount": 101})
    first = price(base, held_coupons=held).lines
    again = price(base.reverse(), held_coupons=held).lines
    assert first.equals(again)
    # 101 over 555/999/777 in goods order 1, 2, 3: 24, 43, last 101 − 67 = 34
    assert by_goods(first, "platform_coupon_amt") == {1: 24, 2: 43, 3: 34}


def test_empty_input_gives_empty_frames_with_the_schemas() -> None:
    result = price(lines())
    assert result.lines.height == 0
    assert dict(result.lines.schema) == dict(S.PRICED_LINES)
    assert dict(result.coupon_uses.schema) == dict(S.COUPON_USES)


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ({"lines": lines(ONE_FEN, {"goods_id": 1, "unit_price": 2})}, "not unique"),
        (
            {"lines": lines(ONE_FEN, {"order_id": "o2", "goods_id": 2, "unit_price": 2})},
            "package_id in several orders",
        ),
        ({"lines": lines({**ONE_FEN, "store_promotion_id": 99})}, "store_promotion_id"),
        (
            {
                "lines": lines(ONE_FEN),
                "held_coupons": coupons(
                    {"coupon_id": 1, "threshold": 0, "discount": 1, "seller_id": None}
                ),
            },
            "store coupon without seller_id",
        ),
        ({"lines": lines({"goods_id": 1, "unit_price": -5})}, "negative"),
    ],
)
def test_inconsistent_inputs_are_refused(frames: dict[str, pl.DataFrame], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        price_orders(**frames)


def test_missing_column_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks columns"):
        price_orders(lines({"goods_id": 1, "unit_price": 1}).drop("pay_time"))
