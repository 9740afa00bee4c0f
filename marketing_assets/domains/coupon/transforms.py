"""Coupon transforms: pure polars, one day at a time (``day`` is the partition day).

Definitions (catalog, Pricing and Metrics):
- a claim is a coupon row of the coupon centre's MySQL copy; claims count by claim day;
- a use (核销) is a coupon's share of the discount on a paid order line (the trade's
  discount detail), counted by pay day; a line refunded on its pay day never counts, a
  line refunded on a later day counts until the refund is known (``is_refunded`` from the
  refund day on), then drops out of every "as known on dt" table;
- the auto-promoted store coupon (全网自动推广券) has a template but no claimed coupon: it
  is a use (seller coupon cost) but not a claim.
"""

import datetime as dt

import polars as pl

from marketing_assets.metrics import (
    LOOKBACK_DAYS, STAT_PERIODS, aov, drop_same_day_refunds, in_period, roi, seller_use_metrics,
)

#: promotion channel codes of coupon templates (the coupon centre's channel_type)
CHANNEL_NAMES = {
    1: "platform daily 日常平台券",
    2: "big promotion 大促券",
    3: "member day 会员日券",
    4: "interactive task 互动任务券",
    5: "new product 新品券",
    11: "live room 直播间券",
    12: "shop page 店铺券",
    13: "cart surprise 购物车惊喜券",
    14: "fans 粉丝专享券",
    15: "auto-promoted 全网自动推广券",
}
AUTO_PROMOTED_CHANNEL = 15
COUPON_SOURCES = ("store_coupon", "platform_coupon", "auto_coupon")
STATUS_NAMES = {1: "unused", 2: "used", 3: "expired", 4: "void"}


def _date(column: str) -> pl.Expr:
    return pl.col(column).dt.date()


# ---- DW ------------------------------------------------------------------------------------
def template_day(day: dt.date, templates: pl.DataFrame) -> pl.DataFrame:
    """reddw.dw_trd_coupon_template_day from the MySQL template dump of the day."""
    channel = pl.col("channel_type")
    return templates.with_columns(
        coupon_type_name=pl.col("coupon_type").replace_strict({1: "platform", 4: "store"}),
        is_item_limited=pl.col("limit_type") == 1,
        channel_name=channel.replace_strict(CHANNEL_NAMES, default=None).fill_null(
            pl.concat_str(pl.lit("channel "), channel.cast(pl.String))
        ),
        is_auto_promoted=channel == AUTO_PROMOTED_CHANNEL,
        cost_bearer=pl.col("cost_bearer").replace_strict({1: "platform", 2: "merchant"}),
    )


def goods_coupon_day(day: dt.date, coupons: pl.DataFrame, templates: pl.DataFrame) -> pl.DataFrame:
    """reddw.dw_trd_goods_coupon_day: every claimed coupon as of ``day`` (the MySQL
    snapshot) with its template's type, limit, channel and bearer."""
    attrs = templates.select(
        "coupon_template_id", "coupon_type", "limit_type", "channel_type", "cost_bearer"
    )
    return coupons.join(attrs, on="coupon_template_id", how="left", maintain_order="left").with_columns(
        claim_date=_date("claim_time"),
        status_name=pl.col("status").replace_strict(STATUS_NAMES),
    )


# ---- DWD -----------------------------------------------------------------------------------
def template_items(
    day: dt.date, limits: pl.DataFrame, templates: pl.DataFrame, goods: pl.DataFrame
) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_coupon_template_item_df: the goods each online template can be
    used on. Item-limited templates: their valid goods limits. Store coupons without an item
    limit: every goods of their seller. Platform coupons without an item limit apply to all
    goods and are not expanded (a row per listed goods would say nothing)."""
    online = templates.filter(pl.col("status") == 1).select(
        "coupon_template_id", "coupon_type", "limit_type", "channel_type", pl.col("seller_id").alias("_owner")
    )
    listed = (
        limits.filter((pl.col("status") == 1) & (pl.col("limit_type") == "goods"))
        .select("coupon_template_id", pl.col("limit_target_id").cast(pl.Int64).alias("goods_id"))
        .join(online.filter(pl.col("limit_type") == 1), on="coupon_template_id")
        .join(goods.select("goods_id", "seller_id"), on="goods_id", how="left")
        .with_columns(scope_source=pl.lit("goods_limit"))
    )
    seller_wide = (
        online.filter((pl.col("coupon_type") == 4) & (pl.col("limit_type") == 0))
        .join(goods.select("goods_id", "seller_id"), left_on="_owner", right_on="seller_id")
        .with_columns(seller_id=pl.col("_owner"), scope_source=pl.lit("seller_wide"))
    )
    columns = ["coupon_template_id", "goods_id", "seller_id", "coupon_type", "limit_type",
               "channel_type", "scope_source"]
    return pl.concat([listed.select(columns), seller_wide.select(columns)]).unique(
        ["coupon_template_id", "goods_id"], keep="first", maintain_order=True
    )


def phoenix_detail(day: dt.date, tasks: pl.DataFrame, templates: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_nteract_service_phoenix_task_complete_detail_df."""
    attrs = templates.select(
        "coupon_template_id", "coupon_type", "channel_type", "discount_amount"
    )
    return tasks.join(attrs, on="coupon_template_id", how="left", maintain_order="left")


#: redcdm.dwd_ecm_marketing_coupon_trigger_di (old model; in DuckDB: as large as a day's
#: coupon offers): one row per offered template, from the growth platform's coupon offers
#: (blank group has none) and the phoenix tasks that reward a coupon or a surprise box
COUPON_TRIGGERS_SQL = """
SELECT CAST(execution_id AS VARCHAR) AS execution_id, coupon_template_id,
       'growth_platform' AS trigger_source, 'coupon' AS benefit_type, user_id,
       execute_time AS trigger_time, coupon_id
FROM offers
UNION ALL
SELECT 'phoenix:' || task_complete_id, coupon_template_id, 'phoenix', benefit_type, user_id,
       complete_time, CAST(NULL AS BIGINT)
FROM tasks
WHERE coupon_template_id IS NOT NULL AND benefit_type IN ('coupon', 'surprise_box')
"""


# ---- use fact ------------------------------------------------------------------------------
def _use_lines(details: pl.DataFrame, lines: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Coupon discount details joined to their paid lines (``keep``: extra columns of both
    sides, suffixed ``_details`` / ``_line``)."""
    coupons = details.filter(pl.col("discount_source").is_in(COUPON_SOURCES)).select(
        "package_id", "goods_id", "discount_source", "source_id", "coupon_template_id",
        "discount_amt", "bearer", *[pl.col(c).alias(f"{c}_details") for c in keep],
    )
    line = lines.select(
        "package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity",
        pl.col("paid_amt").alias("line_paid_amt"), *[pl.col(c).alias(f"{c}_line") for c in keep],
    )
    return coupons.join(line, on=["package_id", "goods_id"], how="inner").with_columns(pay_date=_date("pay_time"))


_AUTO = pl.col("discount_source") == "auto_coupon"
#: the use fact's columns before the template's attributes (coupon_type, channel_type)
_USE_HEAD = [
    pl.when(_AUTO).then(None).otherwise(pl.col("source_id")).alias("coupon_id"),
    "coupon_template_id",
    pl.col("discount_source").alias("coupon_kind"),
]
#: … and after them
_USE_TAIL = [
    pl.when(_AUTO)
    .then(pl.concat_str(pl.lit("auto:"), pl.col("coupon_template_id").cast(pl.String), pl.lit(":"), "package_id"))
    .otherwise(pl.col("source_id").cast(pl.String))
    .alias("use_key"),
    "package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "pay_date",
    "quantity", "line_paid_amt", "discount_amt", "bearer",
]


def coupon_uses(
    day: dt.date,
    details: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    templates: pl.DataFrame,
) -> pl.DataFrame:
    """redcdm.dm_ecm_trd_mkt_activity_coupon_use_df: every coupon's share on a paid line
    within the look-back, as known on ``day``. ``details``, ``lines`` and ``refunds`` are the
    trade tables' partitions up to ``day`` (what was known on ``day``).

    The table is stored as validity intervals (``use_facts`` + ``use_changes``, read back
    by ``storage.read``); this function is the whole-window definition they are tested
    against."""
    uses = drop_same_day_refunds(_use_lines(details, lines), refunds)
    attrs = templates.select("coupon_template_id", "coupon_type", "channel_type")
    return uses.join(attrs, on="coupon_template_id", how="left", maintain_order="left").select(
        *_USE_HEAD, "coupon_type", "channel_type", *_USE_TAIL,
        pl.col("refund_time").is_not_null().alias("is_refunded"),
        "refund_time",
    )


def use_facts(details: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """The use facts the trade partitions ``details`` and ``lines`` make, each once: ``dt``
    the day it became known (the later of its detail's and line's partitions), ``first_dt``
    the earlier (it leaves the 600-day window with it). Template attributes and refunds
    are applied as of the day read (``storage.read``)."""
    return _use_lines(details, lines, keep=("dt",)).select(
        *_USE_HEAD, *_USE_TAIL,
        pl.max_horizontal("dt_details", "dt_line").alias("dt"),
        pl.min_horizontal("dt_details", "dt_line").alias("first_dt"),
    )


def use_changes(refunds: pl.DataFrame) -> pl.DataFrame:
    """The later changes of use facts: the refunds of lines, in the partition they landed."""
    return refunds.select("package_id", "goods_id", "refund_time", "dt")


def coupon_get_use_600d(day: dt.date, claims: pl.DataFrame, uses: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dm_ecm_trd_mkt_activity_coupon_get_use_600d_di: claims of the last 600 days
    with their uses as known on ``day``; a use refunded on a later day is gone from the
    refund day on (the claim stays, unused). A coupon used on two lines has two rows."""
    recent = claims.filter(in_period("claim_date", day, LOOKBACK_DAYS))
    kept = uses.filter(~pl.col("is_refunded") & pl.col("coupon_id").is_not_null()).select(
        "coupon_id", "package_id", "goods_id", "order_id", "seller_id", "pay_time", "pay_date",
        "quantity", "line_paid_amt", "discount_amt", "bearer",
    )
    return (
        recent.select(
            "coupon_id", "coupon_template_id", "user_id",
            pl.col("seller_id").alias("coupon_seller_id"), "claim_channel", "claim_time",
            "claim_date", "valid_end_time", "status", "coupon_type", "channel_type",
            "cost_bearer", "threshold_amount", pl.col("discount_amount").alias("face_amount"),
        )
        .join(kept, on="coupon_id", how="left", maintain_order="left")
        .with_columns(is_used=pl.col("package_id").is_not_null())
    )


def tob_coupon_get_use_600d(day: dt.date, get_use: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dm_ecm_mkt_tob_coupon_get_use_600d_di: the merchant cut of the 600-day table
    (store and item coupons, coupon_type 4) with the part the merchant pays."""
    return get_use.filter(pl.col("coupon_type") == 4).with_columns(
        merchant_cost_amt=pl.when(pl.col("bearer") == "merchant")
        .then(pl.col("discount_amt"))
        .otherwise(pl.when(pl.col("is_used")).then(pl.lit(0, pl.Int64)))
    )


# ---- seller-level results ------------------------------------------------------------------
_METRICS = ["claim_cnt", "claim_user_cnt", "use_cnt", "use_user_cnt", "pay_amt",
            "pay_goods_cnt", "discount_amt", "merchant_cost_amt", "platform_cost_amt",
            "new_buyer_cnt"]


def seller_metrics(
    day: dt.date,
    uses: pl.DataFrame,
    claims: pl.DataFrame,
    first_orders: pl.DataFrame,
    by: tuple[str, ...] = (),
    periods: tuple[int, ...] = STAT_PERIODS,
) -> pl.DataFrame:
    """Coupon effect per seller (and ``by``: channel_type or coupon_template_id) for each
    window of ``periods`` days ending on ``day``.

    ``uses``: the use fact as known on ``day``; ``claims``: the claim fact as of ``day``;
    ``first_orders``: user × store first paid order (user_id, seller_id, first_pay_date,
    first_package_id). A line with two coupons counts once in the seller total and under
    each coupon in the ``by`` cuts.
    """
    keys = ["seller_id", *by]
    frames = []
    for period in periods:
        claimed = claims.filter(pl.col("seller_id").is_not_null() & in_period("claim_date", day, period))
        claim = claimed.group_by(keys).agg(
            claim_cnt=pl.len().cast(pl.Int64), claim_user_cnt=pl.col("user_id").n_unique()
        )
        used = seller_use_metrics(day, uses, first_orders, keys, period)
        table = claim.join(used, on=keys, how="full", coalesce=True, nulls_equal=True)
        frames.append(table.with_columns(stat_period=pl.lit(period, pl.Int32)))
    out = pl.concat(frames, how="diagonal_relaxed")
    return out.with_columns(
        [pl.col(m).fill_null(0).cast(pl.Int64) for m in _METRICS]
    ).with_columns(roi(), aov())
