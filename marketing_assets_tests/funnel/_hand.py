"""A hand-made coupon world (seller S1, three templates, six claimed coupons, four paid
packages) whose expected results are worked out by hand in the tests' comments."""

import datetime as dt

import polars as pl

D9, D10 = dt.date(2025, 6, 9), dt.date(2025, 6, 10)


def t(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour, minute)


# T1 store coupon of S1 (shop page, merchant), T2 platform coupon (daily, platform),
# T3 auto-promoted store coupon of S1 (no claim)
TEMPLATES = pl.DataFrame(
    {
        "coupon_template_id": [1, 2, 3],
        "coupon_type": pl.Series([4, 1, 4], dtype=pl.Int32),
        "limit_type": pl.Series([0, 0, 0], dtype=pl.Int32),
        "channel_type": pl.Series([12, 1, 15], dtype=pl.Int32),
        "cost_bearer": ["merchant", "platform", "merchant"],
        "seller_id": ["S1", None, "S1"],
        "threshold_amount": [10000, 5000, 15000],
        "discount_amount": [1000, 500, 1000],
        "status": pl.Series([1, 1, 1], dtype=pl.Int32),
    }
)

# C1 used on two lines of P1; C2 platform coupon on P1/G1 too; C3 claimed D10, unused;
# C4 expired unused; C5 used on P2, refunded the same day (returned: unused);
# C6 used on P3 on D9, P3 refunded on D10
CLAIMS = pl.DataFrame(
    {
        "coupon_id": [1, 2, 3, 4, 5, 6],
        "coupon_template_id": [1, 2, 1, 1, 1, 1],
        "user_id": ["U1", "U1", "U2", "U3", "U4", "U5"],
        "seller_id": ["S1", None, "S1", "S1", "S1", "S1"],
        "claim_channel": ["shop_page", "growth_platform", "shop_page", "shop_page", "live_room", "cart"],
        "claim_time": [t(8, 9), t(9, 8), t(10, 8), t(1, 8), t(9, 9), t(9, 10)],
        "valid_end_time": [t(20, 0), t(12, 0), t(20, 0), t(5, 0), t(20, 0), t(20, 0)],
        "status": pl.Series([2, 2, 1, 3, 1, 1], dtype=pl.Int32),
        "threshold_amount": [10000, 5000, 10000, 10000, 10000, 10000],
        "discount_amount": [1000, 500, 1000, 1000, 1000, 1000],
    }
).with_columns(claim_date=pl.col("claim_time").dt.date()).join(
    TEMPLATES.select("coupon_template_id", "coupon_type", "channel_type", "cost_bearer"),
    on="coupon_template_id",
    maintain_order="left",
)

LINES = pl.DataFrame(
    {
        "package_id": ["P1", "P1", "P2", "P3", "P4"],
        "goods_id": [1, 2, 1, 3, 1],
        "order_id": ["O1", "O1", "O2", "O3", "O4"],
        "user_id": ["U1", "U1", "U4", "U5", "U6"],
        "seller_id": ["S1"] * 5,
        "pay_time": [t(9, 10), t(9, 10), t(9, 11), t(9, 12), t(10, 9)],
        "quantity": [1, 2, 1, 1, 1],
        "paid_amt": [9000, 6000, 12000, 15000, 19000],
    }
).with_columns(dt=pl.col("pay_time").dt.date())

DETAILS = pl.DataFrame(
    {
        "package_id": ["P1", "P1", "P1", "P1", "P2", "P3", "P4"],
        "goods_id": [1, 2, 1, 1, 1, 3, 1],
        "discount_source": ["store_coupon", "store_coupon", "platform_coupon", "store_promotion",
                            "store_coupon", "store_coupon", "auto_coupon"],
        "source_id": [1, 1, 2, 77, 5, 6, None],
        "coupon_template_id": [1, 1, 2, None, 1, 1, 3],
        "discount_amt": [600, 400, 500, 300, 1000, 1000, 1000],
        "bearer": ["merchant", "merchant", "platform", "merchant", "merchant", "merchant", "merchant"],
    }
).join(LINES.select("package_id", "goods_id", "dt"), on=["package_id", "goods_id"], maintain_order="left")

REFUNDS = pl.DataFrame(
    {
        "package_id": ["P2", "P3"],
        "goods_id": [1, 3],
        "pay_time": [t(9, 11), t(9, 12)],
        "refund_time": [t(9, 15), t(10, 14)],
    }
).with_columns(dt=pl.col("refund_time").dt.date())


def known_on(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col("dt") <= day)


def sql_day(table, day: dt.date, **frames: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``day`` of a table computed in SQL (``compute=Sql(...)``), from hand-made
    input frames (stored as its inputs' tables, ``dt`` = ``day`` when they have none), as
    the asset stages them: cast, validated, grain-checked, sorted."""
    import duckdb

    from marketing_assets.derived import write_sql_day

    conn = duckdb.connect()
    for name, frame in frames.items():
        schema, name_ = table.inputs[name].key
        stored = frame if "dt" in frame.columns else frame.with_columns(dt=pl.lit(day, pl.Date))
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        conn.register("hand", stored)
        conn.execute(f"CREATE TABLE {schema}.{name_} AS SELECT * FROM hand")
        conn.unregister("hand")
    write_sql_day(conn, table, day)
    return conn.sql(f"SELECT * FROM {table.database}.{table.table}").pl()
