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


def _uses_were_claimed(wh, first, last):
    return wh.query(
        f"""
        SELECT u.dt, u.coupon_id, u.coupon_template_id, u.package_id, u.goods_id,
               c.coupon_id IS NULL AS coupon_not_claimed, t.coupon_template_id IS NULL AS template_unknown
        FROM {'.'.join(keys.COUPON_USE)} u
        LEFT JOIN {'.'.join(keys.GOODS_COUPON_DAY)} c ON c.dt = u.dt AND c.coupon_id = u.coupon_id
        LEFT JOIN {'.'.join(keys.COUPON_TEMPLATE_DAY)} t ON t.dt = u.dt AND t.coupon_template_id = u.coupon_template_id
        WHERE u.dt BETWEEN ? AND ? AND u.pay_date = u.dt
          AND ((u.coupon_id IS NOT NULL AND c.coupon_id IS NULL) OR t.coupon_template_id IS NULL)
        ORDER BY ALL
        """,
        [first, last],
    )


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


def _seller_totals(wh, first, last):
    return wh.query(
        f"""
        WITH recount AS (
            SELECT dt, seller_id, count(DISTINCT use_key) AS use_cnt, sum(discount_amt) AS discount_amt
            FROM {'.'.join(keys.COUPON_USE)}
            WHERE dt BETWEEN ? AND ? AND pay_date = dt AND NOT is_refunded GROUP BY 1, 2
        ), lines AS (
            SELECT dt, seller_id, sum(line_paid_amt) AS pay_amt FROM (
                SELECT DISTINCT dt, seller_id, package_id, goods_id, line_paid_amt
                FROM {'.'.join(keys.COUPON_USE)}
                WHERE dt BETWEEN ? AND ? AND pay_date = dt AND NOT is_refunded) GROUP BY 1, 2
        ), seller AS (
            SELECT dt, seller_id, use_cnt, discount_amt, pay_amt
            FROM redcdm.dm_ecm_trd_mkt_coupon_sellerid_nd_di
            WHERE dt BETWEEN ? AND ? AND stat_period = 1 AND use_cnt > 0
        )
        SELECT coalesce(s.dt, r.dt) AS dt, coalesce(s.seller_id, r.seller_id) AS seller_id,
               s.use_cnt, r.use_cnt AS recount_use_cnt, s.pay_amt, l.pay_amt AS recount_pay_amt,
               s.discount_amt, r.discount_amt AS recount_discount_amt
        FROM seller s FULL JOIN recount r ON s.dt = r.dt AND s.seller_id = r.seller_id
        LEFT JOIN lines l ON l.dt = coalesce(s.dt, r.dt) AND l.seller_id = coalesce(s.seller_id, r.seller_id)
        WHERE s.use_cnt IS DISTINCT FROM r.use_cnt OR s.pay_amt IS DISTINCT FROM l.pay_amt
           OR s.discount_amt IS DISTINCT FROM r.discount_amt
        ORDER BY ALL
        """,
        [first, last, first, last, first, last],
    )


def _template_threshold(wh, first, last):
    return wh.query(
        f"""
        SELECT dt, coupon_template_id, threshold_amount, discount_amount
        FROM {'.'.join(keys.COUPON_TEMPLATE_DAY)}
        WHERE dt BETWEEN ? AND ? AND threshold_amount > 0 AND discount_amount > threshold_amount
        ORDER BY ALL
        """,
        [first, last],
    )


def _templates_agree(wh, first, last):
    return wh.query(
        f"""
        WITH mongo AS (
            SELECT * FROM redods.ods_mongo_32004_coupon_template_hi WHERE dt BETWEEN ? AND ?
            QUALIFY row_number() OVER (PARTITION BY dt, coupon_template_id
                                       ORDER BY update_time DESC, sync_hour DESC, _src_line DESC) = 1
        )
        SELECT m.dt, m.coupon_template_id,
               m.threshold_amount AS mongo_threshold, s.threshold_amount AS mysql_threshold,
               m.discount_amount AS mongo_discount, s.discount_amount AS mysql_discount,
               m.status AS mongo_status, s.status AS mysql_status
        FROM mongo m LEFT JOIN {'.'.join(keys.COUPON_TEMPLATE_MYSQL)} s
          ON s.dt = m.dt AND s.coupon_template_id = m.coupon_template_id
        WHERE s.coupon_template_id IS NULL OR m.threshold_amount <> s.threshold_amount
           OR m.discount_amount <> s.discount_amount OR m.status <> s.status
           OR m.coupon_type <> s.coupon_type
        ORDER BY ALL
        """,
        [first, last],
    )


def _claims_agree(wh, first, last):
    return wh.query(
        f"""
        SELECT m.dt, m.coupon_id, m.status AS mongo_status, s.status AS mysql_status,
               m.package_id AS mongo_package, s.package_id AS mysql_package
        FROM redods.ods_mongo_35003_coupon_31006_goods_coupon m
        LEFT JOIN {'.'.join(keys.CLAIMED_COUPON_MYSQL)} s ON s.dt = m.dt AND s.coupon_id = m.coupon_id
        WHERE m.dt BETWEEN ? AND ? AND (s.coupon_id IS NULL OR m.status <> s.status
              OR m.package_id IS DISTINCT FROM s.package_id OR m.user_id <> s.user_id
              OR m.coupon_template_id <> s.coupon_template_id)
        ORDER BY ALL
        """,
        [first, last],
    )


def cross_table_checks():
    return [
        _sql_check("uses_were_claimed", keys.COUPON_USE,
                   "Every coupon used on dt was claimed (in the claim fact) and its template exists",
                   True, _uses_were_claimed, (keys.GOODS_COUPON_DAY, keys.COUPON_TEMPLATE_DAY)),
        _sql_check("funnel_used_le_claimed_le_triggered", ("redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df"),
                   "Per trigger-day cohort: used ≤ claimed ≤ triggered", True, _funnel, (keys.EXECUTION_COUPON,)),
        _sql_check("seller_totals_reconcile", ("redcdm", "dm_ecm_trd_mkt_coupon_sellerid_nd_di"),
                   "1-day use_cnt, pay_amt and discount_amt of each seller equal a recount of the use fact",
                   True, _seller_totals, (keys.COUPON_USE,)),
        _sql_check("template_discount_within_threshold", keys.COUPON_TEMPLATE_DAY,
                   "A template with a threshold never discounts more than it", True, _template_threshold),
        _sql_check("mongo_mysql_templates_agree", keys.COUPON_TEMPLATE_DAY,
                   "Templates changed in the Mongo read copy on dt agree with the MySQL dump of dt",
                   False, _templates_agree, (("redods", "ods_mongo_32004_coupon_template_hi"), keys.COUPON_TEMPLATE_MYSQL)),
        _sql_check("mongo_mysql_claims_agree", keys.GOODS_COUPON_DAY,
                   "Claimed coupons changed in the Mongo read copy on dt agree with the MySQL snapshot of dt",
                   False, _claims_agree, (("redods", "ods_mongo_35003_coupon_31006_goods_coupon"), keys.CLAIMED_COUPON_MYSQL)),
    ]
