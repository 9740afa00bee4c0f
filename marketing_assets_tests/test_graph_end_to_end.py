"""The one end-to-end run of `make test`: the whole graph with every check over the first five
days of the session's simulated landing as ONE range run, then ONE run of the sixth day with
faults injected.

Clean days fail no check; the seller table reconciles with a recount from ODS in plain
DuckDB SQL; the growth funnel holds per cohort; the reports plot the tables' numbers; each
injected fault fires its check, and a failed blocking check keeps the tables downstream of
it from being written. (Each fault on its own, and a 30-day range run against 30 single-day
runs, are in `make test-full`: ``full/test_faults_each.py``, ``full/test_funnel_range.py``.)
"""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest
from dagster import AssetCheckSeverity, AssetKey

from marketing_assets import config
from marketing_assets.definitions import defs
from marketing_assets.sim.faults import inject
from marketing_assets.storage import WarehouseResource
from marketing_assets_tests._graph import (
    BASE_DAYS, EXPECTED, FAULT_DAY, FIRST, LAST, failed_checks, run_base, run_day,
)
from marketing_assets_tests.conftest import copy_days

pytestmark = pytest.mark.slow

#: the faults of the one fault run, together. ``unclaimed_coupon_uses`` is left out: the
#: blocking ``template_discount_within_threshold`` stops the coupon use fact that its check
#: judges (it fires alone in ``full/test_faults_each.py``)
TOGETHER = sorted(set(EXPECTED) - {"unclaimed_coupon_uses"})
COUPON_USE = AssetKey(["redcdm", "dm_ecm_trd_mkt_activity_coupon_use_df"])


@pytest.fixture(scope="module")
def world(tiny_landing, tmp_path_factory):
    """The landing's first six days copied; the first five run as one range run."""
    root = tmp_path_factory.mktemp("graph")
    landing = copy_days(tiny_landing, root / "landing", FIRST, FAULT_DAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.REPORTS_DIR_ENV, str(root / "reports"))
        result = run_base(root / "base.duckdb", landing)
    return root, result, WarehouseResource(database=str(root / "base.duckdb"))


#: the only checks that fail on the clean days: warnings of ``row_volume`` when 618's sale
#: starts on 06-01 (discount details 474 and 393 lines against a presale week of 105–127).
#: Promotion benefits (25 records on 06-01) do not warn: their first landing, 1,146
#: records of standing state on 05-29, is left out of the median.
CLEAN_WARNINGS = {
    ("ods_trd_order_discount_detail_di", "row_volume", "2025-06-01"),
    ("ods_trd_order_discount_detail_di", "row_volume", "2025-06-02"),
}


def test_every_check_judges_every_clean_day_and_only_the_sale_start_warns(world):
    _, result, _ = world
    assert result.success
    failed = {(e.asset_key.path[-1], e.check_name, e.partition): e.severity
              for e in result.get_asset_check_evaluations() if not e.passed}
    assert set(failed) == CLEAN_WARNINGS
    assert set(failed.values()) == {AssetCheckSeverity.WARN}
    judged = {(e.asset_key.to_user_string(), e.check_name, e.partition) for e in result.get_asset_check_evaluations()}
    days = [(FIRST + dt.timedelta(days=i)).isoformat() for i in range(BASE_DAYS)]
    every = {(k.asset_key.to_user_string(), k.name, day)
             for k in defs.resolve_asset_graph().asset_check_keys for day in days}
    assert judged == every  # one result per check and day, none missing


def _seller_recount(wh: WarehouseResource, day: dt.date, period: int, sellers: list[str]) -> pl.DataFrame:
    """use_cnt, pay_amt and discount_amt per seller, recounted from ODS alone."""
    start = day - dt.timedelta(days=period - 1)
    return wh.query(
        """
        WITH uses AS (
            SELECT d.package_id, d.goods_id, d.discount_amt, l.seller_id, l.paid_amt,
                   CASE WHEN d.discount_source = 'auto_coupon'
                        THEN 'auto:' || d.coupon_template_id || ':' || d.package_id
                        ELSE CAST(d.source_id AS VARCHAR) END AS coupon
            FROM redods.ods_trd_order_discount_detail_di d
            JOIN redods.ods_trd_order_package_goods_di l USING (package_id, goods_id)
            WHERE d.discount_source IN ('store_coupon', 'platform_coupon', 'auto_coupon')
              AND CAST(l.pay_time AS DATE) BETWEEN $start AND $day
              AND l.dt <= $day AND d.dt <= $day
              AND l.seller_id IN (SELECT unnest($sellers))
              AND NOT EXISTS (SELECT 1 FROM redods.ods_trd_refund_di r
                              WHERE r.package_id = d.package_id AND r.goods_id = d.goods_id
                                AND r.dt <= $day)
        ),
        lines AS (SELECT DISTINCT seller_id, package_id, goods_id, paid_amt FROM uses)
        SELECT u.seller_id, count(DISTINCT coupon) AS use_cnt, sum(discount_amt) AS discount_amt,
               (SELECT sum(paid_amt) FROM lines WHERE lines.seller_id = u.seller_id) AS pay_amt
        FROM uses u GROUP BY u.seller_id ORDER BY u.seller_id
        """,
        {"start": start, "day": day, "sellers": sellers},
    ).cast({"use_cnt": pl.Int64, "discount_amt": pl.Int64, "pay_amt": pl.Int64})


def test_seller_table_reconciles_with_a_recount_from_ods(world):
    """1, 7 and 30-day periods of the top sellers; the longer windows reach before the
    world's first day, where ODS holds nothing either."""
    _, _, wh = world
    for day in (LAST - dt.timedelta(days=2), LAST):
        for period in (1, 7, 30):
            table = wh.query(
                "SELECT seller_id, use_cnt, discount_amt, pay_amt FROM redcdm.dm_ecm_trd_mkt_coupon_sellerid_nd_di "
                "WHERE dt = ? AND stat_period = ? AND use_cnt > 0 ORDER BY use_cnt DESC, seller_id LIMIT 4",
                [day, period],
            )
            assert table.height == 4, (day, period)
            recount = _seller_recount(wh, day, period, table["seller_id"].to_list())
            assert table.sort("seller_id").equals(recount.select(table.columns)), (day, period)


def test_growth_funnel_used_le_claimed_le_triggered_per_cohort(world):
    _, _, wh = world
    funnel = wh.query(
        """
        SELECT o.dt AS cohort, count(*) AS triggered, count(o.coupon_id) AS claimed,
               count(DISTINCT CASE WHEN g.is_used THEN g.coupon_id END) AS used
        FROM redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_di o
        LEFT JOIN redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df g
          ON g.dt = ? AND g.coupon_id = o.coupon_id
        GROUP BY ALL ORDER BY cohort
        """,
        [LAST],
    )
    assert funnel.height == BASE_DAYS
    assert (funnel["claimed"] <= funnel["triggered"]).all()
    assert (funnel["used"] <= funnel["claimed"]).all()
    assert funnel["used"].sum() > 0 and funnel["claimed"].sum() < funnel["triggered"].sum()
    blank = wh.query(
        "SELECT count(*) FILTER (WHERE is_blank) AS blank, count(*) AS n "
        "FROM redcdm.dwd_ecm_mkt_user_strategy_execution_di"
    ).row(0)
    assert 0 < blank[0] < blank[1]  # control groups are kept countable for uplift


def test_report_assets_plot_the_numbers_of_the_tables(world):
    root, result, wh = world
    reports = root / "reports"
    plotted = {}
    for name in ("platform_board", "merchant_board", "growth_funnel", "campaign_monitor"):
        png, csv = reports / name / f"{LAST}.png", reports / name / f"{LAST}.csv"
        assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
        plotted[name] = pl.read_csv(csv, try_parse_dates=True)
    metrics = wh.query("SELECT * FROM redapp.app_ecm_mkt_platform_metrics_1d_di WHERE dt = ?", [LAST]).row(0, named=True)
    board = plotted["platform_board"].filter(pl.col("dt") == LAST).row(0, named=True)
    assert (board["dab"], board["dnb"]) == (metrics["dab"], metrics["dnb"])
    assert board["aov_yuan"] == pytest.approx(metrics["aov"] / 100)
    seller = plotted["merchant_board"].filter(pl.col("stat_period") == 30).row(0, named=True)
    table = wh.query("SELECT pay_amt, discount_amt FROM redcdm.dm_ecm_trd_mkt_coupon_sellerid_nd_di "
                     "WHERE dt = ? AND stat_period = 30 AND seller_id = ?", [LAST, seller["seller_id"]]).row(0)
    assert (seller["coupon_pay_amt"], seller["coupon_discount_amt"]) == table
    triggered = wh.query("SELECT count(*) FROM redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_di "
                         "WHERE dt BETWEEN ? AND ?", [LAST - dt.timedelta(days=6), LAST]).item()
    funnel = plotted["growth_funnel"]
    for cut in ("launch_plan", "strategy", "scene"):  # each cut adds up to the cohorts' offers
        assert funnel.filter(pl.col("cut") == cut)["triggered"].sum() == triggered
    deposits = wh.query("SELECT sum(deposit_cnt) FROM redcdm.dm_ecm_mkt_presale_conversion_1d_di WHERE dt = ?",
                        [LAST]).item()
    assert plotted["campaign_monitor"]["deposit_cnt"].sum() == deposits
    funnel_rows = plotted["campaign_monitor"].filter(pl.col("part") == "funnel")
    assert (funnel_rows["buyer_cnt"] <= funnel_rows["visitor_cnt"]).all()
    [report] = [e.materialization.metadata["report"].value for e in result.get_asset_materialization_events()
                if e.materialization.asset_key == AssetKey(["reports", "platform_board"])
                and e.materialization.partition == LAST.isoformat()]
    assert "data:image/png;base64," in report


def test_the_injected_faults_fire_their_checks_and_a_blocking_one_stops_downstream(world, tmp_path):
    root, _, _ = world
    landing = tmp_path / "landing"
    shutil.copytree(root / "landing", landing)
    db = tmp_path / "wh.duckdb"
    shutil.copy(root / "base.duckdb", db)
    for kind in TOGETHER:
        inject(kind, landing, FAULT_DAY)
    result = run_day(db, landing)
    failed = failed_checks(result)
    for kind in TOGETHER:
        assert EXPECTED[kind] <= set(failed), (kind, sorted(failed))
        for key in EXPECTED[kind]:
            assert failed[key], key  # the failure carries what it found
    # the blocking template check failed: the coupon use fact (downstream) was not written
    # for the day, so its own check never judged it; the price check (not downstream) did
    written = {(e.materialization.asset_key, e.materialization.partition) for e in result.get_asset_materialization_events()}
    assert (COUPON_USE, FAULT_DAY.isoformat()) not in written
    assert not any(e.asset_key == COUPON_USE for e in result.get_asset_check_evaluations())
    stored = WarehouseResource(database=str(db)).query(
        f"SELECT DISTINCT dt FROM {'.'.join(COUPON_USE.path)} ORDER BY dt")["dt"].to_list()
    assert stored == [FIRST + dt.timedelta(days=i) for i in range(BASE_DAYS)]
    print("faults", TOGETHER, "→", sorted(failed))
