"""Data-quality alerts: asset checks over the stored partitions (one day or a range).

- ODS, per landed source (one step for all of them): ``quarantine_share`` (ERROR
  severity, not blocking: the bad records are already held out of the table, and the ODS
  checks share one step, so blocking would stop every source's downstream for one
  source's fault), ``row_volume`` against the trailing 7-day median, ``late_share`` and
  ``schema_drift`` (warnings: a person should look).
- Derived tables: ``grain_unique`` (``derived.build_grain_check``, blocking).
- Across tables, blocking where downstream must not run on broken data:
  ``uses_were_claimed``, ``funnel_used_le_claimed_le_triggered``,
  ``seller_totals_reconcile``, ``price_minus_discounts_is_paid``,
  ``template_discount_within_threshold``; warnings: ``mongo_mysql_templates_agree``,
  ``mongo_mysql_claims_agree``.
Every check reads only the partitions it judges (and, for volume, the week before).
"""

import datetime as dt
import os
from collections.abc import Callable

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetRecordsFilter,
    MetadataValue,
    asset_check,
    multi_asset_check,
)

from marketing_assets.domains import keys
from marketing_assets.domains.registry import ODS_SPECS
from marketing_assets.partitions import DAILY
from marketing_assets.storage import WarehouseResource

QUARANTINE_SHARE_ENV = "MARKETING_QUARANTINE_MAX_SHARE"
VOLUME_LOW, VOLUME_HIGH = 0.5, 2.0  # of the trailing 7-day median
LATE_MAX_SHARE = 0.05
MIN_HISTORY_DAYS = 3  # days of history the volume check needs before it judges
MIN_MEDIAN_ROWS = 100  # below this a day's volume is noise (a few config changes): not judged


def quarantine_max_share() -> float:
    return float(os.environ.get(QUARANTINE_SHARE_ENV) or 0.01)


def _days(context: AssetCheckExecutionContext) -> tuple[dt.date, dt.date]:
    window = context.partition_time_window
    return window.start.date(), window.end.date() - dt.timedelta(days=1)


def _examples(frame: pl.DataFrame, n: int = 5) -> MetadataValue:
    return MetadataValue.json([{k: str(v) for k, v in r.items()} for r in frame.head(n).to_dicts()])


def _result(name: str, key: AssetKey, passed: bool, severity: AssetCheckSeverity, **metadata) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=key, check_name=name, passed=bool(passed), severity=severity, metadata=metadata
    )


# ---- ODS ---------------------------------------------------------------------------------
LANDED = list(ODS_SPECS)
ODS_CHECKS = {
    "quarantine_share": (False, "share of the day's landed records sent to quarantine ≤ MARKETING_QUARANTINE_MAX_SHARE (default 1 %); ERROR severity"),
    "row_volume": (False, f"rows of the day within {VOLUME_LOW:.0%}–{VOLUME_HIGH:.0%} of the trailing 7-day median (judged from {MIN_MEDIAN_ROWS} rows a day)"),
    "late_share": (False, f"share of late records (event time before the landing day) ≤ {LATE_MAX_SHARE:.0%}"),
    "schema_drift": (False, "no unknown fields in the landed records"),
}


def _ods_key(spec) -> AssetKey:
    return AssetKey(["redods", spec.events_table])


def ods_quality_checks():
    specs = [
        AssetCheckSpec(name, asset=_ods_key(spec), blocking=blocking, description=text, partitions_def=DAILY)
        for spec in LANDED
        for name, (blocking, text) in ODS_CHECKS.items()
    ]

    @multi_asset_check(specs=specs, name="ods_quality", can_subset=True,
                       description="Quarantine share, row volume, late share and schema drift of every landed source")
    def _ods_quality(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        first, last = _days(context)
        wanted = {(k.asset_key, k.name) for k in context.selected_asset_check_keys}
        quarantined = warehouse.query(
            "SELECT source_table, count(*) AS n FROM redods.quarantine WHERE dt BETWEEN ? AND ? GROUP BY 1",
            [first, last],
        ) if warehouse.table_exists("redods", "quarantine") else pl.DataFrame(
            schema={"source_table": pl.String, "n": pl.Int64})
        q = dict(quarantined.rows())
        for spec in LANDED:
            key = _ods_key(spec)
            table = f"redods.{spec.events_table}"
            daily = warehouse.query(
                f"SELECT dt, count(*) AS n, count(*) FILTER (WHERE is_late) AS late FROM {table} "
                "WHERE dt BETWEEN ? AND ? GROUP BY dt ORDER BY dt",
                [first - dt.timedelta(days=7), last],
            )
            judged = daily.filter(pl.col("dt") >= first)
            rows = int(judged["n"].sum())
            # a source's first landing carries its standing state (everything "late"): an
            # initial load, not late data
            initial = warehouse.query(f"SELECT min(dt) AS d FROM {table}")["d"][0]
            after_initial = judged.filter(pl.col("dt") != initial)
            late, late_base = int(after_initial["late"].sum()), int(after_initial["n"].sum())
            bad = q.get(spec.table, 0)
            if (key, "quarantine_share") in wanted:
                share = bad / (rows + bad) if rows + bad else 0.0
                yield _result("quarantine_share", key, share <= quarantine_max_share(), AssetCheckSeverity.ERROR,
                              quarantined=bad, landed=rows + bad, share=round(share, 6),
                              threshold=quarantine_max_share())
            if (key, "row_volume") in wanted:
                history = daily.filter(pl.col("dt") < first)
                per_day = rows / max(1, (last - first).days + 1)
                if history.height < MIN_HISTORY_DAYS:
                    yield _result("row_volume", key, True, AssetCheckSeverity.WARN, rows_per_day=per_day,
                                  note=f"fewer than {MIN_HISTORY_DAYS} days of history: not judged")
                else:
                    median = float(history["n"].median())
                    ratio = per_day / median if median else None
                    ok = ratio is None or median < MIN_MEDIAN_ROWS or VOLUME_LOW <= ratio <= VOLUME_HIGH
                    yield _result("row_volume", key, ok, AssetCheckSeverity.WARN, rows_per_day=per_day,
                                  trailing_7d_median=median, ratio=round(ratio, 4) if ratio is not None else None)
            if (key, "late_share") in wanted:
                share = late / late_base if late_base else 0.0
                yield _result("late_share", key, share <= LATE_MAX_SHARE, AssetCheckSeverity.WARN,
                              late_rows=late, rows=late_base, share=round(share, 6),
                              initial_load_day=str(initial))
            if (key, "schema_drift") in wanted:
                drift = _drift(context, key, first, last)
                yield _result("schema_drift", key, not drift, AssetCheckSeverity.WARN,
                              unknown_fields=MetadataValue.json(drift))

    return _ods_quality


def _drift(context: AssetCheckExecutionContext, key: AssetKey, first: dt.date, last: dt.date) -> dict:
    """Unknown fields counted by the ODS asset's materialisations of these days."""
    days = [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=days), limit=len(days)
    ).records
    drift: dict[str, int] = {}
    for record in records:
        value = record.asset_materialization.metadata.get("schema_drift")
        for field, n in (value.value if value is not None else {}).items():
            drift[field] = max(drift.get(field, 0), n)
    return drift


# ---- across tables -------------------------------------------------------------------------
def _key(pair: tuple[str, str]) -> AssetKey:
    return AssetKey(list(pair))


def _sql_check(
    name: str, asset: tuple[str, str], description: str, blocking: bool,
    query: Callable[[WarehouseResource, dt.date, dt.date], tuple[pl.DataFrame, dict]],
    additional_deps: tuple[tuple[str, str], ...] = (),
):
    """A check whose query returns the offending rows (none: passed) and extra metadata."""

    @asset_check(
        asset=_key(asset), name=name, description=description, blocking=blocking, partitions_def=DAILY,
        additional_deps=[_key(d) for d in additional_deps],
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> AssetCheckResult:
        first, last = _days(context)
        bad, extra = query(warehouse, first, last)
        return AssetCheckResult(
            passed=bad.is_empty(),
            severity=AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN,
            metadata={"failing_rows": bad.height, "examples": _examples(bad), **extra},
        )

    return _check


def _uses_were_claimed(wh, first, last):
    bad = wh.query(
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
    return bad, {}


def _funnel(wh, first, last):
    """Every trigger-day cohort known on each judged day: used ≤ claimed ≤ triggered."""
    bad = wh.query(
        f"""
        WITH g AS (
            SELECT dt AS as_of, trigger_dt AS cohort, count(DISTINCT coupon_id) AS claimed_known,
                   count(DISTINCT coupon_id) FILTER (WHERE is_used) AS used
            FROM redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df
            WHERE dt BETWEEN ? AND ? GROUP BY 1, 2
        ), o AS (
            SELECT dt AS cohort, count(*) AS triggered, count(coupon_id) AS claimed
            FROM {'.'.join(keys.EXECUTION_COUPON)} WHERE dt IN (SELECT cohort FROM g) GROUP BY 1
        )
        SELECT g.as_of, g.cohort, o.triggered, o.claimed, g.claimed_known, g.used
        FROM g LEFT JOIN o USING (cohort)
        WHERE o.cohort IS NULL OR g.used > o.claimed OR o.claimed > o.triggered
           OR g.claimed_known > o.claimed
        ORDER BY ALL
        """,
        [first, last],
    )
    return bad, {}


def _seller_totals(wh, first, last):
    bad = wh.query(
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
    return bad, {}


def _price_identity(wh, first, last):
    bad = wh.query(
        """
        SELECT dt, package_id, goods_id, list_amt, total_discount_amt, paid_amt, shown_amt,
               merchant_cost_amt, platform_cost_amt
        FROM redapp.app_ecm_mkt_ecom_repurchase_performance_df
        WHERE dt BETWEEN ? AND ? AND (
            list_amt - total_discount_amt <> paid_amt
            OR store_promo_amt + platform_promo_amt + auto_coupon_amt + store_coupon_amt
               + platform_coupon_amt + allowance_amt + presale_discount_amt <> total_discount_amt
            OR list_amt - store_promo_amt - platform_promo_amt - auto_coupon_amt <> shown_amt
            OR merchant_cost_amt + platform_cost_amt <> total_discount_amt)
        ORDER BY ALL
        """,
        [first, last],
    )
    return bad, {}


def _template_threshold(wh, first, last):
    bad = wh.query(
        f"""
        SELECT dt, coupon_template_id, threshold_amount, discount_amount
        FROM {'.'.join(keys.COUPON_TEMPLATE_DAY)}
        WHERE dt BETWEEN ? AND ? AND threshold_amount > 0 AND discount_amount > threshold_amount
        ORDER BY ALL
        """,
        [first, last],
    )
    return bad, {}


def _templates_agree(wh, first, last):
    bad = wh.query(
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
    return bad, {}


def _claims_agree(wh, first, last):
    bad = wh.query(
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
    return bad, {}


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
        _sql_check("price_minus_discounts_is_paid", ("redapp", "app_ecm_mkt_ecom_repurchase_performance_df"),
                   "On every line: price − discounts = paid, discounts add up, 千人一面价 rule, cost per bearer = discounts",
                   True, _price_identity),
        _sql_check("template_discount_within_threshold", keys.COUPON_TEMPLATE_DAY,
                   "A template with a threshold never discounts more than it", True, _template_threshold),
        _sql_check("mongo_mysql_templates_agree", keys.COUPON_TEMPLATE_DAY,
                   "Templates changed in the Mongo read copy on dt agree with the MySQL dump of dt",
                   False, _templates_agree, (("redods", "ods_mongo_32004_coupon_template_hi"), keys.COUPON_TEMPLATE_MYSQL)),
        _sql_check("mongo_mysql_claims_agree", keys.GOODS_COUPON_DAY,
                   "Claimed coupons changed in the Mongo read copy on dt agree with the MySQL snapshot of dt",
                   False, _claims_agree, (("redods", "ods_mongo_35003_coupon_31006_goods_coupon"), keys.CLAIMED_COUPON_MYSQL)),
    ]
