"""The engine on seeded random orders (generated vectorised by ``pricing.synthetic``):
identities and invariants on every line, equality with the plain-Python reference pricer,
and (opt-in) throughput at scale."""

from __future__ import annotations

import os
import resource
import time

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from marketing_assets.pricing import PricedOrders, price_orders
from marketing_assets.pricing import schemas as S
from marketing_assets.pricing.synthetic import random_inputs

from ._support import price, reference_price

SEEDS = [1, 2, 3]
N_ORDERS = 300  # ~1500 lines, ~650 held coupons, 12 sellers: many conflicts and splits


@pytest.fixture(scope="module", params=SEEDS)
def world(request: pytest.FixtureRequest) -> tuple[dict[str, pl.DataFrame], PricedOrders]:
    inputs = random_inputs(N_ORDERS, seed=request.param, n_sellers=12)
    others = {name: frame for name, frame in inputs.items() if name != "lines"}
    return inputs, price(inputs["lines"], **others)


def test_identities_hold_on_every_line(world) -> None:
    _, result = world
    out = result.lines
    discounts = pl.sum_horizontal(list(S.DISCOUNT_BEARERS))
    bad = out.filter(
        (pl.col("list_amt") - discounts != pl.col("paid_amt"))
        | (pl.col("merchant_cost_amt") + pl.col("platform_cost_amt") != discounts)
        | (pl.col("deposit_paid_amt") + pl.col("final_paid_amt") != pl.col("paid_amt"))
        | pl.any_horizontal(pl.col(c) < 0 for c in S.PRICED_AMOUNTS if c.endswith("_amt"))
    )
    assert bad.height == 0, bad
    assert out.height > 1000
    # the random world exercises every kind of discount
    for col in S.DISCOUNT_BEARERS:
        assert (out[col] > 0).sum() > 20, col


def test_uses_add_up_to_the_line_columns(world) -> None:
    _, result = world
    out = result.lines
    keys = ["order_id", "package_id", "goods_id"]
    per_line = (
        result.coupon_uses.group_by(keys)
        .agg(
            pl.col("discount_amt").filter(pl.col("coupon_type") == 4).sum().alias("store"),
            pl.col("discount_amt").filter(pl.col("coupon_type") == 1).sum().alias("platform"),
            pl.len().alias("n"),
        )
        .join(out, on=keys, how="right")
        .with_columns(pl.col("store", "platform", "n").fill_null(0))
    )
    assert (per_line["store"] == per_line["store_coupon_amt"]).all()
    assert (per_line["platform"] == per_line["platform_coupon_amt"]).all()
    assert per_line["n"].max() <= 2  # at most one store and one platform coupon per line
    assert result.allowance_uses["allowance_amt"].sum() == out["allowance_amt"].sum()
    assert result.auto_coupon_uses["discount_amt"].sum() == out["auto_coupon_amt"].sum()
    promo = out["store_promo_amt"].sum() + out["platform_promo_amt"].sum()
    assert result.promotion_uses["discount_amt"].sum() == promo


def test_each_coupon_once_one_per_package_and_order(world) -> None:
    _, result = world
    uses = result.coupon_uses
    store = uses.filter(pl.col("coupon_type") == 4)
    platform = uses.filter(pl.col("coupon_type") == 1)
    assert store.group_by("coupon_id").agg(pl.col("package_id").n_unique())["package_id"].max() == 1
    assert platform.group_by("coupon_id").agg(pl.col("order_id").n_unique())["order_id"].max() == 1
    assert store.group_by("package_id").agg(pl.col("coupon_id").n_unique())["coupon_id"].max() == 1
    assert platform.group_by("order_id").agg(pl.col("coupon_id").n_unique())["coupon_id"].max() == 1


def test_used_coupons_belong_to_the_buyer_are_valid_and_reach_their_threshold(world) -> None:
    inputs, result = world
    out = result.lines
    held = inputs["held_coupons"].rename({"user_id": "holder", "seller_id": "issuer"})
    keys = ["coupon_id", "user_id", "seller_id", "order_id", "package_id"]
    used = result.coupon_uses.select(keys).unique().join(held, on="coupon_id")
    assert (used["holder"] == used["user_id"]).all()
    stores = used.filter(pl.col("coupon_type") == 4)
    assert (stores["issuer"] == stores["seller_id"]).all()
    pay = out.group_by("order_id").agg(pl.col("pay_time").min())
    timed = used.join(pay, on="order_id").drop_nulls("pay_time")
    assert timed.filter(~pl.col("pay_time").is_between("valid_start", "valid_end")).height == 0
    # store coupons without item limit: the package's 千人一面价 reaches the threshold
    shown = out.group_by("package_id").agg(pl.col("shown_amt").sum())
    whole = stores.filter(pl.col("limit_type") == 0).join(shown, on="package_id")
    assert (whole["shown_amt"] >= whole["threshold"]).all()


def test_allowance_never_exceeds_the_balance(world) -> None:
    inputs, result = world
    spent = result.allowance_uses.group_by("user_id").agg(pl.col("allowance_amt").sum())
    spent = spent.join(inputs["allowances"], on="user_id")
    assert (spent["allowance_amt"] <= spent["balance"]).all()


def test_matches_the_plain_python_reference(world) -> None:
    inputs, result = world
    assert_frame_equal(result.lines, reference_price(inputs))


def test_output_is_deterministic_and_independent_of_row_order(world) -> None:
    inputs, result = world
    shuffled = {**inputs, "lines": inputs["lines"].sample(fraction=1.0, shuffle=True, seed=5)}
    again = price_orders(**shuffled)
    assert_frame_equal(again.lines, result.lines)
    assert_frame_equal(again.coupon_uses, result.coupon_uses)
    assert_frame_equal(again.allowance_uses, result.allowance_uses)


@pytest.mark.skipif(
    "PRICING_BENCH_LINES" not in os.environ,
    reason="throughput run: PRICING_BENCH_LINES=1000000 pytest -s -k throughput",
)
def test_pricing_throughput() -> None:
    target = int(os.environ["PRICING_BENCH_LINES"])
    inputs = random_inputs(max(1, target // 5), seed=7)  # ~5 lines per order
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = price_orders(**inputs)
    seconds = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = result.lines.height
    print(
        f"\nprice_orders: {n:,} lines, {inputs['held_coupons'].height:,} held coupons in "
        f"{seconds:.2f} s = {n / seconds:,.0f} lines/s; peak RSS {rss_after / 1024:,.0f} MB "
        f"(+{(rss_after - rss_before) / 1024:,.0f} MB while pricing)"
    )
