"""Promotion (促销) transforms: pure polars, one day at a time (``day`` is the partition day).

Definitions:
- a promotion is a target (sku, goods or a whole seller) added to a promotion group; its
  benefit rule has one row per tier;
- config state: the target and benefit ODS tables only hold the rows inserted or updated on
  their landing day, so the state on ``day`` is the latest row of each key (by update_time)
  over the look-back (``LOOKBACK_DAYS``, 600 days). Config untouched for longer than the
  look-back drops out of the dimensions. Groups land whole every day but are deleted from
  the source 45 days after their end; the group state is likewise the latest row per group
  over the look-back, so an archived group keeps its last known state (its promotions keep
  their group and type in the 500-day use fact);
- a use (核销) is a promotion's share of the discount on a paid order line (the trade's
  discount detail, discount_source store_promotion or platform_promotion, source_id =
  promotion_id), counted by pay day. A line refunded on its pay day never counts; a line
  refunded on a later day counts until the refund is known (``is_refunded`` from the
  refund's landing day on), then drops out of every "as known on dt" result;
- ``use_cnt`` counts applications: distinct promotion × package. 满减 and M件N折 apply to the
  package's qualifying lines together, so a promotion whose discount is spread over three
  lines of one package is one use (its pay amount still adds each line once);
- single-item price promotions (单品 / 超级单品) lower the unit price and leave no discount
  row, gift and interest-free promotions give no discount: they are not uses.
"""

import datetime as dt

import polars as pl

from marketing_assets.derived import latest_by_key
from marketing_assets.metrics import STAT_PERIODS, aov, drop_same_day_refunds, in_period, roi, seller_use_metrics

PROMOTION_SOURCES = ("store_promotion", "platform_promotion")
#: days of pay the use fact keeps, ending on dt
USE_DAYS = 500
#: a group's changed row is read from the dumps of this many days after its update_time
#: (a missed or late dump still catches it)
GROUP_SLACK_DAYS = 7

PROMOTION_TYPE_NAMES = {
    "super_single": "super single-item 超级单品",
    "single": "single-item 单品",
    "multi": "multi-item 多件",
    "interest_free": "interest-free 分期免息",
}
RULE_NAMES = {
    "price": "promo price 单品价",
    "full_reduction": "spend and save 满减",
    "m_n_discount": "M items N tenths M件N折",
    "gift": "gift with purchase 满赠",
    "interest_free": "interest-free instalments 分期免息",
}
#: the discount rows of a group's promotions
SOURCE_OF_OWNER = {"seller": "store_promotion", "platform": "platform_promotion"}
#: the order that makes "the latest row" deterministic
def _date(column: str) -> pl.Expr:
    return pl.col(column).dt.date()


def _name(column: str, names: dict[str, str], unknown: str) -> pl.Expr:
    code = pl.col(column)
    return code.replace_strict(names, default=None, return_dtype=pl.String).fill_null(
        pl.concat_str(pl.lit(f"{unknown} "), code)
    )


def promotion_type_name() -> pl.Expr:
    """promotion_type as text; an unknown code reads 'type <code>'."""
    return _name("promotion_type", PROMOTION_TYPE_NAMES, "type").alias("promotion_type_name")


def latest(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """The latest row of each ``key`` by update_time (ties: the later landing, file, line)."""
    return latest_by_key(frame, key, "update_time")


def is_live(day: dt.date, status: str = "status") -> pl.Expr:
    """Online (status 1) and running on ``day``: started before its end, ends on or after its start."""
    start = dt.datetime.combine(day, dt.time())
    return (
        (pl.col(status) == 1)
        & (pl.col("start_time") < start + dt.timedelta(days=1))
        & (pl.col("end_time") >= start)
    )


# ---- DW ------------------------------------------------------------------------------------
def group_day(day: dt.date, groups: pl.DataFrame) -> pl.DataFrame:
    """reddw.dw_trd_promotion_group_day: every group's latest known state. ``groups``: the
    dumps of the look-back (the rows changed near their landing day, see ``tables``)."""
    return latest(groups, ["group_id"]).with_columns(
        promotion_type_name(), is_live=is_live(day)
    )


def target_benefit_day(
    day: dt.date, targets: pl.DataFrame, benefits: pl.DataFrame, groups: pl.DataFrame
) -> pl.DataFrame:
    """reddw.dw_trd_promotion_target_benefit_day: each promotion's latest target state with
    its group (``group_day`` of ``day``) and its benefit tiers (one row per tier; a
    promotion without a known benefit row has one row with tier null).

    ``targets`` and ``benefits`` are the daily change tables over the look-back: the state
    is the latest row per key by update_time, so a promotion (or a tier) untouched for
    longer than the look-back drops out; a tier deleted in the source without a change row
    stays. A target whose group is unknown keeps its row with the group columns null."""
    target = latest(targets, ["promotion_id"]).select(
        "promotion_id", "target_id", "group_id", "target_type", "seller_id",
        pl.col("status").alias("target_status"),
        pl.col("create_time").alias("target_create_time"),
        pl.col("update_time").alias("target_update_time"),
    )
    group = groups.select(
        "group_id", "group_name", "owner_type", "promotion_type", "promotion_type_name",
        "store_wide", "start_time", "end_time", pl.col("status").alias("group_status"),
    )
    benefit = latest(benefits, ["promotion_id", "tier"]).select(
        "promotion_id", "tier", "rule", "threshold", "value",
        pl.col("update_time").alias("benefit_update_time"),
    )
    return (
        target.join(group, on="group_id", how="left", maintain_order="left")
        .join(benefit, on="promotion_id", how="left", maintain_order="left")
        .with_columns(
            discount_source=pl.col("owner_type").replace_strict(SOURCE_OF_OWNER, default=None),
            rule_name=_name("rule", RULE_NAMES, "rule"),
            is_live=(pl.col("target_status") == 1) & is_live(day, "group_status").fill_null(False),
        )
    )


def blacklist_target_day(day: dt.date, blacklist: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """reddw.dw_trd_promotion_blacklist_target_day: the day's blacklist dump with its group."""
    group = groups.select(
        "group_id", "group_name", "owner_type", "store_wide", pl.col("is_live").alias("group_is_live")
    )
    return latest(blacklist, ["blacklist_id"]).join(
        group, on="group_id", how="left", maintain_order="left"
    ).with_columns(is_valid=pl.col("status") == 1)


def _promotions(promotions: pl.DataFrame) -> pl.DataFrame:
    """One row per promotion of the dimension: its tier-1 (lowest tier) benefit."""
    return promotions.sort("promotion_id", "tier", nulls_last=True).unique(
        "promotion_id", keep="first", maintain_order=True
    )


def gift_day(day: dt.date, gifts: pl.DataFrame, promotions: pl.DataFrame) -> pl.DataFrame:
    """reddw.dw_trd_promotion_gift_day: the day's gift dump with its promotion's group,
    seller and threshold (the 满赠 spend, tier 1)."""
    promotion = _promotions(promotions).select(
        "promotion_id", "group_id", "seller_id", "threshold", pl.col("is_live").alias("promotion_is_live")
    )
    return latest(gifts, ["gift_id"]).join(
        promotion, on="promotion_id", how="left", maintain_order="left"
    ).with_columns(is_valid=pl.col("status") == 1)


# ---- DWD -----------------------------------------------------------------------------------
def promotion_items(
    day: dt.date,
    promotions: pl.DataFrame,
    blacklist: pl.DataFrame,
    goods: pl.DataFrame,
    skus: pl.DataFrame,
) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_promotion_item_df: the goods each live promotion covers on ``day``.
    An sku target: the sku's goods; an item target: the goods; a seller target (store-wide):
    every goods of the seller minus the group's valid blacklist goods."""
    live = _promotions(promotions.filter("is_live")).select(
        "promotion_id", "group_id", "target_type", "target_id", pl.col("seller_id").alias("_owner"),
        "owner_type", "promotion_type", "rule",
    )
    seller_of = goods.select("goods_id", "seller_id")
    sku = (
        live.filter(pl.col("target_type") == "sku")
        .with_columns(sku_id=pl.col("target_id").cast(pl.Int64, strict=False))
        .join(skus.select("sku_id", "goods_id"), on="sku_id", how="inner", maintain_order="left")
        .with_columns(scope_source=pl.lit("sku"))
    )
    item = live.filter(pl.col("target_type") == "item").with_columns(
        goods_id=pl.col("target_id").cast(pl.Int64, strict=False),
        sku_id=pl.lit(None, pl.Int64),
        scope_source=pl.lit("item"),
    ).filter(pl.col("goods_id").is_not_null())
    excluded = blacklist.filter("is_valid").select("group_id", "goods_id")
    wide = (
        live.filter(pl.col("target_type") == "seller")
        .join(seller_of, left_on="target_id", right_on="seller_id", how="inner", maintain_order="left")
        .join(excluded, on=["group_id", "goods_id"], how="anti", maintain_order="left")
        .with_columns(sku_id=pl.lit(None, pl.Int64), scope_source=pl.lit("store_wide"))
    )
    columns = ["promotion_id", "goods_id", "group_id", "target_type", "sku_id", "owner_type",
               "promotion_type", "rule", "scope_source", "_owner"]
    return (
        pl.concat([part.select(columns) for part in (sku, item, wide)])
        .join(seller_of, on="goods_id", how="left", maintain_order="left")
        .with_columns(seller_id=pl.coalesce("seller_id", "_owner"))
        .drop("_owner")
    )


# ---- use fact ------------------------------------------------------------------------------
def promotion_uses(
    day: dt.date,
    details: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    promotions: pl.DataFrame,
) -> pl.DataFrame:
    """redcdm.dm_ecm_trd_mkt_promotion_use_dtl_500d_nd_di: each promotion's share on a paid
    line paid in the ``USE_DAYS`` days ending ``day``, as known on ``day``. ``details``,
    ``lines`` and ``refunds`` are the trade tables' partitions of that window (what was known
    on ``day``); ``promotions``: the promotion dimension of ``day`` (group and type)."""
    discount = (
        details.filter(
            pl.col("discount_source").is_in(PROMOTION_SOURCES) & pl.col("source_id").is_not_null()
        )
        .sort("package_id", "goods_id", "discount_source", "dt")
        # a re-landed discount row counts once
        .unique(["package_id", "goods_id", "discount_source"], keep="first", maintain_order=True)
        .select(
            pl.col("source_id").alias("promotion_id"), "discount_source", "package_id", "goods_id",
            "discount_amt", "bearer",
        )
    )
    line = (
        lines.sort("package_id", "goods_id", "dt")
        .unique(["package_id", "goods_id"], keep="first", maintain_order=True)
        .select(
            "package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity",
            pl.col("paid_amt").alias("line_paid_amt"),
        )
        .with_columns(pay_date=_date("pay_time"))
        .filter(in_period("pay_date", day, USE_DAYS))
    )
    attrs = _promotions(promotions).select("promotion_id", "group_id", "promotion_type", "rule")
    return (
        drop_same_day_refunds(
            discount.join(line, on=["package_id", "goods_id"], how="inner", maintain_order="left"), refunds
        )
        .join(attrs, on="promotion_id", how="left", maintain_order="left")
        .select(
            "promotion_id", "group_id", "promotion_type", "rule", "discount_source",
            pl.format("{}:{}", "promotion_id", "package_id").alias("use_key"),
            "package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "pay_date",
            "quantity", "line_paid_amt", "discount_amt", "bearer",
            pl.col("refund_time").is_not_null().alias("is_refunded"),
            "refund_time",
        )
    )


# ---- seller-level results ------------------------------------------------------------------
_METRICS = ["use_cnt", "use_user_cnt", "pay_amt", "pay_goods_cnt", "discount_amt",
            "merchant_cost_amt", "platform_cost_amt", "new_buyer_cnt"]


def seller_metrics(
    day: dt.date,
    uses: pl.DataFrame,
    first_orders: pl.DataFrame,
    by: tuple[str, ...] = (),
    periods: tuple[int, ...] = STAT_PERIODS,
) -> pl.DataFrame:
    """Promotion effect per seller (and ``by``: group_id or promotion_id) for each window of
    ``periods`` days ending on ``day``, by pay day, net of refunds known on ``day``.

    ``uses``: the use fact as known on ``day``; ``first_orders``: user × store first paid
    order (user_id, seller_id, first_pay_date, first_package_id). A line with a store and a
    platform promotion counts once in the seller total (pay_amt, pay_goods_cnt) and under
    each in the ``by`` cuts; its discount is the sum of both.
    """
    keys = ["seller_id", *by]
    frames = [
        seller_use_metrics(day, uses, first_orders, keys, period).with_columns(
            stat_period=pl.lit(period, pl.Int32)
        )
        for period in periods  # three windows
    ]
    out = pl.concat(frames, how="diagonal_relaxed")
    return out.with_columns(
        [pl.col(m).fill_null(0).cast(pl.Int64) for m in _METRICS]
    ).with_columns(roi(), aov())
