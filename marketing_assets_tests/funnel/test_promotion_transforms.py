"""Promotion transforms on a hand-made world (expected values worked out by hand).

Sellers S1 (goods 1-4) and S2 (goods 5, 6). Groups and their promotions (targets):

- 10 S1 multi, store-wide 3件8折 (M件N折): promotion 101 (seller target S1); blacklist goods 2
  (valid) and goods 4 (removed);
- 11 S1 single-item prices: 102 (goods 1, removed on D10), 103 (goods 2); the group's end
  was extended on D10;
- 12 platform cross-store 满减, store-wide: 104 (seller target S1), two tiers;
- 13 S2 super single-item: 105 (sku 9002 = goods 5);
- 14 S2 interest-free, store-wide: 106 (seller target S2);
- 15 S2 multi, ended and taken offline on D9, deleted from the source on D10: 107 (goods 6,
  no benefit row known);
- 16 S2 gift (满赠 at 200 yuan): 108 (goods 6), gifts 301 (valid) and 302 (removed).

Packages (pay day D9 unless said): P1 (U1) three S1 lines under 101 (3件8折 over 4 units:
20 % off each line) and two of them under the platform's 104 as well; P2 (U2) a coupon only;
P3 (U3) under 101, refunded on D10; P4 (U4) under 101, refunded the same day; P5 (U1, D10)
under 101; P6 (U5, D10, S2) under promotion 999, unknown to the dimension.
"""

import datetime as dt

import polars as pl
import pytest

from marketing_assets.derived import compute_days
from marketing_assets.domains.promotion.blacklist_gifts import blacklist_target_day, gift_day
from marketing_assets.domains.promotion.catalog import TABLES
from marketing_assets.domains.promotion.groups import group_day, promotion_type_name
from marketing_assets.domains.promotion.items import promotion_items
from marketing_assets.domains.promotion.sellers import seller_metrics
from marketing_assets.domains.promotion.target_benefits import TARGET_BENEFIT_DAY, target_benefit_day
from marketing_assets.domains.promotion.uses import PROMOTION_USE, USE_DAYS, promotion_uses
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.table import table_key

D9, D10 = dt.date(2025, 6, 9), dt.date(2025, 6, 10)


def t(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour, minute)


def i32(values) -> pl.Series:
    return pl.Series(values, dtype=pl.Int32)


GROUPS_D9 = pl.DataFrame(
    {
        "group_id": [10, 11, 12, 13, 14, 15, 16],
        "group_name": ["S1 3件8折", "S1 单品", "618 跨店满减", "S2 超级单品", "S2 分期免息", "S2 满减", "S2 满赠"],
        "owner_type": ["seller", "seller", "platform", "seller", "seller", "seller", "seller"],
        "seller_id": ["S1", "S1", None, "S2", "S2", "S2", "S2"],
        "promotion_type": ["multi", "single", "multi", "super_single", "interest_free", "multi", "multi"],
        "store_wide": [True, False, True, False, True, False, False],
        "start_time": [t(1, 0), t(5, 0), t(1, 0), t(1, 0), t(1, 0), t(1, 0), t(1, 0)],
        "end_time": [t(30, 0), t(9, 23), t(20, 0), t(12, 0), t(30, 0), t(8, 0), t(30, 0)],
        "status": i32([1, 1, 1, 1, 1, 2, 1]),
        "create_time": [t(1, 0)] * 7,
        "update_time": [t(1, 0)] * 5 + [t(9, 1), t(1, 0)],
    }
).with_columns(dt=pl.lit(D9), _src_line=pl.int_range(1, 8, dtype=pl.Int64))
# D10's dump: group 15 deleted from the source, group 11 extended to the 25th
GROUPS_D10 = GROUPS_D9.filter(pl.col("group_id") != 15).with_columns(
    end_time=pl.when(pl.col("group_id") == 11).then(pl.lit(t(25, 0))).otherwise("end_time"),
    update_time=pl.when(pl.col("group_id") == 11).then(pl.lit(t(10, 8))).otherwise("update_time"),
    dt=pl.lit(D10),
)
GROUPS = pl.concat([GROUPS_D9, GROUPS_D10])

TARGETS = pl.DataFrame(
    {
        "promotion_id": [101, 102, 103, 104, 105, 106, 107, 108, 102],
        "group_id": [10, 11, 11, 12, 13, 14, 15, 16, 11],
        "target_type": ["seller", "item", "item", "seller", "sku", "seller", "item", "item", "item"],
        "target_id": ["S1", "1", "2", "S1", "9002", "S2", "6", "6", "1"],
        "seller_id": ["S1", "S1", "S1", "S1", "S2", "S2", "S2", "S2", "S1"],
        "status": i32([1, 1, 1, 1, 1, 1, 1, 1, 2]),  # 102 removed on D10
        "create_time": [t(1, 0)] * 9,
        "update_time": [t(1, 0)] * 8 + [t(10, 9)],
        "dt": [D9] * 8 + [D10],
    }
)

BENEFITS = pl.DataFrame(
    {  # 101 first 2件9折, changed to 3件8折 on D9; 107 has no benefit row
        "promotion_id": [101, 101, 102, 103, 104, 104, 105, 106, 108],
        "tier": i32([1, 1, 1, 1, 1, 2, 1, 1, 1]),
        "rule": ["m_n_discount", "m_n_discount", "price", "price", "full_reduction", "full_reduction",
                 "price", "interest_free", "gift"],
        "threshold": [2, 3, 0, 0, 30000, 60000, 0, 6, 20000],
        "value": [9, 8, 4500, 7000, 5000, 12000, 3000, 0, 0],
        "update_time": [t(1, 0), t(9, 7)] + [t(1, 0)] * 7,
        "dt": [D9] * 9,
    }
)

BLACKLIST = pl.DataFrame(
    {
        "blacklist_id": [201, 202],
        "group_id": [10, 10],
        "goods_id": [2, 4],
        "seller_id": ["S1", "S1"],
        "status": i32([1, 2]),
        "update_time": [t(1, 0), t(5, 0)],
        "dt": [D10, D10],
    }
)
GIFTS = pl.DataFrame(
    {
        "gift_id": [301, 302],
        "promotion_id": [108, 108],
        "gift_goods_id": [5, 6],
        "gift_count": i32([1, 2]),
        "status": i32([1, 2]),
        "update_time": [t(1, 0), t(3, 0)],
        "dt": [D10, D10],
    }
)
GOODS = pl.DataFrame({"goods_id": [1, 2, 3, 4, 5, 6], "seller_id": ["S1"] * 4 + ["S2"] * 2})
SKUS = pl.DataFrame({"sku_id": [9001, 9002], "goods_id": [3, 5]})

LINES = pl.DataFrame(
    {
        "package_id": ["P1", "P1", "P1", "P2", "P3", "P4", "P5", "P6"],
        "goods_id": [1, 3, 4, 2, 1, 3, 4, 5],
        "order_id": ["O1", "O1", "O1", "O2", "O3", "O4", "O5", "O6"],
        "user_id": ["U1", "U1", "U1", "U2", "U3", "U4", "U1", "U5"],
        "seller_id": ["S1"] * 7 + ["S2"],
        "pay_time": [t(9, 10)] * 3 + [t(9, 11), t(9, 12), t(9, 13), t(10, 9), t(10, 10)],
        "quantity": [1, 2, 1, 1, 3, 3, 3, 1],
        "paid_amt": [7000, 14000, 4000, 5000, 12000, 24000, 6000, 7200],
    }
).with_columns(dt=pl.col("pay_time").dt.date())

DETAILS = pl.DataFrame(
    {
        "package_id": ["P1", "P1", "P1", "P1", "P1", "P2", "P3", "P4", "P5", "P6"],
        "goods_id": [1, 3, 4, 1, 3, 2, 1, 3, 4, 5],
        "discount_source": ["store_promotion"] * 3 + ["platform_promotion"] * 2
        + ["store_coupon"] + ["store_promotion"] * 4,
        "source_id": [101, 101, 101, 104, 104, 55, 101, 101, 101, 999],
        "discount_amt": [2000, 4000, 1000, 1000, 2000, 500, 3000, 6000, 1500, 800],
        "bearer": ["merchant"] * 3 + ["platform"] * 2 + ["merchant"] * 5,
    }
).join(LINES.select("package_id", "goods_id", "dt"), on=["package_id", "goods_id"], maintain_order="left")

REFUNDS = pl.DataFrame(
    {
        "package_id": ["P3", "P4"],
        "goods_id": [1, 3],
        "refund_time": [t(10, 14), t(9, 15)],
    }
).with_columns(dt=pl.col("refund_time").dt.date())

FIRST = pl.DataFrame(
    {  # user × store first paid orders
        "user_id": ["U1", "U3", "U5"],
        "seller_id": ["S1", "S1", "S2"],
        "first_pay_date": [D9, D9, D10],
        "first_package_id": ["P1", "P3", "P6"],
    }
)


def known_on(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col("dt") <= day)


def rows(frame: pl.DataFrame, *columns) -> list[tuple]:
    return sorted(frame.select(columns).rows(), key=str)


def groups_on(day):
    return group_day(day, known_on(GROUPS, day))


def dim_on(day):
    return target_benefit_day(day, known_on(TARGETS, day), known_on(BENEFITS, day), groups_on(day))


def uses_on(day):
    return promotion_uses(
        day, known_on(DETAILS, day), known_on(LINES, day), known_on(REFUNDS, day), dim_on(day)
    )


# ---- dimensions ----------------------------------------------------------------------------
def test_group_day_latest_state_and_promotion_type_names():
    g = {r["group_id"]: r for r in groups_on(D10).to_dicts()}
    assert sorted(g) == [10, 11, 12, 13, 14, 15, 16]  # 15 keeps its last known state
    assert g[11]["end_time"] == t(25, 0) and g[11]["is_live"]  # D10's change wins
    assert (g[15]["status"], g[15]["is_live"]) == (2, False)
    assert {g[i]["promotion_type"]: g[i]["promotion_type_name"] for i in (10, 11, 13, 14)} == {
        "multi": "multi-item 多件",
        "single": "single-item 单品",
        "super_single": "super single-item 超级单品",
        "interest_free": "interest-free 分期免息",
    }
    # on D9 group 11 still ends on the 9th at 23:00: live that day
    assert groups_on(D9).filter(pl.col("group_id") == 11)["end_time"].to_list() == [t(9, 23)]
    unknown = pl.DataFrame({"promotion_type": ["flash"]}).select(promotion_type_name())
    assert unknown.item() == "type flash"


def test_target_benefit_dimension():
    dim = dim_on(D10)
    assert rows(dim, "promotion_id", "tier", "rule", "threshold", "value", "is_live") == sorted([
        (101, 1, "m_n_discount", 3, 8, True),  # changed from 2件9折: the latest row wins
        (102, 1, "price", 0, 4500, False),  # target removed on D10
        (103, 1, "price", 0, 7000, True),
        (104, 1, "full_reduction", 30000, 5000, True),
        (104, 2, "full_reduction", 60000, 12000, True),
        (105, 1, "price", 0, 3000, True),
        (106, 1, "interest_free", 6, 0, True),
        (107, None, None, None, None, False),  # no benefit row; group offline
        (108, 1, "gift", 20000, 0, True),
    ], key=str)
    p104 = dim.filter(pl.col("promotion_id") == 104).row(0, named=True)
    assert (p104["owner_type"], p104["discount_source"], p104["promotion_type"]) == (
        "platform", "platform_promotion", "multi"
    )
    p105 = dim.filter(pl.col("promotion_id") == 105).row(0, named=True)
    assert (p105["promotion_type_name"], p105["target_type"], p105["target_id"]) == (
        "super single-item 超级单品", "sku", "9002"
    )
    assert dim.filter(pl.col("promotion_id") == 101)["rule_name"].to_list() == ["M items N tenths M件N折"]
    # before D10 promotion 102 is live
    assert dim_on(D9).filter(pl.col("promotion_id") == 102)["is_live"].to_list() == [True]


def test_target_with_unknown_group_keeps_its_row():
    dim = target_benefit_day(D10, TARGETS, BENEFITS, groups_on(D10).filter(pl.col("group_id") != 13))
    r = dim.filter(pl.col("promotion_id") == 105).row(0, named=True)
    assert (r["group_id"], r["promotion_type"], r["group_name"], r["is_live"]) == (13, None, None, False)


def test_blacklist_and_gift_dimensions():
    black = blacklist_target_day(D10, BLACKLIST, groups_on(D10))
    assert rows(black, "blacklist_id", "goods_id", "is_valid", "group_name", "store_wide") == [
        (201, 2, True, "S1 3件8折", True), (202, 4, False, "S1 3件8折", True),
    ]
    gifts = gift_day(D10, GIFTS, dim_on(D10))
    assert rows(gifts, "gift_id", "group_id", "seller_id", "gift_goods_id", "threshold", "is_valid") == [
        (301, 16, "S2", 5, 20000, True), (302, 16, "S2", 6, 20000, False),
    ]


def test_promotion_items_sku_item_and_store_wide_minus_blacklist():
    black = blacklist_target_day(D10, BLACKLIST, groups_on(D10))
    items = promotion_items(D10, dim_on(D10), black, GOODS, SKUS)
    assert rows(items, "promotion_id", "goods_id", "scope_source", "seller_id") == sorted([
        # 101 store-wide S1: goods 2 blacklisted (valid); goods 4's blacklist row was removed
        (101, 1, "store_wide", "S1"), (101, 3, "store_wide", "S1"), (101, 4, "store_wide", "S1"),
        (103, 2, "item", "S1"),  # 102 removed on D10
        # 104 platform store-wide over S1: group 10's blacklist does not apply
        (104, 1, "store_wide", "S1"), (104, 2, "store_wide", "S1"),
        (104, 3, "store_wide", "S1"), (104, 4, "store_wide", "S1"),
        (105, 5, "sku", "S2"),  # sku 9002 → goods 5
        (106, 5, "store_wide", "S2"), (106, 6, "store_wide", "S2"),
        (108, 6, "item", "S2"),  # 107: group offline
    ], key=str)
    assert items.filter(pl.col("promotion_id") == 105)["sku_id"].to_list() == [9002]
    assert items.filter(pl.col("promotion_id") == 104)["owner_type"].unique().to_list() == ["platform"]
    on_d9 = promotion_items(D9, dim_on(D9), black, GOODS, SKUS)
    assert rows(on_d9.filter(pl.col("promotion_id") == 102), "goods_id", "scope_source") == [(1, "item")]


# ---- use fact ------------------------------------------------------------------------------
def test_use_fact_before_the_later_refund_is_known():
    uses = uses_on(D9)
    # P2 has a coupon only; P4 refunded on its pay day: never a use
    assert rows(uses, "promotion_id", "package_id", "goods_id", "discount_amt", "bearer", "is_refunded") == sorted([
        (101, "P1", 1, 2000, "merchant", False), (101, "P1", 3, 4000, "merchant", False),
        (101, "P1", 4, 1000, "merchant", False),
        (104, "P1", 1, 1000, "platform", False), (104, "P1", 3, 2000, "platform", False),
        (101, "P3", 1, 3000, "merchant", False),
    ], key=str)
    p1 = uses.filter((pl.col("promotion_id") == 101) & (pl.col("package_id") == "P1"))
    # the M件N折 promotion's three discount rows on P1 are one use
    assert p1["use_key"].unique().to_list() == ["101:P1"]
    assert p1["line_paid_amt"].sum() == 25000
    assert rows(uses.filter(pl.col("promotion_id") == 104), "group_id", "promotion_type", "rule",
                "discount_source")[0] == (12, "multi", "full_reduction", "platform_promotion")


def test_use_fact_flags_the_later_refund_and_keeps_unknown_promotions():
    uses = uses_on(D10)
    assert uses.height == 8  # D9's six + P5 + P6
    p3 = uses.filter(pl.col("package_id") == "P3").row(0, named=True)
    assert p3["is_refunded"] and p3["refund_time"] == t(10, 14)
    p6 = uses.filter(pl.col("package_id") == "P6").row(0, named=True)
    assert (p6["promotion_id"], p6["group_id"], p6["promotion_type"], p6["line_paid_amt"]) == (999, None, None, 7200)


def test_use_fact_window_is_500_days_ending_dt():
    def paid(days_before: int):
        when = dt.datetime.combine(D10 - dt.timedelta(days=days_before), dt.time(10))
        lines = LINES.filter(pl.col("package_id") == "P1").with_columns(
            pay_time=pl.lit(when), dt=pl.lit(when.date())
        )
        details = DETAILS.filter(pl.col("package_id") == "P1").with_columns(dt=pl.lit(when.date()))
        return promotion_uses(D10, details, lines, REFUNDS.clear(), dim_on(D10))

    assert paid(499).height == 5
    assert paid(499)["pay_date"].unique().to_list() == [dt.date(2024, 1, 28)]  # 2025-06-10 − 499 days (2024 is a leap year)
    assert paid(500).height == 0


# ---- seller results ------------------------------------------------------------------------
def seller(day=D10, by=()):
    out = seller_metrics(day, uses_on(day), FIRST, by=by)
    return {(r["seller_id"], r["stat_period"], *(r[k] for k in by)): r for r in out.to_dicts()}


def test_seller_one_day_before_and_after_the_refund():
    r = seller(D9)[("S1", 1)]
    # D9: 101 and 104 on P1, 101 on P3 (its refund is not known yet)
    assert (r["use_cnt"], r["use_user_cnt"]) == (3, 2)
    assert (r["pay_amt"], r["pay_goods_cnt"]) == (7000 + 14000 + 4000 + 12000, 1 + 2 + 1 + 3)
    assert (r["discount_amt"], r["merchant_cost_amt"], r["platform_cost_amt"]) == (13000, 10000, 3000)
    assert r["new_buyer_cnt"] == 2  # U1 (P1), U3 (P3)
    r = seller(D10)[("S1", 1)]
    # D10: 101 on P5 only
    assert (r["use_cnt"], r["use_user_cnt"], r["pay_amt"], r["pay_goods_cnt"]) == (1, 1, 6000, 3)
    assert (r["discount_amt"], r["roi"], r["aov"], r["new_buyer_cnt"]) == (1500, 4.0, 6000, 0)


def test_seller_seven_days_drops_the_line_refunded_on_a_later_day():
    s = seller(D10)
    r = s[("S1", 7)]
    # P3 (paid D9, refunded D10) is gone; P1's lines count once each although two
    # promotions discount two of them
    assert (r["use_cnt"], r["use_user_cnt"]) == (3, 1)  # 101:P1, 104:P1, 101:P5
    assert (r["pay_amt"], r["pay_goods_cnt"]) == (7000 + 14000 + 4000 + 6000, 7)
    assert (r["discount_amt"], r["merchant_cost_amt"], r["platform_cost_amt"]) == (11500, 8500, 3000)
    assert r["roi"] == pytest.approx(31000 / 11500) and r["aov"] == 31000
    assert r["new_buyer_cnt"] == 1  # U1; U3's first order was refunded
    assert s[("S1", 30)]["pay_amt"] == 31000
    assert (s[("S2", 1)]["pay_amt"], s[("S2", 1)]["new_buyer_cnt"]) == (7200, 1)


def test_promotion_and_group_cuts():
    p = seller(by=("promotion_id",))
    assert (p[("S1", 7, 101)]["use_cnt"], p[("S1", 7, 101)]["pay_amt"], p[("S1", 7, 101)]["discount_amt"]) == (
        2, 31000, 8500
    )
    assert (p[("S1", 7, 104)]["use_cnt"], p[("S1", 7, 104)]["pay_amt"], p[("S1", 7, 104)]["platform_cost_amt"]) == (
        1, 21000, 3000
    )
    assert p[("S1", 7, 101)]["pay_amt"] + p[("S1", 7, 104)]["pay_amt"] == 52000  # > the seller's 31000
    g = seller(by=("group_id",))
    assert sorted(k for k in g if k[1] == 7) == sorted([("S1", 7, 10), ("S1", 7, 12), ("S2", 7, None)], key=str)
    assert (g[("S1", 7, 10)]["new_buyer_cnt"], g[("S1", 7, 12)]["new_buyer_cnt"]) == (1, 1)
    assert g[("S2", 7, None)]["pay_amt"] == 7200


def test_ratios_are_null_without_a_denominator():
    free = uses_on(D10).with_columns(discount_amt=pl.lit(0, pl.Int64))
    r = seller_metrics(D10, free, FIRST).filter(
        (pl.col("seller_id") == "S1") & (pl.col("stat_period") == 1)
    ).row(0, named=True)
    assert (r["discount_amt"], r["roi"], r["aov"]) == (0, None, 6000)
    assert seller_metrics(D10, uses_on(D10).clear(), FIRST).height == 0


# ---- through the table definitions -----------------------------------------------------------
def test_tables_through_the_factory():
    by_key = {(t.database, t.table): t for t in TABLES}
    assert len(by_key) == 9 and {t.group for t in TABLES} == {"promotion"}
    planned = {t.table for t in TABLES if t.planned}
    assert planned == {
        "dw_trd_promotion_group_day", "dw_trd_promotion_gift_day",
        "dw_trd_promotion_blacklist_target_day", "dwd_ecm_mkt_promotion_item_df",
    }
    assert by_key[table_key(TARGET_BENEFIT_DAY)].inputs["targets"].days == LOOKBACK_DAYS
    assert by_key[table_key(PROMOTION_USE)].inputs["lines"].days == USE_DAYS == 500

    def on(frame, day=D10):
        return frame.with_columns(dt=pl.lit(day))

    dim = compute_days(by_key[table_key(TARGET_BENEFIT_DAY)], [D10], {
        "targets": TARGETS, "benefits": BENEFITS, "groups": on(groups_on(D10)),
    })
    assert dim.height == 9 and dim.columns[-1] == "dt"
    uses = compute_days(by_key[table_key(PROMOTION_USE)], [D10], {
        "details": DETAILS, "lines": LINES, "refunds": REFUNDS, "promotions": dim,
    })
    assert uses.height == 8
    table = by_key[("redcdm", "dm_ecm_trd_mkt_promotion_sellerid_promotionid_nd_di")]
    first = FIRST.select(
        "user_id", pl.lit("store").alias("level"), pl.col("seller_id").alias("level_id"),
        "first_pay_date", "first_package_id",
    )
    out = compute_days(table, [D10], {"uses": uses, "first_orders": on(first)})
    got = {(r["seller_id"], r["stat_period"], r["promotion_id"]): r for r in out.to_dicts()}
    assert (got[("S1", 30, 101)]["use_cnt"], got[("S1", 30, 101)]["pay_amt"]) == (2, 31000)
    assert got[("S2", 1, 999)]["pay_amt"] == 7200 and out["dt"].unique().to_list() == [D10]
    assert out.columns[-1] == "dt"
