"""Small hand-made DM/APP tables for the report tests, written into a temporary DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from marketing_assets.reports import assets as r
from marketing_assets.storage import WarehouseResource

D = dt.date(2025, 6, 10)
D1 = D + dt.timedelta(days=1)
EMPTY_DAY = D - dt.timedelta(days=5)  # before every row of every table


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def warehouse(path: Path, tables: dict[str, pl.DataFrame]) -> WarehouseResource:
    """Each frame as the table of its qualified name, in a new DuckDB file at ``path``."""
    wh = WarehouseResource(database=str(path))
    with wh.get_connection() as conn:
        for name, frame in tables.items():
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
            conn.register("frame", frame.to_arrow())
            conn.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            conn.unregister("frame")
    return wh


def platform_metrics(days: list[dt.date]) -> pl.DataFrame:
    """One row a day; day i has dab 100 + i and pcvr (100 + i) / 400."""
    n = len(days)
    return pl.DataFrame({
        "dt": days, "dab": [100 + i for i in range(n)], "dnb": [10 + i for i in range(n)],
        "coupon_new_buyer_cnt": [3] * n, "aov": [12345] * n, "cac": [678] * n,
        "pcvr": [(100 + i) / 400 for i in range(n)], "tool_config_rate": [0.25] * n,
        "coupon_roi": [7.5] * n, "claim_rate": [2 / 3] * n, "uplift": [-1 / 6] * n,
    })


def growth_tables(unclaimed_rows: bool) -> dict[str, pl.DataFrame]:
    """Launch plan 401 (strategy 5001, scene 201): triggered 3, claimed 2 (coupons 1, 2),
    used 1 (coupon 1, on two lines: discount 200 + 100 fen, pay 600 + 400 fen).
    Launch plan 402 (strategy 5004, scene 202): triggered 1, claimed 1, used 0, no cost.
    ``unclaimed_rows``: the get-use table also holds the unclaimed offer (coupon null), as
    the catalog's ruling has it."""
    ids = {"launch_plan_id": [401, 401, 401, 402], "strategy_id": [5001, 5001, 5001, 5004],
           "biz_scene_id": [201, 201, 201, 202]}
    offers = pl.DataFrame({**ids, "coupon_id": [1, 2, None, 3], "dt": [D] * 4})
    get_use = pl.DataFrame({
        "launch_plan_id": [401, 401, 401, 402], "strategy_id": [5001, 5001, 5001, 5004],
        "biz_scene_id": [201, 201, 201, 202], "coupon_id": [1, 1, 2, 3],
        "is_used": [True, True, False, False], "discount_amt": [200, 100, None, None],
        "line_paid_amt": [600, 400, None, None], "trigger_dt": [D] * 4, "dt": [D] * 4,
    })
    if unclaimed_rows:
        get_use = pl.concat([get_use, pl.DataFrame({
            "launch_plan_id": [401], "strategy_id": [5001], "biz_scene_id": [201], "coupon_id": [None],
            "is_used": [False], "discount_amt": [None], "line_paid_amt": [None], "trigger_dt": [D], "dt": [D],
        }, schema=get_use.schema)])
    # strategy 5001: treated u1 u2 u3, blank u4 u5; strategy 5004: treated u6; payers u1, u4
    users = ["u1", "u2", "u3", "u4", "u5", "u6"]
    executions = pl.DataFrame({
        "strategy_id": [5001] * 5 + [5004], "strategy_name": ["home new buyer A"] * 5 + ["cart keep A"],
        "launch_plan_id": [401] * 5 + [402], "launch_plan_name": ["daily acquisition"] * 5 + ["daily conversion"],
        "biz_scene_id": [201] * 5 + [202], "scene_name": ["home"] * 5 + ["cart"],
        "user_id": users, "is_blank": [False, False, False, True, True, False], "dt": [D] * 6,
    })
    user_metrics = pl.DataFrame({"user_id": ["u1", "u4", "u6"], "pay_amt": [100, 50, 0], "dt": [D] * 3})
    return {r.OFFERS: offers, r.GET_USE: get_use, r.EXECUTIONS: executions, r.USER_METRICS: user_metrics,
            r.METRICS: platform_metrics([D])}


def campaign_tables() -> dict[str, pl.DataFrame]:
    """Campaign 7001 "summer sale" (target 3,000.00 yuan, budget 30.00) on sale D-2..D+5
    with goods 10 approved and goods 11 rejected: lines of goods 10 paid 100.00 (D-1, user
    a), 150.00 (D, user b) and 50.00 (D, user a) with 10.00 of discounts in all; users a, b,
    c visited goods 10 on D. Campaign 7002 "spring sale" ended before D and sold nothing."""
    relation = pl.DataFrame({
        "activity_id": [7001, 7002], "activity_name": ["summer sale", "spring sale"],
        "activity_type": ["monthly", "monthly"], "gmv_target": [300000, 500000], "budget": [3000, 9000],
        "activity_start_time": [at(D - dt.timedelta(days=2), 0), at(D - dt.timedelta(days=40), 0)],
        "activity_end_time": [at(D + dt.timedelta(days=5), 0), at(D - dt.timedelta(days=10), 0)],
        "dt": [D, D],
    })
    participate = pl.DataFrame({
        "activity_id": [7001, 7001], "activity_type": ["monthly"] * 2, "activity_name": ["summer sale"] * 2,
        "goods_id": [10, 11], "audit_status": ["approved", "rejected"],
        "activity_start_time": [at(D - dt.timedelta(days=2), 0)] * 2,
        "activity_end_time": [at(D + dt.timedelta(days=5), 0)] * 2, "dt": [D, D],
    })
    lines = pl.DataFrame({
        "goods_id": [10, 10, 10, 11], "user_id": ["a", "b", "a", "c"],
        "paid_amt": [10000, 15000, 5000, 7000], "total_discount_amt": [600, 400, 0, 900],
        "pay_time": [at(D - dt.timedelta(days=1)), at(D), at(D, 11), at(D)],
        "dt": [D - dt.timedelta(days=1), D, D, D],
    })
    visits = pl.DataFrame({"goods_id": [10, 10, 10, 10], "user_id": ["a", "b", "c", "a"], "dt": [D] * 4})
    supply = pl.DataFrame({
        "activity_id": [7001], "sub_activity_id": pl.Series([None], dtype=pl.Int64),
        "activity_name": ["summer sale"], "activity_type": ["monthly"], "signup_seller_cnt": [9],
        "approved_seller_cnt": [6], "approved_goods_cnt": [120], "dt": [D],
    })
    presale = pl.DataFrame({
        "presale_activity_id": [95000001], "activity_name": ["new product presale"],
        "presale_type": ["new_product"], "deposit_cnt": [4], "converted_cnt": [3], "forfeited_cnt": [1],
        "conversion_rate": [0.75], "dt": [D],
    })
    return {r.RELATION: relation, r.PARTICIPATE: participate, r.LINES: lines, r.VISITS: visits,
            r.SUPPLY: supply, r.PRESALE: presale}


def seller_tables() -> dict[str, pl.DataFrame]:
    """30-day cost (coupon + promotion discount): s1 1.00, s2 3.50, s3 2.00 yuan."""
    def frame(discounts: list[int], pays: list[int], rois: list[float | None]) -> pl.DataFrame:
        return pl.DataFrame({"seller_id": ["s1", "s2", "s3"], "stat_period": [30, 30, 30],
                             "pay_amt": pays, "discount_amt": discounts, "roi": rois, "dt": [D] * 3},
                            schema_overrides={"stat_period": pl.Int32})
    return {r.COUPON_SELLER: frame([100, 50, 200], [250, 400, 900], [2.5, 8.0, 4.5]),
            r.PROMOTION_SELLER: frame([0, 300, 0], [0, 1200, 0], [None, 4.0, None])}
