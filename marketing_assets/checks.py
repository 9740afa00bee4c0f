"""Cross-table checks not yet declared beside their tables."""

import datetime as dt
from collections.abc import Callable

import polars as pl
from dagster import AssetCheckExecutionContext, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from marketing_assets.derived import Verdict, check_results, day_verdicts
from marketing_assets.domains import keys
from marketing_assets.partitions import DAILY, partition_days
from marketing_assets.storage import WarehouseResource


# ---- across tables -------------------------------------------------------------------------
def _key(pair: tuple[str, str]) -> AssetKey:
    return AssetKey(list(pair))


def _sql_check(
    name: str, asset: tuple[str, str], description: str, blocking: bool,
    query: Callable[[WarehouseResource, dt.date, dt.date], pl.DataFrame],
    additional_deps: tuple[tuple[str, str], ...] = (),
):
    """A check whose query returns the offending rows with their day (``dt``): a day with
    none passes. It reads ``asset`` and ``additional_deps``; while one of them does not
    exist it cannot judge."""

    @asset_check(
        asset=_key(asset), name=name, description=description, blocking=blocking, partitions_def=DAILY,
        additional_deps=[_key(d) for d in additional_deps],
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        days = partition_days(context)
        missing = [".".join(t) for t in (asset, *additional_deps) if not warehouse.table_exists(*t)]
        if missing:
            verdicts = {d: Verdict(True, {"missing_tables": MetadataValue.json(missing)}, judged=False)
                        for d in days}
        else:
            verdicts = day_verdicts(days, query(warehouse, days[0], days[-1]))
        severity = AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN
        yield from check_results(context, _key(asset), name, verdicts, severity)

    return _check


def _funnel(wh, first, last):
    """Every trigger-day cohort known on each judged day: used ≤ claimed ≤ triggered, and no
    more triggered or claimed than the offers table holds for the cohort.

    Counted on offers, not rows: a coupon used on two lines is two rows of the get-use
    table. An offer is its grain in the offers table (execution, user, template, coupon;
    coupon null while unclaimed), so the counts are right whether the get-use table holds
    claimed coupons only or every triggered offer of a non-blank group."""
    return wh.query(
        f"""
        WITH g AS (
            SELECT dt, trigger_dt AS cohort,
                   count(DISTINCT (execution_id, user_id, coupon_template_id, coupon_id)) AS triggered_known,
                   count(DISTINCT coupon_id) AS claimed_known,
                   count(DISTINCT coupon_id) FILTER (WHERE is_used) AS used
            FROM redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df
            WHERE dt BETWEEN ? AND ? GROUP BY 1, 2
        ), o AS (
            SELECT dt AS cohort, count(*) AS triggered, count(coupon_id) AS claimed
            FROM {'.'.join(keys.EXECUTION_COUPON)} WHERE dt IN (SELECT cohort FROM g) GROUP BY 1
        )
        SELECT g.dt, g.cohort, o.triggered, o.claimed, g.triggered_known, g.claimed_known, g.used
        FROM g LEFT JOIN o USING (cohort)
        WHERE o.cohort IS NULL OR g.used > g.claimed_known OR g.claimed_known > g.triggered_known
           OR g.triggered_known > o.triggered OR g.claimed_known > o.claimed OR o.claimed > o.triggered
        ORDER BY ALL
        """,
        [first, last],
    )


def cross_table_checks():
    return [
        _sql_check("funnel_used_le_claimed_le_triggered", ("redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df"),
                   "Per trigger-day cohort: used ≤ claimed ≤ triggered", True, _funnel, (keys.EXECUTION_COUPON,)),
    ]
