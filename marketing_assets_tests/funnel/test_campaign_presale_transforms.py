"""Campaign and presale tables on hand-made frames (expected values worked out by hand),
run through the table definitions (``compute_days``: windows, model validation, grain)."""

import datetime as dt

import polars as pl
import pytest

from marketing_assets.derived import compute_days
from marketing_assets.domains.campaign.catalog import TABLES as CAMPAIGN
from marketing_assets.domains.campaign.participate_goods import PARTICIPATE_GOODS
from marketing_assets.domains.campaign.relation import ACTIVITY_RELATION, activity_relation
from marketing_assets.domains.campaign.supply import ACTIVITY_SUPPLY
from marketing_assets.domains.presale.catalog import TABLES as PRESALE
from marketing_assets.domains.presale.conversion import PRESALE_CONVERSION, PRESALE_GOODS
from marketing_assets.domains.user.first_orders import paid_lines
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.table import table_key

TABLES = {(t.database, t.table): t for t in [*CAMPAIGN, *PRESALE]}


def ts(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, second)


def on(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return frame.with_columns(dt=pl.lit(day, pl.Date))


def run(key, day: dt.date, **frames) -> pl.DataFrame:
    return compute_days(TABLES[key], [day], frames)


def by(frame: pl.DataFrame, *key) -> dict:
    return {tuple(r[k] for k in key): r for r in frame.to_dicts()}


# ---- campaigns -----------------------------------------------------------------------------
D = dt.date(2025, 5, 20)


def days_before(n: int) -> dt.date:
    return D - dt.timedelta(days=n)


# activity 1 (618: venue 11, discount 12, coupon 13 that nobody signs up to), activity 2
# (monthly: discount 21)
ACTIVITIES = pl.DataFrame({
    "activity_id": [1, 2],
    "activity_name": ["2025 618", "2025年6月 品类主题月"],
    "activity_type": ["618", "monthly"],
    "signup_start": [ts(4, 20), ts(5, 21)],
    "signup_end": [ts(5, 14, 23, 59, 59), ts(6, 20, 23, 59, 59)],
    "start_time": [ts(6, 1), ts(6, 25)],
    "end_time": [ts(6, 18, 23, 59, 59), ts(6, 27, 23, 59, 59)],
    "gmv_target": [10_000_000, 1_000_000],
    "budget": [300_000, 30_000],
    "status": pl.Series([1, 1], dtype=pl.Int32),
    "update_time": [ts(4, 15, 10), ts(5, 18, 10)],
})
SUBS = pl.DataFrame({
    "sub_activity_id": [11, 12, 13, 21],
    "activity_id": [1, 1, 1, 2],
    "sub_activity_name": ["618 主会场", "618 跨店满减", "618 大额薯券", "6月 满减"],
    "sub_type": ["venue", "discount", "coupon", "discount"],
    "start_time": [ts(5, 15), ts(6, 1), ts(5, 15), ts(6, 25)],
    "end_time": [ts(6, 18, 23, 59, 59)] * 3 + [ts(6, 27, 23, 59, 59)],
    "status": pl.Series([1, 1, 1, 1], dtype=pl.Int32),
    "update_time": [ts(4, 15, 10)] * 3 + [ts(5, 18, 10)],
})
GOODS = pl.DataFrame({
    "goods_id": [1, 2, 3, 4],
    "industry": ["beauty", "beauty", "food", "home"],
    "category": ["skincare", "makeup", "snacks", "kitchen"],
})


def signup(signup_id, sub, goods, seller, status, signup_time, audit_time, update_time, landed, line=1):
    return {
        "signup_id": signup_id, "sub_activity_id": sub, "activity_id": sub // 10, "goods_id": goods,
        "seller_id": seller, "audit_status": status, "signup_time": signup_time, "audit_time": audit_time,
        "update_time": update_time, "dt": landed, "_src_file": f"campaign_item_{landed}.json", "_src_line": line,
    }


SIGNUPS = pl.DataFrame([
    # 101: goods 1 → venue 11, signed up D-3, approved D-1
    signup(101, 11, 1, "X", "pending", ts(5, 17, 9), None, ts(5, 17, 9), days_before(3)),
    signup(101, 11, 1, "X", "approved", ts(5, 17, 9), ts(5, 19, 15), ts(5, 19, 15), days_before(1)),
    # the D-3 row of 101 landed again on D (late): older update_time, the approval stays
    signup(101, 11, 1, "X", "pending", ts(5, 17, 9), None, ts(5, 17, 9), D, line=9),
    # 102: goods 2 → venue 11, rejected D-2; re-submitted on D as 103 (pending): latest wins
    signup(102, 11, 2, "X", "pending", ts(5, 16, 8), None, ts(5, 16, 8), days_before(4)),
    signup(102, 11, 2, "X", "rejected", ts(5, 16, 8), ts(5, 18, 11), ts(5, 18, 11), days_before(2)),
    signup(103, 11, 2, "X", "pending", ts(5, 20, 9), None, ts(5, 20, 9), D, line=2),
    # 104: goods 3 of seller Y → discount 12, approved on D
    signup(104, 12, 3, "Y", "pending", ts(5, 19, 8), None, ts(5, 19, 8), days_before(1), line=2),
    signup(104, 12, 3, "Y", "approved", ts(5, 19, 8), ts(5, 20, 14), ts(5, 20, 14), D, line=3),
    # 105: goods 1 → discount 12, rejected D-1
    signup(105, 12, 1, "X", "rejected", ts(5, 18, 8), ts(5, 19, 16), ts(5, 19, 16), days_before(1), line=3),
    # 106: goods 4 of seller Z → monthly discount 21, signed up on D
    signup(106, 21, 4, "Z", "pending", ts(5, 20, 10), None, ts(5, 20, 10), D, line=4),
    # 107: a sub-activity no longer in the collection
    signup(107, 99, 4, "Z", "approved", ts(5, 1, 10), ts(5, 2, 10), ts(5, 2, 10), days_before(18)),
])


def relation(day=D) -> pl.DataFrame:
    return run(table_key(ACTIVITY_RELATION), day, activities=on(ACTIVITIES, day), subs=on(SUBS, day))


def participate(signups=SIGNUPS) -> pl.DataFrame:
    return run(table_key(PARTICIPATE_GOODS), D, signups=signups, relation=relation(), goods=on(GOODS, D))


def test_relation_joins_the_parent_activity():
    out = by(relation(), "sub_activity_id")
    assert sorted(out) == [(11,), (12,), (13,), (21,)]
    r = out[(12,)]
    assert (r["activity_id"], r["activity_name"], r["activity_type"], r["sub_type"]) == (1, "2025 618", "618", "discount")
    assert (r["sub_start_time"], r["activity_start_time"], r["signup_end"]) == (ts(6, 1), ts(6, 1), ts(5, 14, 23, 59, 59))
    assert out[(21,)]["gmv_target"] == 1_000_000
    # a sub-activity whose parent is missing keeps its row, activity columns null
    orphan = activity_relation(D, ACTIVITIES.filter(pl.col("activity_id") == 1), SUBS)
    assert orphan.filter(pl.col("sub_activity_id") == 21)["activity_name"].to_list() == [None]


def test_participate_goods_latest_signup_wins():
    out = by(participate(), "goods_id", "sub_activity_id")
    # (goods 4, sub 99) left out: sub-activity not in the collection
    assert sorted(out) == [(1, 11), (1, 12), (2, 11), (3, 12), (4, 21)]
    assert [(out[k]["signup_id"], out[k]["audit_status"], out[k]["signup_cnt"]) for k in sorted(out)] == [
        (101, "approved", 1),  # the late re-landing of the pending row does not win
        (105, "rejected", 1),
        (103, "pending", 2),  # re-submitted after the rejection of 102
        (104, "approved", 1),
        (106, "pending", 1),
    ]
    r = out[(2, 11)]
    assert (r["signup_date"], r["audit_time"], r["audit_date"]) == (D, None, None)
    r = out[(3, 12)]
    assert (r["audit_date"], r["seller_id"], r["industry"], r["category"]) == (D, "Y", "food", "snacks")
    assert (r["activity_id"], r["activity_name"], r["sub_activity_name"]) == (1, "2025 618", "618 跨店满减")


def test_participate_goods_lookback_drops_untouched_signups():
    old = SIGNUPS.filter(pl.col("signup_id") == 105).with_columns(dt=pl.lit(days_before(LOOKBACK_DAYS - 1)))
    assert participate(old).select("signup_id").to_series().to_list() == [105]
    gone = old.with_columns(dt=pl.lit(days_before(LOOKBACK_DAYS)))
    assert participate(gone).height == 0


COUNTS = (
    "signup_goods_cnt", "signup_seller_cnt", "approved_goods_cnt", "approved_seller_cnt",
    "rejected_goods_cnt", "rejected_seller_cnt", "pending_goods_cnt", "pending_seller_cnt",
    "signup_goods_cnt_1d", "signup_seller_cnt_1d", "approved_goods_cnt_1d", "approved_seller_cnt_1d",
)


def test_supply_per_activity_and_sub_activity():
    out = run(table_key(ACTIVITY_SUPPLY), D, goods=participate(), relation=relation())
    got = by(out, "activity_id", "sub_activity_id")
    assert len(got) == 6  # 4 sub-activities + 2 activity totals
    counts = {k: tuple(r[c] for c in COUNTS) for k, r in got.items()}
    # venue 11: goods 1 (X, approved D-1) and 2 (X, re-submitted on D, pending)
    assert counts[(1, 11)] == (2, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0)
    # discount 12: goods 3 (Y, approved on D) and 1 (X, rejected)
    assert counts[(1, 12)] == (2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1)
    # coupon 13: nobody signed up
    assert counts[(1, 13)] == (0,) * 12
    # 618 total: goods 1, 2, 3 of X and Y; goods 1 is approved (11) and rejected (12)
    assert counts[(1, None)] == (3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1)
    assert counts[(2, 21)] == counts[(2, None)] == (1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0)
    rates = {k: r["approve_rate"] for k, r in got.items()}
    assert rates[(1, 11)] == 1.0 and rates[(1, 12)] == 0.5
    assert rates[(1, None)] == pytest.approx(2 / 3)  # 2 approved of 3 audited sign-ups
    assert rates[(1, 13)] is None and rates[(2, None)] is None
    assert got[(1, None)]["sub_activity_name"] is None and got[(1, None)]["activity_name"] == "2025 618"
    assert got[(1, 13)]["sub_type"] == "coupon"


# ---- presale -------------------------------------------------------------------------------
FINAL_END = ts(6, 3, 23, 59, 59)

# presale 1 (618): deposits 15–31 May, final payments 1–3 June; presale 2 opens later;
# presale 3 ended before with no deposits
PRESALES = pl.DataFrame({
    "presale_activity_id": [1, 2, 3],
    "activity_name": ["2025 618 定金预售", "新品预售 2025-06-10", "新品预售 2025-05-01"],
    "presale_type": ["618", "new_product", "new_product"],
    "deposit_start": [ts(5, 15), ts(6, 10), ts(5, 1)],
    "deposit_end": [ts(5, 31, 23, 59, 59), ts(6, 16, 23, 59, 59), ts(5, 7, 23, 59, 59)],
    "final_start": [ts(6, 1), ts(6, 17), ts(5, 8)],
    "final_end": [FINAL_END, ts(6, 19, 23, 59, 59), ts(5, 10, 23, 59, 59)],
    "status": pl.Series([1, 1, 1], dtype=pl.Int32),
    "update_time": [ts(5, 8, 10), ts(6, 1, 10), ts(4, 28, 10)],
})


def sku_row(presale, sku, goods, price, deposit, deduction, stock, update_time, line=1):
    return {
        "presale_activity_id": presale, "sku_id": sku, "goods_id": goods, "seller_id": "S1",
        "presale_price": price, "deposit_amt": deposit, "deduction_amt": deduction, "stock": stock,
        "status": 1, "update_time": update_time, "dt": update_time.date(),
        "_src_file": f"presale_sales_{update_time.date()}.json", "_src_line": line,
    }


SALES = pl.DataFrame([
    # SKU 11: price 200 yuan, deposit 30 deducting 80; stock topped up on 20 May
    sku_row(1, 11, 1, 20000, 3000, 8000, 100, ts(5, 14, 20)),
    sku_row(1, 11, 1, 20000, 3000, 8000, 150, ts(5, 20, 9)),
    # SKU 12 (same goods): price 100, deposit 20 deducting 50
    sku_row(1, 12, 1, 10000, 2000, 5000, 80, ts(5, 14, 20), line=2),
    sku_row(2, 21, 2, 5000, 500, 1500, 30, ts(6, 1, 12)),
    # a presale no longer in the collection
    sku_row(9, 91, 9, 5000, 500, 1500, 30, ts(5, 14, 21), line=3),
]).with_columns(pl.col("status").cast(pl.Int32))

DEPOSITS = pl.DataFrame({
    "deposit_id": ["d1", "d2", "d3"],
    "user_id": ["U1", "U2", "U1"],
    "presale_activity_id": [1, 1, 1],
    "sku_id": [11, 11, 12],
    "goods_id": [1, 1, 1],
    "quantity": [1, 1, 2],
    "deposit_amt": [3000, 3000, 4000],  # for the quantity
    "deduction_amt": [8000, 8000, 10000],
    "pay_time": [ts(5, 20, 10), ts(5, 21, 11), ts(5, 31, 20)],
}).with_columns(dt=pl.col("pay_time").dt.date())

# d1 converted on 1 June: 200 − (80 − 30) = 150 paid in all (deposit 30 + final 120);
# d3 converted on 3 June: 2 × 100 − 2 × (50 − 20) = 140 (deposit 40 + final 100);
# d2 never: U2's ordinary (not presale) line of the SKU ordered at d2's time does not count
LINES = pl.DataFrame({
    "package_id": ["o1-1", "o2-1", "o3-1"],
    "goods_id": [1, 1, 1],
    "user_id": ["U1", "U2", "U1"],
    "sku_id": [11, 11, 12],
    "order_time": [ts(5, 20, 10), ts(5, 21, 11), ts(5, 31, 20)],
    "pay_time": [ts(6, 1, 10, 30), ts(5, 21, 11), ts(6, 3, 9)],
    "paid_amt": [15000, 20000, 14000],
    "is_presale": [True, False, True],
}).with_columns(dt=pl.col("pay_time").dt.date())

# U2's ordinary line refunded: no presale count moves
REFUNDS = pl.DataFrame({
    "package_id": ["o2-1"], "goods_id": [1], "pay_time": [ts(5, 21, 11)], "refund_time": [ts(5, 21, 12)],
}).with_columns(dt=pl.col("refund_time").dt.date())

# two more deposits of SKU 11 whose final payments (1 June) are refunded: d4's the same
# day (never converts), d5's (2 units) on 2 June (converted on 1 June only)
REFUNDED_DEPOSITS = pl.concat([DEPOSITS, pl.DataFrame({
    "deposit_id": ["d4", "d5"],
    "user_id": ["U3", "U4"],
    "presale_activity_id": [1, 1],
    "sku_id": [11, 11],
    "goods_id": [1, 1],
    "quantity": [1, 2],
    "deposit_amt": [3000, 6000],
    "deduction_amt": [8000, 16000],
    "pay_time": [ts(5, 22, 10), ts(5, 23, 10)],
}).with_columns(dt=pl.col("pay_time").dt.date())])
REFUNDED_LINES = pl.concat([LINES, pl.DataFrame({
    "package_id": ["o4-1", "o5-1"],
    "goods_id": [1, 1],
    "user_id": ["U3", "U4"],
    "sku_id": [11, 11],
    "order_time": [ts(5, 22, 10), ts(5, 23, 10)],
    "pay_time": [ts(6, 1, 12), ts(6, 1, 13)],
    "paid_amt": [15000, 30000],  # 150 each unit: deposit 30 + final 120
    "is_presale": [True, True],
}).with_columns(dt=pl.col("pay_time").dt.date())])
LATER_REFUNDS = pl.concat([REFUNDS, pl.DataFrame({
    "package_id": ["o4-1", "o5-1"], "goods_id": [1, 1], "pay_time": [ts(6, 1, 12), ts(6, 1, 13)],
    "refund_time": [ts(6, 1, 18), ts(6, 2, 9)],
}).with_columns(dt=pl.col("refund_time").dt.date())])


def known(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col("dt") <= day)


def presale_goods(day: dt.date, deposits=DEPOSITS, lines=LINES, refunds=REFUNDS) -> pl.DataFrame:
    return run(
        table_key(PRESALE_GOODS), day, sales=known(SALES, day), activities=on(PRESALES, day),
        deposits=known(deposits, day), lines=known(lines, day), refunds=known(refunds, day),
    )


def conversion(day: dt.date, deposits=DEPOSITS, lines=LINES, refunds=REFUNDS) -> pl.DataFrame:
    return run(
        table_key(PRESALE_CONVERSION), day, activities=on(PRESALES, day),
        deposits=known(deposits, day), lines=known(lines, day), refunds=known(refunds, day),
    )


def test_presale_sku_price_deposit_deduction_final_payment():
    out = by(presale_goods(dt.date(2025, 6, 3)), "presale_activity_id", "sku_id")
    assert sorted(out) == [(1, 11), (1, 12), (2, 21)]  # presale 9 not in the collection
    r = out[(1, 11)]
    # 200 yuan, deposit 30 deducting 80: final payment 120, presale discount 50
    assert (r["presale_price"], r["deposit_amt"], r["deduction_amt"]) == (20000, 3000, 8000)
    assert (r["final_payment_amt"], r["presale_discount_amt"]) == (12000, 5000)
    assert r["deposit_amt"] + r["final_payment_amt"] == 15000  # the buyer pays 150 in all
    assert (r["goods_id"], r["stock"], r["activity_name"]) == (1, 150, "2025 618 定金预售")
    assert (r["final_start"], r["final_end"], r["deposit_start"]) == (ts(6, 1), FINAL_END, ts(5, 15))
    assert (out[(1, 12)]["final_payment_amt"], out[(1, 12)]["presale_discount_amt"]) == (5000, 3000)


def test_presale_sku_deposit_and_conversion_counts():
    metrics = ("deposit_cnt_1d", "deposit_qty_1d", "deposit_cnt", "deposit_qty", "converted_cnt_1d", "converted_cnt")

    def counts(day):
        return {k: tuple(r[m] for m in metrics) for k, r in by(presale_goods(day), "presale_activity_id", "sku_id").items()}

    may21 = counts(dt.date(2025, 5, 21))
    assert may21[(1, 11)] == (1, 1, 2, 2, 0, 0)  # d2 paid on the 21st, d1 before
    assert may21[(1, 12)] == (0, 0, 0, 0, 0, 0)
    june3 = counts(dt.date(2025, 6, 3))
    assert june3[(1, 11)] == (0, 0, 2, 2, 0, 1)  # d1 converted on 1 June, d2 not
    assert june3[(1, 12)] == (0, 0, 1, 2, 1, 1)  # d3 (2 units) converted on 3 June
    assert june3[(2, 21)] == (0,) * 6


def test_conversion_with_a_forfeited_deposit():
    out = by(conversion(dt.date(2025, 6, 3)), "presale_activity_id")
    assert sorted(out) == [(1,), (3,)]  # presale 2's deposits have not opened
    r = out[(1,)]
    assert r["stage"] == "final"
    assert (r["deposit_cnt"], r["deposit_user_cnt"], r["deposit_qty"], r["deposit_amt"], r["deduction_amt"]) == (
        3, 2, 4, 10000, 26000)
    assert (r["deposit_cnt_1d"], r["deposit_amt_1d"]) == (0, 0)
    assert (r["converted_cnt"], r["converted_qty"], r["converted_deposit_amt"], r["converted_cnt_1d"]) == (2, 3, 7000, 1)
    # the final window closes at the end of 3 June: d2 is forfeited, kept, not GMV
    assert (r["pending_cnt"], r["forfeited_cnt"], r["forfeited_qty"], r["forfeited_deposit_amt"]) == (0, 1, 1, 3000)
    assert r["conversion_rate"] == pytest.approx(2 / 3)
    # GMV 150 (d1) + 140 (d3); final payments 120 + 100
    assert (r["final_gmv_amt"], r["final_gmv_amt_1d"]) == (29000, 14000)
    assert (r["final_payment_amt"], r["final_payment_amt_1d"]) == (22000, 10000)
    empty = out[(3,)]
    assert (empty["stage"], empty["deposit_cnt"], empty["conversion_rate"]) == ("closed", 0, None)


def test_conversion_before_the_final_window_closes():
    r = by(conversion(dt.date(2025, 6, 1)), "presale_activity_id")[(1,)]
    # d1 converted today; d2 and d3 still pending, nothing forfeited yet
    assert (r["converted_cnt"], r["converted_cnt_1d"], r["pending_cnt"], r["pending_deposit_amt"]) == (1, 1, 2, 7000)
    assert (r["forfeited_cnt"], r["forfeited_deposit_amt"], r["conversion_rate"]) == (0, 0, pytest.approx(1 / 3))
    assert (r["final_gmv_amt_1d"], r["final_payment_amt_1d"]) == (15000, 12000)
    may31 = by(conversion(dt.date(2025, 5, 31)), "presale_activity_id")[(1,)]
    assert (may31["stage"], may31["deposit_cnt_1d"], may31["deposit_qty_1d"], may31["deposit_amt_1d"]) == (
        "deposit", 1, 2, 4000)
    assert (may31["converted_cnt"], may31["conversion_rate"]) == (0, 0.0)
    after = by(conversion(dt.date(2025, 6, 4)), "presale_activity_id")[(1,)]
    assert (after["stage"], after["forfeited_cnt"], after["converted_cnt_1d"]) == ("closed", 1, 0)


STATES = ("converted_cnt", "refunded_cnt", "pending_cnt", "forfeited_cnt")


def refunded_world(day: dt.date) -> dict:
    return by(conversion(day, REFUNDED_DEPOSITS, REFUNDED_LINES, LATER_REFUNDS), "presale_activity_id")[(1,)]


def test_conversion_nets_final_payments_refunded_that_day_or_later():
    # 1 June: d1 and d5 converted (d5's refund is not known yet), d4 refunded the same day
    # never converts: refunded; d2, d3 pending: each of the 5 deposits in one state.
    r = refunded_world(dt.date(2025, 6, 1))
    assert r["deposit_cnt"] == 5
    assert tuple(r[m] for m in STATES) == (2, 1, 2, 0)
    assert (r["refunded_qty"], r["refunded_deposit_amt"], r["converted_cnt_1d"]) == (1, 3000, 2)
    # GMV of d1 150 + d5 300 (not d4's 150); final payments 120 + (300 − 60) = 360
    assert (r["final_gmv_amt"], r["final_gmv_amt_1d"]) == (45000, 45000)
    assert (r["final_payment_amt"], r["final_payment_amt_1d"]) == (36000, 36000)
    assert r["conversion_rate"] == pytest.approx(2 / 5)
    # 2 June: d5's refund lands: out of the converted and the GMV, refunded (2 units, 60)
    r = refunded_world(dt.date(2025, 6, 2))
    assert tuple(r[m] for m in STATES) == (1, 2, 2, 0)
    assert (r["refunded_qty"], r["refunded_deposit_amt"], r["converted_cnt_1d"]) == (3, 9000, 0)
    assert (r["final_gmv_amt"], r["final_payment_amt"], r["conversion_rate"]) == (15000, 12000, pytest.approx(1 / 5))
    # 3 June, window closed: d3 converted, d2 forfeited; the refunded are not forfeited
    r = refunded_world(dt.date(2025, 6, 3))
    assert tuple(r[m] for m in STATES) == (2, 2, 0, 1)
    assert (r["forfeited_deposit_amt"], r["final_gmv_amt"], r["final_gmv_amt_1d"]) == (3000, 29000, 14000)


def test_presale_gmv_agrees_with_the_platform_gmv_of_the_same_lines():
    # the platform's paid lines of 1 June (a line refunded on its pay day never paid):
    # o1-1 150 + o5-1 300, not o4-1 — the presale table's final-payment GMV of the day
    day = dt.date(2025, 6, 1)
    paid = paid_lines(REFUNDED_LINES.filter(pl.col("dt") == day), known(LATER_REFUNDS, day))
    assert paid["paid_amt"].sum() == refunded_world(day)["final_gmv_amt_1d"] == 45000


def test_presale_sku_counts_net_refunded_final_payments():
    def sku11(day):
        rows = by(presale_goods(day, REFUNDED_DEPOSITS, REFUNDED_LINES, LATER_REFUNDS), "presale_activity_id", "sku_id")
        r = rows[(1, 11)]
        return r["deposit_cnt"], r["converted_cnt_1d"], r["converted_cnt"], r["refunded_cnt"]

    assert sku11(dt.date(2025, 6, 1)) == (4, 2, 2, 1)  # d1, d5 converted; d4 refunded
    assert sku11(dt.date(2025, 6, 2)) == (4, 0, 1, 2)  # d5 refunded from 2 June on
