"""Each cross-table check's query and each ODS verdict on tables of three or four hand-made
rows: exactly the offending rows come back, with their day. (The fault run of
``automation/test_faults.py`` shows the same checks firing on a simulated day; every fault
on its own is in ``full/test_faults_each.py``.)"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from marketing_assets.domains.app.repurchase_performance import REPURCHASE_PERFORMANCE
from marketing_assets.domains.coupon.claims import GOODS_COUPON_DAY_FACT
from marketing_assets.domains.coupon.sellers import COUPON_SELLER
from marketing_assets.domains.coupon.templates import COUPON_TEMPLATE_DAY as TEMPLATES
from marketing_assets.domains.coupon.uses import USE_FACT
from marketing_assets.landing import quality
from marketing_assets.landing.quality import late_verdicts, quarantine_verdicts
from marketing_assets.storage import WarehouseResource
from marketing_assets_tests._keys import check_query, CLAIMED_COUPON_MYSQL, COUPON_TEMPLATE_DAY, COUPON_TEMPLATE_MYSQL, COUPON_USE, GOODS_COUPON_DAY

D1, D2, D3 = (dt.date(2025, 6, d) for d in (1, 2, 3))


@pytest.fixture
def wh(tmp_path):
    return WarehouseResource(database=str(tmp_path / "wh.duckdb"))


def _tables(wh: WarehouseResource, **tables: str) -> None:
    """``schema__table="SELECT …"``: each table created from its query."""
    with wh.get_connection() as conn:
        for name, select in tables.items():
            schema, table = name.split("__", 1)
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            conn.execute(f"CREATE TABLE {schema}.{table} AS {select}")


def _name(pair: tuple[str, str]) -> str:
    return "__".join(pair)


def test_uses_were_claimed_finds_an_unclaimed_coupon_and_an_unknown_template(wh):
    _tables(wh, **{
        # C1 claimed, template T1 known: fine. C9 never claimed. The auto coupon (no coupon
        # id) of template T7 that does not exist. C2 paid on D1 and known again on D2: only
        # its pay day is judged, so its missing claim row on D2 is not a failure.
        _name(COUPON_USE): "SELECT * FROM (VALUES "
        "(DATE '2025-06-01', 'C1', 'T1', 'P1', 'G1', DATE '2025-06-01'),"
        "(DATE '2025-06-01', 'C9', 'T1', 'P2', 'G1', DATE '2025-06-01'),"
        "(DATE '2025-06-01', NULL, 'T7', 'P3', 'G2', DATE '2025-06-01'),"
        "(DATE '2025-06-02', 'C2', 'T1', 'P4', 'G1', DATE '2025-06-01')"
        ") t(dt, coupon_id, coupon_template_id, package_id, goods_id, pay_date)",
        _name(GOODS_COUPON_DAY): "SELECT * FROM (VALUES (DATE '2025-06-01', 'C1'), (DATE '2025-06-01', 'C2')) "
        "t(dt, coupon_id)",
        _name(COUPON_TEMPLATE_DAY): "SELECT * FROM (VALUES (DATE '2025-06-01', 'T1'), (DATE '2025-06-02', 'T1')) "
        "t(dt, coupon_template_id)",
    })
    # (dt, coupon_id, template, package, goods, coupon_not_claimed, template_unknown)
    assert check_query(USE_FACT, "uses_were_claimed")(wh, D1, D2).rows() == [
        (D1, "C9", "T1", "P2", "G1", True, False),
        (D1, None, "T7", "P3", "G2", True, True),  # an auto coupon has no claim either
    ]


def test_seller_totals_reconcile_finds_a_counted_refund_and_a_line_paid_twice(wh):
    _tables(wh, **{
        # D1: S1 two coupons on one line (paid 9000 once, 1500 off); S2's only use refunded.
        # D2: S1 one use on a line paid 4000.
        _name(COUPON_USE): "SELECT * FROM (VALUES "
        "(DATE '2025-06-01', 'S1', 'u1', 'P1', 'G1', 9000, 1000, DATE '2025-06-01', false),"
        "(DATE '2025-06-01', 'S1', 'u2', 'P1', 'G1', 9000, 500, DATE '2025-06-01', false),"
        "(DATE '2025-06-01', 'S2', 'u3', 'P2', 'G1', 5000, 300, DATE '2025-06-01', true),"
        "(DATE '2025-06-02', 'S1', 'u4', 'P3', 'G1', 4000, 200, DATE '2025-06-02', false)"
        ") t(dt, seller_id, use_key, package_id, goods_id, line_paid_amt, discount_amt, pay_date, is_refunded)",
        # the seller table: S1 right on D1 (its 7-day row is not compared), S2 counted the
        # refunded use, S1 on D2 summed the line's paid amount once per use
        "redcdm__dm_ecm_trd_mkt_coupon_sellerid_nd_di": "SELECT * FROM (VALUES "
        "(DATE '2025-06-01', 'S1', 1, 2, 9000, 1500), (DATE '2025-06-01', 'S1', 7, 5, 1, 1),"
        "(DATE '2025-06-01', 'S2', 1, 1, 5000, 300), (DATE '2025-06-02', 'S1', 1, 1, 8000, 200)"
        ") t(dt, seller_id, stat_period, use_cnt, pay_amt, discount_amt)",
    })
    # (dt, seller, use_cnt, recount, pay_amt, recount, discount_amt, recount)
    assert check_query(COUPON_SELLER, "seller_totals_reconcile")(wh, D1, D2).rows() == [
        (D1, "S2", 1, None, 5000, None, 300, None),
        (D2, "S1", 1, 1, 8000, 4000, 200, 200),
    ]


PRICE_COLUMNS = ("dt, package_id, goods_id, list_amt, store_promo_amt, platform_promo_amt, auto_coupon_amt, "
                 "store_coupon_amt, platform_coupon_amt, allowance_amt, presale_discount_amt, total_discount_amt, "
                 "paid_amt, shown_amt, merchant_cost_amt, platform_cost_amt")


def test_price_minus_discounts_is_paid_finds_a_zeroed_line_and_a_wrong_cost_split(wh):
    # a line of 100.00: promotions 10.00 + 5.00, coupons 8.00 + 2.00 = 25.00 off, paid 75.00,
    # shown 85.00 (price less promotions and auto coupons), merchant 18.00 + platform 7.00
    good = "10000, 1000, 500, 0, 800, 200, 0, 0, 2500"
    _tables(wh, redapp__app_ecm_mkt_ecom_repurchase_performance_df="SELECT * FROM (VALUES "
            f"(DATE '2025-06-01', 'P1', 'G1', {good}, 7500, 8500, 1800, 700),"
            f"(DATE '2025-06-01', 'P2', 'G1', {good}, 0, 8500, 1800, 700),"  # paid zeroed
            f"(DATE '2025-06-02', 'P3', 'G1', {good}, 7500, 8500, 1800, 800)"  # costs add to 26.00
            f") t({PRICE_COLUMNS})")
    assert check_query(REPURCHASE_PERFORMANCE, "price_minus_discounts_is_paid")(wh, D1, D2).rows() == [
        (D1, "P2", "G1", 10000, 2500, 0, 8500, 1800, 700),
        (D2, "P3", "G1", 10000, 2500, 7500, 8500, 1800, 800),
    ]
    assert check_query(REPURCHASE_PERFORMANCE, "price_minus_discounts_is_paid")(wh, D1, D1).height == 1  # only the days asked for


def test_template_discount_within_threshold_allows_no_threshold(wh):
    _tables(wh, **{_name(COUPON_TEMPLATE_DAY): "SELECT * FROM (VALUES "
                   "(DATE '2025-06-01', 7, 5000, 5000), (DATE '2025-06-01', 8, 5000, 5100),"
                   "(DATE '2025-06-01', 9, 0, 6000)) t(dt, coupon_template_id, threshold_amount, discount_amount)"})
    assert check_query(TEMPLATES, "template_discount_within_threshold")(wh, D1, D1).rows() == [(D1, 8, 5000, 5100)]


def test_mongo_mysql_templates_agree_compares_the_days_latest_change(wh):
    _tables(wh, **{
        # T1 changed twice in Mongo on D1 (10:00 wins, agreeing with MySQL); T2's discount
        # disagrees; T3 is missing from the MySQL dump
        "redods__ods_mongo_32004_coupon_template_hi": "SELECT * FROM (VALUES "
        "(DATE '2025-06-01', 1, TIMESTAMP '2025-06-01 09:10', 9, 1, 5000, 1000, 1, 1),"
        "(DATE '2025-06-01', 1, TIMESTAMP '2025-06-01 10:20', 10, 1, 5000, 1200, 1, 1),"
        "(DATE '2025-06-01', 2, TIMESTAMP '2025-06-01 10:30', 10, 2, 5000, 1, 1, 1),"
        "(DATE '2025-06-01', 3, TIMESTAMP '2025-06-01 11:00', 11, 1, 3000, 300, 1, 1)"
        ") t(dt, coupon_template_id, update_time, sync_hour, _src_line, threshold_amount, discount_amount, "
        "status, coupon_type)",
        _name(COUPON_TEMPLATE_MYSQL): "SELECT * FROM (VALUES "
        "(DATE '2025-06-01', 1, 5000, 1200, 1, 1), (DATE '2025-06-01', 2, 5000, 500, 1, 1)"
        ") t(dt, coupon_template_id, threshold_amount, discount_amount, status, coupon_type)",
    })
    # (dt, template, mongo/mysql threshold, mongo/mysql discount, mongo/mysql status)
    assert check_query(TEMPLATES, "mongo_mysql_templates_agree")(wh, D1, D1).rows() == [
        (D1, 2, 5000, 5000, 1, 500, 1, 1),
        (D1, 3, 3000, None, 300, None, 1, None),
    ]


def test_mongo_mysql_claims_agree_finds_a_status_and_a_missing_claim(wh):
    _tables(wh, **{
        # C1 agrees (no package on either side); C2 used in Mongo, still claimed in MySQL;
        # C3 only in Mongo
        "redods__ods_mongo_35003_coupon_31006_goods_coupon": "SELECT * FROM (VALUES "
        "(DATE '2025-06-01', 1, 1, NULL, 'U1', 7), (DATE '2025-06-01', 2, 2, 'P1', 'U1', 7),"
        "(DATE '2025-06-01', 3, 1, NULL, 'U2', 7)"
        ") t(dt, coupon_id, status, package_id, user_id, coupon_template_id)",
        _name(CLAIMED_COUPON_MYSQL): "SELECT * FROM (VALUES "
        "(DATE '2025-06-01', 1, 1, NULL, 'U1', 7), (DATE '2025-06-01', 2, 1, NULL, 'U1', 7)"
        ") t(dt, coupon_id, status, package_id, user_id, coupon_template_id)",
    })
    # (dt, coupon, mongo/mysql status, mongo/mysql package)
    assert check_query(GOODS_COUPON_DAY_FACT, "mongo_mysql_claims_agree")(wh, D1, D1).rows() == [
        (D1, 2, 2, 1, "P1", None),
        (D1, 3, 1, None, None, None),
    ]


def _daily(**columns) -> pl.DataFrame:
    return pl.DataFrame({"dt": [D1, D2, D3], **columns})


def test_quarantine_share_at_the_threshold_passes_above_it_fails(monkeypatch):
    monkeypatch.delenv(quality.QUARANTINE_SHARE_ENV, raising=False)  # the default 1 %
    # D1: 10 of 1000 landed (exactly 1 %); D2: 2 of 100; D3: none
    quarantined = pl.DataFrame({"dt": [D1, D2], "n": [10, 2]})
    out = quarantine_verdicts([D1, D2, D3], _daily(n=[990, 98, 50]), quarantined)
    assert [out[d].passed for d in (D1, D2, D3)] == [True, False, True]
    assert out[D2].metadata == {"quarantined": 2, "landed": 100, "share": 0.02, "threshold": 0.01}
    monkeypatch.setenv(quality.QUARANTINE_SHARE_ENV, "0.005")
    assert quarantine_verdicts([D1], _daily(n=[990, 98, 50]), quarantined)[D1].passed is False


def test_late_share_skips_the_first_landing_and_fails_above_five_percent():
    # D1 is the source's first landing (all of it "late"); D2: 5 of 100; D3: 6 of 100
    out = late_verdicts([D1, D2, D3], _daily(n=[100, 100, 100], late=[100, 5, 6]), initial=D1)
    assert [(out[d].passed, out[d].judged) for d in (D1, D2, D3)] == [(True, False), (True, True), (False, True)]
    assert out[D3].metadata["share"] == 0.06
