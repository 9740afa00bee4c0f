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


def _days_before(day: dt.date, n: int) -> dt.date:
    return day - dt.timedelta(days=n)


def user_labels(day: dt.date, users: pl.DataFrame, firsts: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dim_ecm_user_label_extend_df: the user centre's profile with lifecycle tags.
    ``firsts``: the platform level of ``dim_ecm_user_nitem_label_extend_df``."""
    last = pl.coalesce("last_pay_time", "first_order_time").dt.date()
    return (
        users.join(firsts.select("user_id", "last_pay_time"), on="user_id", how="left", maintain_order="left")
        .with_columns(
            register_days=(pl.lit(day) - pl.col("register_time").dt.date()).dt.total_days(),
            is_member=pl.col("member_level") > 0,
            lifecycle=pl.when(pl.col("first_order_time").dt.date() == day).then(pl.lit("new"))
            .when(last >= _days_before(day, 29)).then(pl.lit("active"))
            .when(last >= _days_before(day, 89)).then(pl.lit("silent"))
            .when(last.is_not_null()).then(pl.lit("churned"))
            .otherwise(pl.lit("never_bought")),
        )
    )


def net_lines(lines: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """Paid lines net of every refund known (same day or later)."""
    return lines.join(refunds.select("package_id", "goods_id"), on=["package_id", "goods_id"], how="anti")


def user_metrics(
    day: dt.date,
    visits: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    discounts: pl.DataFrame,
    uses: pl.DataFrame,
    firsts: pl.DataFrame,
) -> pl.DataFrame:
    """reddm.dm_trd_user_metrics_day: one row per user who visited or paid on ``day``.
    ``lines``/``refunds``: the 30 days ending ``day``; ``discounts``: the day's discount
    detail; ``uses``: the coupon use fact as known on ``day``; ``firsts``: platform level of
    the first-order labels."""
    today = paid_lines(lines.filter(pl.col("dt") == day), refunds)
    keys = ["package_id", "goods_id"]
    detail = discounts.join(today.select(keys), on=keys, how="semi")
    detail = detail.join(today.select(*keys, "user_id"), on=keys)
    per_user = [
        visits.group_by("user_id").agg(
            visit_pv=pl.col("pv").sum(), visit_goods_cnt=pl.col("goods_id").n_unique()
        ),
        today.group_by("user_id").agg(
            order_cnt=pl.col("order_id").n_unique(), pay_goods_cnt=pl.col("quantity").sum(),
            pay_amt=pl.col("paid_amt").sum(), discount_amt=pl.col("discount_amt").sum(),
        ),
        detail.group_by("user_id").agg(
            allowance_use_amt=pl.col("discount_amt").filter(pl.col("discount_source") == "allowance").sum()
        ),
        uses.filter((pl.col("pay_date") == day) & ~pl.col("is_refunded")).group_by("user_id").agg(
            coupon_use_cnt=pl.col("use_key").n_unique(), coupon_discount_amt=pl.col("discount_amt").sum()
        ),
        refunds.filter(pl.col("dt") == day).group_by("user_id").agg(refund_amt=pl.col("refund_amt").sum()),
        net_lines(lines, refunds).group_by("user_id").agg(pay_amt_30d=pl.col("paid_amt").sum()),
    ]
    active = pl.concat([visits.select("user_id"), today.select("user_id")]).unique()
    out = active
    for part in per_user:
        out = out.join(part, on="user_id", how="left")
    counts = ["visit_pv", "visit_goods_cnt", "order_cnt", "pay_goods_cnt", "pay_amt", "discount_amt",
              "coupon_use_cnt", "coupon_discount_amt", "allowance_use_amt", "refund_amt", "pay_amt_30d"]
    return (
        out.with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in counts])
        .join(firsts.select("user_id", pl.col("first_pay_time").alias("first_order_time"), "last_pay_time"),
              on="user_id", how="left")
        .with_columns(is_new_buyer=(pl.col("first_order_time").dt.date() == day).fill_null(False))
    )


#: 90-day spend thresholds of the toC user tiers, fen (S ≥ 3,000 yuan, A ≥ 1,000, B ≥ 200)
LEVEL_THRESHOLDS = (("S", 300_000), ("A", 100_000), ("B", 20_000))


def user_levels(day: dt.date, lines: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """redapp.app_ecm_toc_user_level_1d_df: tiers of the buyers of the 90 days ending
    ``day`` by what they paid, net of every refund known on ``day``."""
    kept = net_lines(lines, refunds)
    level = pl.lit("C")
    for name, threshold in reversed(LEVEL_THRESHOLDS):
        level = pl.when(pl.col("pay_amt_90d") >= threshold).then(pl.lit(name)).otherwise(level)
    return kept.group_by("user_id").agg(
        pay_amt_30d=pl.col("paid_amt").filter(pl.col("dt") >= _days_before(day, 29)).sum(),
        pay_amt_90d=pl.col("paid_amt").sum(),
        order_cnt_90d=pl.col("order_id").n_unique().cast(pl.Int64),
    ).with_columns(user_level=level)


def algo_base_labels(
    day: dt.date,
    visits: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    goods: pl.DataFrame,
    labels: pl.DataFrame,
    levels: pl.DataFrame,
) -> pl.DataFrame:
    """redapp.app_ecm_tob_ou_user_algo_label_base_df: base tags of the users active in
    ``day``'s calendar month up to ``day`` (inputs: the 31 days ending ``day``)."""
    month_start = day.replace(day=1)
    visits = visits.filter(pl.col("dt") >= month_start)
    paid = paid_lines(lines.filter(pl.col("dt") >= month_start), refunds)
    days = pl.concat([visits.select("user_id", "dt"), paid.select("user_id", "dt")])
    top = (
        visits.join(goods.select("goods_id", "industry"), on="goods_id", how="left")
        .group_by("user_id", "industry").agg(pl.col("pv").sum())
        .sort(["user_id", "pv", "industry"], descending=[False, True, False], nulls_last=True)
        .group_by("user_id", maintain_order=True).agg(top_industry=pl.col("industry").first())
    )
    return (
        days.group_by("user_id").agg(active_days_mtd=pl.col("dt").n_unique().cast(pl.Int64))
        .join(visits.group_by("user_id").agg(visit_pv_mtd=pl.col("pv").sum()), on="user_id", how="left")
        .join(paid.group_by("user_id").agg(pay_amt_mtd=pl.col("paid_amt").sum()), on="user_id", how="left")
        .join(top, on="user_id", how="left")
        .join(labels.select("user_id", "gender", "age_band", "city_tier", "member_level", "lifecycle"),
              on="user_id", how="left")
        .join(levels.select("user_id", "user_level"), on="user_id", how="left")
        .with_columns(
            pl.col("visit_pv_mtd").fill_null(0), pl.col("pay_amt_mtd").fill_null(0),
            month=pl.lit(day.strftime("%Y-%m")),
        )
    )


def store_first_orders(labels: pl.DataFrame) -> pl.DataFrame:
    """The store level of ``dim_ecm_user_nitem_label_extend_df`` as the seller tables read
    it: user_id, seller_id, first_pay_date, first_package_id."""
    return labels.filter(pl.col("level") == "store").select(
        "user_id", pl.col("level_id").alias("seller_id"), "first_pay_date", "first_package_id"
    )
