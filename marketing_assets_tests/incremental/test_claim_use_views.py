"""The 600-day claim → use table and its merchant cut, read from the claim fact and the
use fact of dt (nothing stored but the days), equal their compute, on hand-made rows: a
claim leaving the window, a coupon used on two lines, a use refunded on a later day, a
platform coupon outside the merchant cut."""

import datetime as dt

import duckdb
import polars as pl

from marketing_assets.derived import compute_days
from marketing_assets.domains.coupon.uses import GET_USE_600D_FACT as GET_USE, TOB_GET_USE_600D_FACT as TOB
from marketing_assets.incremental import write_intervals
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.storage.read import read_as_known
from marketing_assets_tests._keys import COUPON_USE, GOODS_COUPON_DAY

D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2)
OLD = D1 - dt.timedelta(days=LOOKBACK_DAYS - 1)  # in D1's window, out of D2's


def at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour))


def claims() -> pl.DataFrame:
    rows = []
    for day in (D1, D2):
        for coupon, claimed, kind in ((1, OLD, 4), (2, D1, 4), (3, D1, 1)):
            rows.append({
                "coupon_id": coupon, "coupon_template_id": 10 + coupon, "user_id": f"u{coupon}",
                "seller_id": "s" if kind == 4 else None, "claim_channel": "live_room", "claim_time": at(claimed),
                "claim_date": claimed, "valid_end_time": at(D2, 23), "status": 1, "coupon_type": kind,
                "channel_type": 11, "cost_bearer": "merchant" if kind == 4 else "platform",
                "threshold_amount": 1000, "discount_amount": 100, "dt": day,
            })
    return pl.DataFrame(rows).with_columns(pl.col("status", "coupon_type", "channel_type").cast(pl.Int32))


def uses() -> pl.DataFrame:
    # coupon 2 on two lines of P1 (the second refunded on D2); coupon 3 (platform) on P2
    return pl.DataFrame({
        "coupon_id": [2, 2, 3, 2, 2, 3], "package_id": ["P1", "P1", "P2"] * 2, "goods_id": [1, 2, 3] * 2,
        "order_id": ["O1", "O1", "O2"] * 2, "seller_id": ["s"] * 6, "pay_time": [at(D1)] * 6,
        "pay_date": [D1] * 6, "quantity": [1] * 6, "line_paid_amt": [900, 800, 700] * 2,
        "discount_amt": [60, 40, 100] * 2, "bearer": ["merchant", "merchant", "platform"] * 2,
        "is_refunded": [False, False, False, False, True, False], "dt": [D1] * 3 + [D2] * 3,
    })


def test_claim_use_tables_as_known_equal_their_compute():
    conn = duckdb.connect()
    for key, frame in ((GOODS_COUPON_DAY, claims()), (COUPON_USE, uses())):
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {key[0]}")
        conn.register("_f", frame)
        conn.execute(f"CREATE TABLE {'.'.join(key)} AS SELECT * FROM _f")
        conn.unregister("_f")
    for day in (D1, D2):
        write_intervals(conn, GET_USE, day, day, replay=day == D1, bounded=False)
        write_intervals(conn, TOB, day, day, replay=day == D1, bounded=False)
    # nothing is stored for them but their days
    assert GET_USE.spec.part_names() == (f"{GET_USE.spec.table}__days",)
    got = read_as_known(conn, GET_USE.spec, D1, D2)
    tob = read_as_known(conn, TOB.spec, D1, D2)
    assert got.select("dt", "coupon_id", "package_id", "goods_id", "is_used").rows() == [
        (D1, 1, None, None, False), (D1, 2, "P1", 1, True), (D1, 2, "P1", 2, True), (D1, 3, "P2", 3, True),
        # coupon 1 (claimed 600 days before D1) left; P1's second line refunded
        (D2, 2, "P1", 1, True), (D2, 3, "P2", 3, True),
    ]
    assert tob.select("dt", "coupon_id", "merchant_cost_amt").rows() == [
        (D1, 1, None), (D1, 2, 60), (D1, 2, 40), (D2, 2, 60)]
    frames = {"claims": claims(), "uses": uses()}
    for day in (D1, D2):
        one = {n: f.filter(pl.col("dt") == day) for n, f in frames.items()}
        expected = compute_days(GET_USE.table, [day], one)
        assert got.filter(pl.col("dt") == day).equals(expected), day
        assert tob.filter(pl.col("dt") == day).equals(compute_days(TOB.table, [day], {"get_use": expected})), day
