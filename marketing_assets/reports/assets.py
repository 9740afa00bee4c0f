"""Report assets: each reads the DM/APP tables of its day(s) through SQL, renders its
board (``boards``), writes ``<reports dir>/<report>/<dt>.png`` and ``.csv`` (the numbers
plotted) and shows the image in the UI as markdown metadata. In a range run every day's
materialisation carries that day's plot, paths and headline numbers. Sums are cast to
BIGINT in SQL (DuckDB returns them as Decimal(38, 0)); ratios are computed in ``boards``."""

import datetime as dt
import inspect
from collections.abc import Callable

import polars as pl
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    TimeWindowPartitionMapping,
    asset,
)

from marketing_assets import config
from marketing_assets.domains.app.platform_metrics import PLATFORM_METRICS
from marketing_assets.domains.app.repurchase_performance import REPURCHASE_PERFORMANCE
from marketing_assets.domains.campaign.participate_goods import PARTICIPATE_GOODS
from marketing_assets.domains.campaign.relation import ACTIVITY_RELATION
from marketing_assets.domains.campaign.supply import ACTIVITY_SUPPLY
from marketing_assets.domains.coupon.sellers import COUPON_SELLER as COUPON_SELLER_TABLE
from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON, EXECUTION_COUPON_GET_USE
from marketing_assets.domains.growth.executions import EXECUTION
from marketing_assets.domains.presale.conversion import PRESALE_CONVERSION
from marketing_assets.domains.promotion.sellers import PROMOTION_SELLER as PROMOTION_SELLER_TABLE
from marketing_assets.domains.trade.ods import VISITS as VISITS_SOURCE
from marketing_assets.domains.user.metrics import USER_METRICS as USER_METRICS_TABLE
from marketing_assets.partitions import DAILY, partition_days
from marketing_assets.storage import WarehouseResource
from marketing_assets.table import OWNER, code_references

#: the tables the boards read, named by their objects
METRICS = PLATFORM_METRICS.sql
COUPON_SELLER = COUPON_SELLER_TABLE.sql
PROMOTION_SELLER = PROMOTION_SELLER_TABLE.sql
OFFERS = EXECUTION_COUPON.sql
GET_USE = EXECUTION_COUPON_GET_USE.sql
EXECUTIONS = EXECUTION.sql
USER_METRICS = USER_METRICS_TABLE.sql
RELATION = ACTIVITY_RELATION.sql
PARTICIPATE = PARTICIPATE_GOODS.sql
SUPPLY = ACTIVITY_SUPPLY.sql
PRESALE = PRESALE_CONVERSION.sql
LINES = REPURCHASE_PERFORMANCE.sql
VISITS = VISITS_SOURCE.sql


def _dep(table: str, days: int = 1) -> AssetDep:
    mapping = None if days == 1 else TimeWindowPartitionMapping(
        start_offset=-(days - 1), allow_nonexistent_upstream_partitions=True)
    return AssetDep(AssetKey(table.split(".")), partition_mapping=mapping)


def _board(name: str) -> Callable:
    """``boards.<name>``, imported when a report is drawn: matplotlib costs about a second of
    start-up that the code server, the CLI and every run worker would pay on loading the
    definitions otherwise."""
    def draw(*args):
        from marketing_assets.reports import boards

        return getattr(boards, name)(*args)

    draw.__name__ = name
    return draw


def read_platform(wh: WarehouseResource, day: dt.date) -> tuple:
    return (wh.query(f"SELECT * FROM {METRICS} WHERE dt BETWEEN ? AND ? ORDER BY dt",
                     [day - dt.timedelta(days=29), day]),)


def read_merchant(wh: WarehouseResource, day: dt.date) -> tuple:
    return (wh.query(f"SELECT * FROM {COUPON_SELLER} WHERE dt = ?", [day]),
            wh.query(f"SELECT * FROM {PROMOTION_SELLER} WHERE dt = ?", [day]))


def read_growth(wh: WarehouseResource, day: dt.date) -> tuple:
    week = {"first": day - dt.timedelta(days=6), "day": day}
    funnel = wh.query(
        f"""
        WITH offers AS (
            SELECT launch_plan_id, strategy_id, biz_scene_id, count(*) AS triggered, count(coupon_id) AS claimed
            FROM {OFFERS} WHERE dt BETWEEN $first AND $day GROUP BY 1, 2, 3
        ), used AS (
            SELECT launch_plan_id, strategy_id, biz_scene_id,
                   count(DISTINCT coupon_id) FILTER (WHERE is_used) AS used,
                   coalesce(sum(discount_amt), 0) AS cost_amt, coalesce(sum(line_paid_amt), 0) AS pay_amt
            FROM {GET_USE} WHERE dt = $day AND trigger_dt BETWEEN $first AND $day GROUP BY 1, 2, 3
        ), cells AS (
            SELECT o.*, coalesce(u.used, 0) AS used, coalesce(u.cost_amt, 0) AS cost_amt,
                   coalesce(u.pay_amt, 0) AS pay_amt
            FROM offers o LEFT JOIN used u USING (launch_plan_id, strategy_id, biz_scene_id)
        ), cuts AS (
            SELECT CASE WHEN grouping(launch_plan_id) = 0 THEN 'launch_plan'
                        WHEN grouping(strategy_id) = 0 THEN 'strategy' ELSE 'scene' END AS cut,
                   coalesce(launch_plan_id, strategy_id, biz_scene_id) AS id,
                   sum(triggered)::BIGINT AS triggered, sum(claimed)::BIGINT AS claimed, sum(used)::BIGINT AS used,
                   sum(cost_amt)::BIGINT AS cost_amt, sum(pay_amt)::BIGINT AS pay_amt
            FROM cells GROUP BY GROUPING SETS ((launch_plan_id), (strategy_id), (biz_scene_id))
        ), names AS (
            SELECT 'launch_plan' AS cut, launch_plan_id AS id, min(launch_plan_name) AS name
            FROM {EXECUTIONS} WHERE dt BETWEEN $first AND $day GROUP BY 2
            UNION ALL SELECT 'strategy', strategy_id, min(strategy_name)
            FROM {EXECUTIONS} WHERE dt BETWEEN $first AND $day GROUP BY 2
            UNION ALL SELECT 'scene', biz_scene_id, min(scene_name)
            FROM {EXECUTIONS} WHERE dt BETWEEN $first AND $day GROUP BY 2
        )
        SELECT cut, id, name, triggered, claimed, used, cost_amt, pay_amt
        FROM cuts LEFT JOIN names USING (cut, id) ORDER BY 1, 2
        """,
        week,
    )
    uplift = wh.query(
        f"""
        WITH users AS (
            SELECT DISTINCT strategy_id, user_id, bool_and(is_blank) OVER (PARTITION BY strategy_id, user_id) AS blank
            FROM {EXECUTIONS} WHERE dt = $day
        ), names AS (SELECT strategy_id, min(strategy_name) AS strategy_name FROM {EXECUTIONS} WHERE dt = $day GROUP BY 1),
        payers AS (SELECT DISTINCT user_id FROM {USER_METRICS} WHERE dt = $day AND pay_amt > 0)
        SELECT strategy_id, strategy_name,
               count(*) FILTER (WHERE NOT blank) AS treated_user_cnt,
               count(p.user_id) FILTER (WHERE NOT blank) AS treated_payer_cnt,
               count(*) FILTER (WHERE blank) AS blank_user_cnt,
               count(p.user_id) FILTER (WHERE blank) AS blank_payer_cnt
        FROM users JOIN names USING (strategy_id) LEFT JOIN payers p USING (user_id) GROUP BY 1, 2 ORDER BY 1
        """,
        {"day": day},
    )
    trend = wh.query(f"SELECT dt, claim_rate, uplift FROM {METRICS} WHERE dt BETWEEN ? AND ? ORDER BY dt",
                     [day - dt.timedelta(days=13), day])
    return funnel, uplift, trend


def read_campaign(wh: WarehouseResource, day: dt.date) -> tuple:
    gmv = wh.query(
        f"""
        WITH activities AS (
            SELECT DISTINCT activity_id, activity_name, activity_type, gmv_target, budget, activity_start_time,
                   activity_end_time
            FROM {RELATION} WHERE dt = $day AND activity_start_time < $day + INTERVAL 1 DAY
        ), goods AS (
            SELECT DISTINCT activity_id, goods_id FROM {PARTICIPATE} WHERE dt = $day AND audit_status = 'approved'
        ), sold AS (
            SELECT a.activity_id, coalesce(sum(l.paid_amt), 0)::BIGINT AS gmv_amt,
                   coalesce(sum(l.total_discount_amt), 0)::BIGINT AS cost_amt
            FROM activities a JOIN goods g USING (activity_id)
            JOIN {LINES} l ON l.goods_id = g.goods_id AND l.dt BETWEEN $first AND $day
             AND l.pay_time BETWEEN a.activity_start_time AND a.activity_end_time
            GROUP BY 1
        )
        SELECT a.activity_id, a.activity_type, a.activity_name, coalesce(s.gmv_amt, 0) AS gmv_amt, a.gmv_target, coalesce(s.cost_amt, 0) AS cost_amt, a.budget
        FROM activities a LEFT JOIN sold s USING (activity_id) ORDER BY 1
        """,
        {"day": day, "first": day - dt.timedelta(days=59)},
    )
    conversion = wh.query(
        f"""
        WITH goods AS (
            SELECT DISTINCT p.activity_id, p.activity_type, p.activity_name, p.goods_id FROM {PARTICIPATE} p
            WHERE p.dt = $day AND p.audit_status = 'approved'
              AND p.activity_start_time < $day + INTERVAL 1 DAY AND p.activity_end_time >= $day
        ), visitors AS (
            SELECT g.activity_id, count(DISTINCT v.user_id) AS visitor_cnt
            FROM goods g JOIN {VISITS} v ON v.goods_id = g.goods_id AND v.dt = $day GROUP BY 1
        ), buyers AS (
            SELECT g.activity_id, count(DISTINCT l.user_id) AS buyer_cnt
            FROM goods g JOIN {LINES} l ON l.goods_id = g.goods_id AND l.dt = $day GROUP BY 1
        )
        SELECT a.activity_id, a.activity_type, a.activity_name, coalesce(visitor_cnt, 0) AS visitor_cnt,
               coalesce(buyer_cnt, 0) AS buyer_cnt
        FROM (SELECT activity_id, min(activity_type) AS activity_type, min(activity_name) AS activity_name
              FROM goods GROUP BY 1) a
        LEFT JOIN visitors USING (activity_id) LEFT JOIN buyers USING (activity_id) ORDER BY 1
        """,
        {"day": day},
    )
    supply = wh.query(f"SELECT * FROM {SUPPLY} WHERE dt = ? AND sub_activity_id IS NULL ORDER BY activity_id", [day])
    presale = wh.query(f"SELECT * FROM {PRESALE} WHERE dt = ? AND deposit_cnt > 0 ORDER BY presale_activity_id", [day])
    return gmv, conversion, supply, presale


REPORTS: dict[str, tuple[str, Callable, Callable, list[AssetDep], Callable[[pl.DataFrame], dict]]] = {
    "platform_board": (
        "Platform board: DAB, DNB, 用券拉新, AOV, CAC, PCVR, coupon ROI and tool configuration rate over 30 days",
        read_platform, _board("platform_board"), [_dep(METRICS, 30)],
        lambda d: {"dab": int(d["dab"][-1]), "dnb": int(d["dnb"][-1])} if d.height else {},
    ),
    "merchant_board": (
        "Merchant board: coupon and promotion cost, pay_amt and ROI per seller over 1/7/30 days",
        read_merchant, _board("merchant_board"), [_dep(COUPON_SELLER), _dep(PROMOTION_SELLER)],
        lambda d: {"sellers_shown": d["seller_id"].n_unique()},
    ),
    "growth_funnel": (
        "Growth funnel: triggered → claimed → used by launch plan, cost, uplift against blank control, day by day",
        read_growth, _board("growth_funnel"),
        [_dep(OFFERS, 7), _dep(GET_USE), _dep(EXECUTIONS, 7), _dep(USER_METRICS), _dep(METRICS, 14)],
        lambda d: {
            "triggered_7d": int(d.filter(pl.col("cut") == "launch_plan")["triggered"].sum() or 0),
            "used_7d": int(d.filter(pl.col("cut") == "launch_plan")["used"].sum() or 0),
            "claimed_7d": int(d.filter(pl.col("cut") == "launch_plan")["claimed"].sum() or 0),
        },
    ),
    "campaign_monitor": (
        "Campaign monitor: GMV against target, cost against budget, funnel conversion of campaign goods, merchant sign-ups, presale deposit → final payment",
        read_campaign, _board("campaign_monitor"),
        [_dep(RELATION), _dep(PARTICIPATE), _dep(SUPPLY), _dep(PRESALE), _dep(LINES, 60), _dep(VISITS)],
        lambda d: {"activities": int((d["part"] == "gmv").sum())},
    ),
}


def report_asset(name: str):
    what, read, draw, deps, headline = REPORTS[name]

    @asset(
        key=AssetKey(["reports", name]),
        deps=deps,
        partitions_def=DAILY,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="reports",
        kinds={"matplotlib", "duckdb"},
        tags={"layer": "report"},
        owners=[OWNER],
        description=f"{what}. Writes `<reports dir>/{name}/<dt>.png` and the plotted numbers as "
                    f"`<reports dir>/{name}/<dt>.csv`.",
        # "view code" opens the board's query over the tables it reads
        metadata={"partition_expr": "dt",
                  **code_references((inspect.getsourcefile(read), inspect.getsourcelines(read)[1]))},
    )
    def _report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        from marketing_assets.reports.render import save

        folder = config.reports_dir() / name
        for day in partition_days(context):
            fig, data = draw(day, *read(warehouse, day))
            png, csv, markdown = save(fig, folder, day.isoformat(), data)
            context.add_asset_metadata({  # the day's own plot, paths and headline, on the day's event
                "report": MetadataValue.md(f"### {what} — {day}\n\n{markdown}"),
                "png": MetadataValue.path(str(png)),
                "csv": MetadataValue.path(str(csv)),
                **headline(data),
            }, partition_key=day.isoformat())
        return MaterializeResult()  # every figure is a day's: no range-wide metadata to overwrite them

    return _report


report_assets = [report_asset(name) for name in REPORTS]
