"""App-layer and user-label transforms on hand-made frames (expected values by hand)."""

import datetime as dt

import polars as pl
import pytest

from marketing_assets.domains.app.platform_metrics import platform_metrics
from marketing_assets.domains.app.repurchase_performance import repurchase_performance
from marketing_assets.domains.user.labels import user_labels
from marketing_assets.domains.user.levels import user_levels
from marketing_assets.domains.user.metrics import user_metrics

D = dt.date(2025, 6, 10)


def at(hour: int, day: int = 10) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour)


LINES = pl.DataFrame({
    # L1: presale 200 yuan, deposit 30 deducting 80 → pays 150 in all (presale discount 50)
    # L2..L4: M件N折 (3 件 8 折) over three goods of one package, then a platform coupon
    "package_id": ["P1", "P2", "P2", "P2"],
    "goods_id": [1, 2, 3, 4],
    "order_id": ["O1", "O2", "O2", "O2"],
    "user_id": ["U1", "U2", "U2", "U2"],
    "seller_id": ["S1", "S2", "S2", "S2"],
    "sku_id": [11, 21, 31, 41],
    "quantity": [1, 1, 1, 1],
    "unit_price": [20000, 10000, 6000, 4000],
    "list_amt": [20000, 10000, 6000, 4000],
    "paid_amt": [15000, 7200, 4320, 2880],
    "is_presale": [True, False, False, False],
    "pay_time": [at(10)] * 4,
}).with_columns(dt=pl.lit(D))

DISCOUNTS = pl.DataFrame({
    "package_id": ["P1", "P2", "P2", "P2", "P2", "P2", "P2"],
    "goods_id": [1, 2, 3, 4, 2, 3, 4],
    "discount_source": ["presale"] + ["store_promotion"] * 3 + ["platform_coupon"] * 3,
    "source_id": [None, 7, 7, 7, 900, 900, 900],
    "coupon_template_id": [None, None, None, None, 5, 5, 5],
    # 20 % off 200 yuan = 40 yuan over 100/60/40 → 2000/1200/800; then a 16-yuan platform
    # coupon over 80/48/32 → 800/480/320
    "discount_amt": [5000, 2000, 1200, 800, 800, 480, 320],
    "bearer": ["merchant"] + ["merchant"] * 3 + ["platform"] * 3,
}).with_columns(dt=pl.lit(D))

NO_REFUNDS = pl.DataFrame(schema={"package_id": pl.String, "goods_id": pl.Int64, "pay_time": pl.Datetime("us"),
                                  "refund_time": pl.Datetime("us"), "user_id": pl.String, "refund_amt": pl.Int64,
                                  "dt": pl.Date})

FIRSTS = pl.DataFrame({
    # U1 bought on the platform in 2024 (old) but never in S1 before: new to the store
    "user_id": ["U1", "U1", "U2", "U2"],
    "level": ["platform", "store", "platform", "store"],
    "level_id": ["all", "S1", "all", "S2"],
    "first_order_id": [None, "O1", "O2", "O0"],
    "first_package_id": [None, "P1", None, "P0"],
    "first_pay_date": [dt.date(2024, 3, 1), D, D, dt.date(2025, 5, 1)],
}).with_columns(dt=pl.lit(D))


def test_repurchase_performance_breakdown_and_flags():
    out = repurchase_performance(D, LINES, DISCOUNTS, NO_REFUNDS, FIRSTS).sort("package_id", "goods_id")
    presale = out.row(0, named=True)
    assert (presale["list_amt"], presale["presale_discount_amt"], presale["total_discount_amt"], presale["paid_amt"]) == (
        20000, 5000, 5000, 15000)
    assert (presale["merchant_cost_amt"], presale["shown_amt"]) == (5000, 20000)
    assert presale["is_store_new_buyer"] and not presale["is_platform_new_buyer"] and not presale["is_store_repurchase"]
    m_n = out.filter(pl.col("package_id") == "P2")
    assert m_n["store_promo_amt"].to_list() == [2000, 1200, 800]
    assert m_n["shown_amt"].to_list() == [8000, 4800, 3200]  # 千人一面价 × 1
    assert m_n["platform_coupon_amt"].to_list() == [800, 480, 320]
    assert m_n["platform_coupon_id"].to_list() == [900] * 3 and m_n["store_promotion_id"].to_list() == [7] * 3
    assert (m_n["merchant_cost_amt"].sum(), m_n["platform_cost_amt"].sum()) == (4000, 1600)
    # U2: first platform order today (O2), an old customer of S2
    assert m_n["is_platform_new_buyer"].all() and m_n["is_store_repurchase"].all()
    assert not m_n["is_store_new_buyer"].any()


def test_a_line_refunded_on_its_pay_day_is_not_a_paid_line():
    refunds = NO_REFUNDS.vstack(pl.DataFrame({
        "package_id": ["P1"], "goods_id": [1], "pay_time": [at(10)], "refund_time": [at(12)],
        "user_id": ["U1"], "refund_amt": [15000], "dt": [D],
    }))
    out = repurchase_performance(D, LINES, DISCOUNTS, refunds, FIRSTS)
    assert out["package_id"].to_list() == ["P2"] * 3


def test_platform_metrics_by_hand():
    uses = pl.DataFrame({
        "coupon_id": [900, 900, 900], "use_key": ["900"] * 3, "order_id": ["O2"] * 3,
        "package_id": ["P2"] * 3, "goods_id": [2, 3, 4], "line_paid_amt": [7200, 4320, 2880],
        "discount_amt": [800, 480, 320], "pay_date": [D] * 3, "is_refunded": [False] * 3,
    })
    visits = pl.DataFrame({"user_id": ["U1", "U2", "U3", "U4"]})
    allowance = pl.DataFrame({"package_id": ["P1"], "goods_id": [1], "discount_source": ["allowance"],
                              "discount_amt": [300]})
    executions = pl.DataFrame({"user_id": ["U2", "U3", "U4", "U1"], "is_blank": [False, False, True, True]})
    offers = pl.DataFrame({"coupon_id": [900, None, None]})
    templates = pl.DataFrame({
        "seller_id": ["S1", None], "coupon_type": [4, 1], "status": [1, 1],
        "claim_start_time": [at(0, 1), at(0, 1)], "claim_end_time": [at(0, 30), at(0, 30)],
    })
    groups = pl.DataFrame({"seller_id": ["S3"], "owner_type": ["seller"], "status": [1],
                           "start_time": [at(0, 1)], "end_time": [at(0, 30)]})
    older = LINES.head(0).vstack(pl.DataFrame({
        "package_id": ["P9"], "goods_id": [9], "order_id": ["O9"], "user_id": ["U5"], "seller_id": ["S3"],
        "sku_id": [91], "quantity": [1], "unit_price": [1000], "list_amt": [1000], "paid_amt": [1000],
        "is_presale": [False], "pay_time": [at(10, 1)], "dt": [dt.date(2025, 6, 1)],
    }))
    row = platform_metrics(
        D, pl.concat([LINES, older]), NO_REFUNDS, visits, FIRSTS.filter(pl.col("level") == "platform"),
        uses, allowance, pl.DataFrame({"coupon_id": [900]}), offers, executions, templates, groups,
    ).row(0, named=True)
    assert (row["visit_user_cnt"], row["dab"], row["order_cnt"], row["pay_amt"]) == (4, 2, 2, 29400)
    assert row["aov"] == 14700 and row["pcvr"] == 0.5
    assert (row["dnb"], row["coupon_new_buyer_cnt"]) == (1, 1)  # U2: first order O2 used coupon 900
    assert (row["coupon_pay_amt"], row["coupon_discount_amt"]) == (14400, 1600)
    assert row["coupon_roi"] == 9.0
    assert (row["growth_benefit_cost_amt"], row["cac"]) == (1600 + 300, 1900)
    assert (row["triggered_cnt"], row["claimed_cnt"], row["claim_rate"]) == (3, 1, pytest.approx(1 / 3))
    # treated U2 (paid), U3; blank U4 (U1 is also blank but only as blank: U1 paid)
    assert (row["treated_user_cnt"], row["treated_pay_rate"]) == (2, 0.5)
    assert (row["blank_user_cnt"], row["blank_pay_rate"], row["uplift"]) == (2, 0.5, 0.0)
    # sellers with orders in 30 days: S1 (live store coupon), S2 (nothing live), S3 (live promotion)
    assert (row["active_seller_cnt_30d"], row["configured_seller_cnt"]) == (3, 2)
    assert row["tool_config_rate"] == pytest.approx(2 / 3)


def test_user_levels_thresholds_net_of_refunds():
    lines = pl.DataFrame({
        "user_id": ["U1", "U1", "U2", "U3", "U4"], "order_id": ["a", "b", "c", "d", "e"],
        "package_id": ["a", "b", "c", "d", "e"], "goods_id": [1] * 5,
        "paid_amt": [200_000, 100_000, 100_000, 19_999, 50_000],
        "dt": [D, dt.date(2025, 4, 1), D, D, D],
    })
    refunds = pl.DataFrame({"package_id": ["e"], "goods_id": [1]})
    out = {r["user_id"]: r for r in user_levels(D, lines, refunds).to_dicts()}
    assert (out["U1"]["user_level"], out["U1"]["pay_amt_30d"], out["U1"]["pay_amt_90d"]) == ("S", 200_000, 300_000)
    assert (out["U2"]["user_level"], out["U3"]["user_level"]) == ("A", "C")
    assert "U4" not in out  # its only order was refunded


def test_user_lifecycle_labels():
    users = pl.DataFrame({
        "user_id": ["U1", "U2", "U3", "U4", "U5"],
        "register_time": [at(0, 1)] * 5,
        "member_level": pl.Series([0, 2, 0, 0, 0], dtype=pl.Int32),
        "first_order_time": [at(9), dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 1), dt.datetime(2024, 1, 1), None],
    })
    firsts = pl.DataFrame({
        "user_id": ["U1", "U2", "U3", "U4"],
        "last_pay_time": [at(9), dt.datetime(2025, 5, 12), dt.datetime(2025, 5, 11), None],
    })
    out = {r["user_id"]: r for r in user_labels(D, users, firsts).to_dicts()}
    assert [out[u]["lifecycle"] for u in ("U1", "U2", "U3", "U4", "U5")] == [
        "new", "active", "silent", "churned", "never_bought"]
    assert out["U2"]["is_member"] and out["U1"]["register_days"] == 9


def test_user_metrics_of_the_day():
    visits = pl.DataFrame({"user_id": ["U1", "U1", "U3"], "goods_id": [1, 2, 1], "pv": [3, 1, 2]})
    lines = LINES.with_columns(discount_amt=pl.Series([5000, 2800, 1680, 1120])).vstack(
        LINES.head(1).with_columns(
            package_id=pl.lit("P0"), order_id=pl.lit("O0"), paid_amt=pl.lit(900, pl.Int64),
            dt=pl.lit(dt.date(2025, 6, 2)), discount_amt=pl.lit(0, pl.Int64),
        )
    )
    refunds = pl.DataFrame({  # U1's order of 2 June refunded today
        "package_id": ["P0"], "goods_id": [1], "user_id": ["U1"], "refund_amt": [900],
        "pay_time": [at(10, 2)], "refund_time": [at(11)], "dt": [D],
    })
    uses = pl.DataFrame({"user_id": ["U2"] * 3, "use_key": ["900"] * 3, "discount_amt": [800, 480, 320],
                         "pay_date": [D] * 3, "is_refunded": [False] * 3})
    firsts = FIRSTS.filter(pl.col("level") == "platform").select(
        "user_id", pl.col("first_pay_date").cast(pl.Datetime("us")).alias("first_pay_time"),
        pl.lit(at(10)).alias("last_pay_time"),
    )
    allowance = pl.DataFrame({"package_id": ["P1"], "goods_id": [1], "discount_source": ["allowance"],
                              "discount_amt": [300]})
    out = {r["user_id"]: r for r in user_metrics(D, visits, lines, refunds, allowance, uses, firsts).to_dicts()}
    assert set(out) == {"U1", "U2", "U3"}  # visitors and payers
    u1, u2 = out["U1"], out["U2"]
    assert (u1["visit_pv"], u1["visit_goods_cnt"], u1["pay_amt"], u1["refund_amt"], u1["pay_amt_30d"]) == (
        4, 2, 15000, 900, 15000)
    assert (u1["allowance_use_amt"], u1["is_new_buyer"]) == (300, False)
    assert (u2["order_cnt"], u2["pay_goods_cnt"], u2["pay_amt"], u2["discount_amt"]) == (1, 3, 14400, 5600)
    assert (u2["coupon_use_cnt"], u2["coupon_discount_amt"], u2["is_new_buyer"]) == (1, 1600, True)
    assert out["U3"]["pay_amt"] == 0 and out["U3"]["first_order_time"] is None
