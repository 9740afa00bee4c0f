"""The simulated platform end to end: a tiny world landed, read back through the ODS readers.

The session's simulated landing (``tiny_landing``: 2025-05-29 on, 618 presale → sale) feeds
every test, its first 8 days read back here; the assertions are about causality and
plausibility, checked on what actually landed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from marketing_assets.domains.registry import ODS_SPECS, SPECS_BY_TABLE
from marketing_assets.landing.ingest import ingest_days
from marketing_assets.sim.run import simulate
from marketing_assets_tests.conftest import TINY_DAYS, TINY_START

pytestmark = pytest.mark.slow

START = TINY_START
DAYS = [START + dt.timedelta(days=i) for i in range(min(8, TINY_DAYS))]


@pytest.fixture(scope="module")
def landed(tiny_landing) -> Path:
    return tiny_landing


@pytest.fixture(scope="module")
def ods(landed) -> dict[str, pl.DataFrame]:
    """Every table of every day, read by the ODS readers (quarantine must stay empty)."""
    frames = {}
    for spec in ODS_SPECS:
        results = ingest_days(spec, landed, DAYS)
        for r in results:
            assert r.quarantine.is_empty(), (spec.table, r.day, r.quarantine.head(3).to_dicts())
            assert not r.drift, (spec.table, r.drift)
        frames[spec.table] = pl.concat([r.frame for r in results])
    return frames


def test_a_different_seed_gives_a_different_world(landed, tmp_path):
    other = tmp_path / "other"
    simulate("tiny", START, 1, other, seed=1)
    orders = "ods_trd_order_package_goods_di/dt=2025-05-29/part-00000.csv"
    assert (other / orders).read_bytes() != (landed / orders).read_bytes()


def test_every_source_table_has_records_every_day(ods):
    for spec in ODS_SPECS:
        per_day = ods[spec.table].group_by("dt").len()
        counts = dict(per_day.rows())
        assert all(counts.get(day, 0) > 0 for day in DAYS), (spec.table, counts)


def test_order_lines_add_up_and_discounts_are_detailed(ods):
    lines = ods["ods_trd_order_package_goods_di"]
    assert (lines["list_amt"] == lines["unit_price"] * lines["quantity"]).all()
    assert (lines["list_amt"] - lines["discount_amt"] == lines["paid_amt"]).all()
    assert (lines["shown_amt"] <= lines["list_amt"]).all() and (lines["paid_amt"] >= 0).all()
    detail = ods["ods_trd_order_discount_detail_di"].group_by("package_id", "goods_id").agg(
        pl.col("discount_amt").sum().alias("detailed")
    )
    joined = lines.join(detail, on=["package_id", "goods_id"], how="left").with_columns(
        pl.col("detailed").fill_null(0)
    )
    assert (joined["detailed"] == joined["discount_amt"]).all()
    # presale lines: paid on their final-payment day, after their deposit
    presale = lines.filter("is_presale")
    assert presale.height > 0
    assert (presale["order_time"] < presale["pay_time"]).all()
    assert (presale["pay_time"].dt.date() > presale["order_time"].dt.date()).all()


def test_uses_are_of_claimed_unexpired_coupons_of_the_buyer(ods):
    events = ods["ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df"]
    claims = events.filter(pl.col("op") == "c").select("coupon_id", "user_id", "claim_time")
    uses = events.filter((pl.col("op") == "u") & (pl.col("status") == 2))
    assert uses.height > 0
    assert (uses["use_time"] >= uses["claim_time"]).all()
    assert (uses["use_time"] >= uses["valid_start_time"]).all()
    assert (uses["use_time"] <= uses["valid_end_time"]).all()
    # every coupon discount on an order line is a coupon claimed in this world by the buyer
    coupon_lines = (
        ods["ods_trd_order_discount_detail_di"]
        .filter(pl.col("discount_source").is_in(["store_coupon", "platform_coupon"]))
        .join(ods["ods_trd_order_package_goods_di"].select("package_id", "goods_id", "user_id"),
              on=["package_id", "goods_id"])
    )
    matched = coupon_lines.join(
        claims.rename({"coupon_id": "source_id", "user_id": "holder"}), on="source_id", how="left"
    )
    assert matched["holder"].null_count() == 0
    assert (matched["holder"] == matched["user_id"]).all()
    assert (matched["claim_time"] <= matched["pay_time"]).all()


def test_claims_come_from_triggers_tasks_and_organic_channels(ods):
    claims = ods["ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df"].filter(pl.col("op") == "c")
    channels = set(claims["claim_channel"].unique())
    assert {"growth_platform", "task", "live_room", "shop_page", "cart", "fans"} <= channels
    executions = ods["ods_binlog_fls_usergrowth__egrowth_main_user_strategy_execution_di"]
    blank = executions.filter(pl.col("experiment_group") == "blank")
    assert blank.height > 0 and (blank["benefit_info"] == "[]").all()
    # a growth-platform claim names its execution's coupon: instance ids are claimed coupons
    offered = executions.filter(pl.col("benefit_info").str.contains('"benefit_entity_type":"coupon"'))
    instance = offered["benefit_info"].str.extract(r'"instance_id":(\d+)').cast(pl.Int64).drop_nulls()
    growth = claims.filter(pl.col("claim_channel") == "growth_platform")["coupon_id"]
    assert instance.len() == growth.len() and set(instance) == set(growth)


def test_rates_are_plausible(ods):
    events = ods["ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df"]
    claimed = events.filter(pl.col("op") == "c").height
    used = events.filter((pl.col("op") == "u") & (pl.col("status") == 2))["coupon_id"].n_unique()
    assert 0.05 <= used / claimed <= 0.30, used / claimed
    lines = ods["ods_trd_order_package_goods_di"]
    refunds = ods["ods_trd_refund_di"]
    assert 0.08 <= refunds.height / lines.height <= 0.25, refunds.height / lines.height
    assert (refunds["refund_time"] >= refunds["pay_time"]).all()
    later = refunds.filter(pl.col("refund_time").dt.date() > pl.col("pay_time").dt.date())
    assert later.height > 0  # 跨天退款 exist


def test_allowances_earned_spent_and_never_negative(ods):
    records = ods["ods_binlog_fls_allowance_allowance_allowance_record_df"]
    kinds = set(records["record_type"].unique())
    assert {"claim", "use"} <= kinds
    allowances = ods["ods_binlog_fls_allowance_allowance_allowance_df"]
    assert (allowances["balance"] >= 0).all() and (allowances["balance"] <= allowances["amount"]).all()
    details = ods["ods_binlog_fls_allowance_allowance_allowance_record_detail_df"]
    per_record = details.group_by("record_id").agg(pl.col("amount").sum().alias("detail"))
    uses = records.filter(pl.col("record_type") == "use").join(per_record, on="record_id")
    assert (uses["detail"] == uses["amount"]).all()


def test_first_orders_before_the_world_and_new_buyers_in_it(ods):
    users = ods["ods_trd_user_info_df"].filter(pl.col("dt") == DAYS[-1])
    first = users["first_order_time"]
    before = (first < dt.datetime.combine(START, dt.time())).sum()
    during = (first >= dt.datetime.combine(START, dt.time())).sum()
    assert before > users.height // 2  # a history: day one is not "everyone new"
    assert during > 0  # DNB: buyers whose first paid order is in the simulated days
    assert (users["register_time"] <= first.fill_null(dt.datetime.max)).all()


def test_specs_cover_the_catalog_sources():
    assert len(SPECS_BY_TABLE) == len(ODS_SPECS) == 36
