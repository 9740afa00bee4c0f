"""Coupon transforms on the hand-made world of ``_hand`` (expected values by hand)."""

import datetime as dt

import polars as pl
import pytest

from marketing_assets.derived import compute_days
from marketing_assets.domains.coupon.sellers import seller_metrics
from marketing_assets.domains.coupon.templates import AUTO_PROMOTED_CHANNEL, CHANNEL_NAMES, template_day, template_items
from marketing_assets.domains.coupon.uses import coupon_get_use_600d, coupon_uses, tob_coupon_get_use_600d
from marketing_assets.domains.tables import TABLES_BY_KEY
from marketing_assets.sim.config.coupons import AUTO, STORE_KINDS
from marketing_assets_tests.funnel._hand import (
    CLAIMS, D9, D10, DETAILS, LINES, REFUNDS, TEMPLATES, known_on,
)


def uses_on(day):
    return coupon_uses(
        day, known_on(DETAILS, day), known_on(LINES, day), known_on(REFUNDS, day), TEMPLATES
    )


def rows(frame: pl.DataFrame, *columns) -> list[tuple]:
    return sorted(frame.select(columns).rows(), key=str)


def test_use_fact_before_the_later_refund_is_known():
    uses = uses_on(D9)
    # P2 refunded on its pay day: never a use. The promotion on P1/G1 is not a coupon.
    assert rows(uses, "coupon_id", "package_id", "goods_id", "discount_amt", "is_refunded") == sorted(
        [(1, "P1", 1, 600, False), (1, "P1", 2, 400, False), (2, "P1", 1, 500, False),
         (6, "P3", 3, 1000, False)], key=str,
    )
    assert uses.filter(pl.col("coupon_id") == 2)["bearer"].to_list() == ["platform"]


def test_use_fact_flags_the_later_refund_and_adds_the_auto_coupon():
    uses = uses_on(D10)
    assert uses.height == 5
    c6 = uses.filter(pl.col("coupon_id") == 6).row(0, named=True)
    assert c6["is_refunded"] and c6["refund_time"].day == 10
    auto = uses.filter(pl.col("coupon_kind") == "auto_coupon").row(0, named=True)
    assert auto["coupon_id"] is None and auto["use_key"] == "auto:3:P4"
    assert (auto["coupon_template_id"], auto["channel_type"], auto["line_paid_amt"]) == (3, 15, 19000)


def test_600d_keeps_every_claim_and_drops_the_later_refunded_use():
    get_use = coupon_get_use_600d(D10, CLAIMS, uses_on(D10))
    assert rows(get_use, "coupon_id", "package_id", "goods_id", "is_used", "discount_amt") == sorted(
        [
            (1, "P1", 1, True, 600), (1, "P1", 2, True, 400),  # used on two lines of one package
            (2, "P1", 1, True, 500),  # platform coupon on the same line as C1
            (3, None, None, False, None),  # claimed, never used
            (4, None, None, False, None),  # expired unused
            (5, None, None, False, None),  # its use was refunded the same day
            (6, None, None, False, None),  # its use was refunded a later day (known on D10)
        ], key=str,
    )
    assert get_use.filter(pl.col("coupon_id") == 4)["status"].to_list() == [3]
    # before the refund is known, C6's use is there
    before = coupon_get_use_600d(D9, CLAIMS.filter(pl.col("claim_date") <= D9), uses_on(D9))
    assert before.filter(pl.col("coupon_id") == 6)["package_id"].to_list() == ["P3"]


def test_600d_window_drops_claims_older_than_600_days():
    def claimed(days_before: int) -> pl.DataFrame:
        return CLAIMS.with_columns(claim_date=pl.lit(D10 - dt.timedelta(days=days_before)))

    assert coupon_get_use_600d(D10, claimed(599), uses_on(D10)).height == 7
    assert coupon_get_use_600d(D10, claimed(600), uses_on(D10)).height == 0


def test_tob_cut_is_store_coupons_with_merchant_cost():
    tob = tob_coupon_get_use_600d(D10, coupon_get_use_600d(D10, CLAIMS, uses_on(D10)))
    assert sorted(tob["coupon_id"].to_list()) == [1, 1, 3, 4, 5, 6]
    assert rows(tob.filter("is_used"), "goods_id", "merchant_cost_amt") == [(1, 600), (2, 400)]


FIRST = pl.DataFrame(
    {  # user × store first paid orders (U4's only order was refunded the same day)
        "user_id": ["U1", "U5", "U6"],
        "seller_id": ["S1", "S1", "S1"],
        "first_pay_date": [D9, D9, D10],
        "first_package_id": ["P1", "P3", "P4"],
    }
)


def seller(by=()):
    out = seller_metrics(D10, uses_on(D10), CLAIMS, FIRST, by=by)
    return {tuple(r[k] for k in ("stat_period", *by)): r for r in out.to_dicts()}


def test_seller_one_day():
    r = seller()[(1,)]
    # D10: claims C3; uses: the auto coupon on P4 only (C6 refunded, known D10)
    assert (r["claim_cnt"], r["claim_user_cnt"], r["use_cnt"], r["use_user_cnt"]) == (1, 1, 1, 1)
    assert (r["pay_amt"], r["pay_goods_cnt"], r["discount_amt"]) == (19000, 1, 1000)
    assert (r["merchant_cost_amt"], r["platform_cost_amt"], r["roi"], r["aov"]) == (1000, 0, 19.0, 19000)
    assert r["new_buyer_cnt"] == 1  # U6: first order in S1 used the auto coupon


def test_seller_seven_and_thirty_days():
    s = seller()
    r = s[(7,)]
    # claims D4..D10: C1, C3, C5, C6; uses: C1, C2 (P1) and the auto coupon (P4)
    assert (r["claim_cnt"], r["claim_user_cnt"]) == (4, 4)
    assert (r["use_cnt"], r["use_user_cnt"]) == (3, 2)
    # lines once each: P1/G1 9000 + P1/G2 6000 + P4/G1 19000; quantity 1 + 2 + 1
    assert (r["pay_amt"], r["pay_goods_cnt"]) == (34000, 4)
    assert (r["discount_amt"], r["merchant_cost_amt"], r["platform_cost_amt"]) == (2500, 2000, 500)
    assert r["roi"] == pytest.approx(13.6) and r["aov"] == 17000
    assert r["new_buyer_cnt"] == 2  # U1 (P1) and U6 (P4); U5's first order was refunded
    assert (s[(30,)]["claim_cnt"], s[(30,)]["claim_user_cnt"]) == (5, 5)  # + C4 of D1
    assert s[(30,)]["pay_amt"] == 34000


def test_channel_cut_counts_a_two_coupon_line_under_both():
    s = seller(("channel_type",))
    assert (s[(7, 12)]["use_cnt"], s[(7, 12)]["pay_amt"], s[(7, 12)]["discount_amt"]) == (1, 15000, 1000)
    assert (s[(7, 1)]["use_cnt"], s[(7, 1)]["pay_amt"], s[(7, 1)]["claim_cnt"]) == (1, 9000, 0)
    assert s[(7, 15)]["pay_amt"] == 19000
    assert sum(s[(7, c)]["pay_amt"] for c in (1, 12, 15)) == 43000  # > the seller's 34000
    assert s[(7, 12)]["claim_cnt"] == 4
    assert s[(7, 1)]["new_buyer_cnt"] == 1 and s[(7, 12)]["new_buyer_cnt"] == 1


def test_ratios_are_null_without_a_denominator():
    only_claims = seller_metrics(D10, uses_on(D10).clear(), CLAIMS, FIRST)
    r = only_claims.filter(pl.col("stat_period") == 1).row(0, named=True)
    assert (r["claim_cnt"], r["use_cnt"], r["roi"], r["aov"]) == (1, 0, None, None)


def test_template_cut_through_the_table_definition():
    table = TABLES_BY_KEY[("redcdm", "dm_ecm_trd_mkt_coupon_sellerid_templateid_nd_di")]
    first = FIRST.select(
        "user_id", pl.lit("store").alias("level"), pl.col("seller_id").alias("level_id"),
        "first_pay_date", "first_package_id",
    )
    out = compute_days(table, [D10], {
        "uses": uses_on(D10).with_columns(dt=pl.lit(D10)),
        "claims": CLAIMS.with_columns(dt=pl.lit(D10)),
        "first_orders": first.with_columns(dt=pl.lit(D10)),
    })
    got = {(r["stat_period"], r["coupon_template_id"]): r for r in out.to_dicts()}
    assert (got[(30, 1)]["claim_cnt"], got[(30, 1)]["use_cnt"], got[(30, 1)]["pay_amt"]) == (5, 1, 15000)
    assert got[(1, 3)]["pay_amt"] == 19000 and out["dt"].unique().to_list() == [D10]


def test_template_dimension_names_and_flags():
    raw = TEMPLATES.with_columns(cost_bearer=pl.Series([2, 1, 2], dtype=pl.Int32))
    out = template_day(D10, raw)
    assert out["cost_bearer"].to_list() == ["merchant", "platform", "merchant"]
    assert out["is_auto_promoted"].to_list() == [False, False, True]
    assert out["coupon_type_name"].to_list() == ["store", "platform", "store"]
    unknown = template_day(D10, raw.with_columns(channel_type=pl.lit(99, pl.Int32)))
    assert unknown["channel_name"].to_list() == ["channel 99"] * 3


def test_channel_codes_match_the_coupon_centre():
    for kind in (*STORE_KINDS, AUTO):
        assert kind.label in CHANNEL_NAMES[kind.channel_type]
    assert AUTO.channel_type == AUTO_PROMOTED_CHANNEL


def test_template_items_from_goods_limits_and_seller_scope():
    templates = TEMPLATES.with_columns(limit_type=pl.Series([0, 0, 1], dtype=pl.Int32))
    limits = pl.DataFrame({
        "coupon_template_id": [3, 3, 3], "limit_type": ["goods", "goods", "seller"],
        "limit_target_id": ["11", "12", "S1"], "status": pl.Series([1, 2, 1], dtype=pl.Int32),
    })
    goods = pl.DataFrame({"goods_id": [10, 11, 12, 20], "seller_id": ["S1", "S1", "S1", "S2"]})
    out = template_items(D10, limits, templates, goods)
    # T1 (store, no item limit): all S1 goods; T3 (item-limited): goods 11 only (12 removed);
    # T2 (platform-wide): not expanded
    assert rows(out, "coupon_template_id", "goods_id", "scope_source") == [
        (1, 10, "seller_wide"), (1, 11, "seller_wide"), (1, 12, "seller_wide"), (3, 11, "goods_limit"),
    ]


def test_coupon_triggers_are_growth_offers_and_the_coupon_rewarding_phoenix_tasks():
    from marketing_assets_tests.funnel._hand import sql_day

    table = TABLES_BY_KEY[("redcdm", "dwd_ecm_marketing_coupon_trigger_di")]
    day = dt.date(2025, 6, 10)
    at = dt.datetime(2025, 6, 10, 9)
    offers = pl.DataFrame({"execution_id": [7], "coupon_template_id": [100], "user_id": ["U1"],
                           "execute_time": [at], "coupon_id": [555]})
    # a surprise box is a trigger; a points reward and a task without template are not
    tasks = pl.DataFrame({"task_complete_id": ["T1", "T2", "T3"], "coupon_template_id": [101, 102, None],
                          "benefit_type": ["surprise_box", "points", "coupon"], "user_id": ["U2", "U3", "U4"],
                          "complete_time": [at, at, at]})
    out = sql_day(table, day, offers=offers, tasks=tasks)
    assert out.rows() == [
        ("7", 100, "growth_platform", "coupon", "U1", at, 555, day),
        ("phoenix:T1", 101, "phoenix", "surprise_box", "U2", at, None, day),
    ]
