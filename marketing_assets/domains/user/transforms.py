"""Trade-user transforms: pure polars, one day at a time."""

import datetime as dt

import polars as pl


def paid_lines(lines: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """Order lines that count as paid: a line refunded on its pay day never does."""
    same_day = refunds.filter(pl.col("refund_time").dt.date() == pl.col("pay_time").dt.date()).select(
        "package_id", "goods_id"
    )
    return lines.join(same_day, on=["package_id", "goods_id"], how="anti")


def nitem_labels(
    day: dt.date,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    goods: pl.DataFrame,
    users: pl.DataFrame,
) -> pl.DataFrame:
    """redcdm.dim_ecm_user_nitem_label_extend_df: each buyer's first paid order at the
    platform, industry, operating category and store level, as known on ``day``.

    Platform level: the user centre's ``first_order_time`` (it holds the history before the
    warehouse's first day). Other levels: the first paid line in the look-back window of
    ``lines`` (600 days): new to a store = no paid order in that store in the look-back.
    """
    paid = paid_lines(lines, refunds).join(
        goods.select("goods_id", "industry", "category"), on="goods_id", how="left"
    )
    frames = []
    for level, column in (("industry", "industry"), ("category", "category"), ("store", "seller_id")):
        first = (
            paid.filter(pl.col(column).is_not_null())
            .sort("pay_time", "order_id", "package_id", "goods_id")
            .group_by("user_id", column, maintain_order=True)
            .agg(
                first_pay_time=pl.col("pay_time").first(),
                first_order_id=pl.col("order_id").first(),
                first_package_id=pl.col("package_id").first(),
                last_pay_time=pl.col("pay_time").last(),
            )
        )
        frames.append(first.select(
            "user_id", pl.lit(level).alias("level"), pl.col(column).cast(pl.String).alias("level_id"),
            "first_pay_time", "first_order_id",
            (pl.col("first_package_id") if level == "store" else pl.lit(None, pl.String)).alias("first_package_id"),
            "last_pay_time",
        ))
    orders = paid.group_by("user_id").agg(
        pl.col("pay_time").max().alias("last_pay_time"),
    )
    first_orders = (
        paid.select("user_id", "pay_time", "order_id")
        .sort("user_id", "pay_time", "order_id")
        .unique(["user_id", "pay_time"], keep="first", maintain_order=True)
    )
    platform = (
        users.filter(pl.col("first_order_time").is_not_null())
        .select("user_id", pl.col("first_order_time").alias("first_pay_time"))
        .join(orders, on="user_id", how="left")
        .join(first_orders.rename({"pay_time": "first_pay_time", "order_id": "first_order_id"}),
              on=["user_id", "first_pay_time"], how="left")
        .select(
            "user_id", pl.lit("platform").alias("level"), pl.lit("all").alias("level_id"),
            "first_pay_time", "first_order_id", pl.lit(None, pl.String).alias("first_package_id"),
            "last_pay_time",
        )
    )
    return pl.concat([platform, *frames]).with_columns(
        first_pay_date=pl.col("first_pay_time").dt.date(),
    ).with_columns(
        customer_type=pl.when(pl.col("first_pay_date") == day).then(pl.lit("new")).otherwise(pl.lit("old"))
    )
