"""The promotion dimension: each promotion (a target added to a group) with its group and
its benefit tiers, the current state of the daily target and benefit changes over the
look-back. The tables downstream read it through ``DIMENSION_COLUMNS`` and take a promotion's
tier-1 row (``promotion_rows``)."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.promotion.groups import GROUP, GROUP_DAY, code_name, is_live, latest
from marketing_assets.domains.promotion.ods import BENEFIT_INC, PROMOTION_TYPES, RULES, TARGET_INC
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.table import TableModel, partition_day

#: the discount_source of the trade's discount rows a promotion leaves
PROMOTION_SOURCES = ["store_promotion", "platform_promotion"]
RULE_NAMES = {
    "price": "promo price 单品价",
    "full_reduction": "spend and save 满减",
    "m_n_discount": "M items N tenths M件N折",
    "gift": "gift with purchase 满赠",
    "interest_free": "interest-free instalments 分期免息",
}
#: the discount rows of a group's promotions
SOURCE_OF_OWNER = {"seller": "store_promotion", "platform": "platform_promotion"}

_TARGET_COLUMNS = ("promotion_id", "group_id", "target_type", "target_id", "seller_id", "status",
                   "create_time", "update_time", "_src_file", "_src_line")
_BENEFIT_COLUMNS = ("promotion_id", "tier", "rule", "threshold", "value", "update_time", "_src_file", "_src_line")
#: the dimension's columns the tables downstream read
DIMENSION_COLUMNS = ("promotion_id", "tier", "group_id", "target_type", "target_id", "seller_id",
                "owner_type", "promotion_type", "rule", "threshold", "is_live")


class PromotionTargetBenefitDay(TableModel):
    """The promotion config dimension: one row per promotion × target × benefit tier."""

    promotion_id: pl.Int64 = pa.Field(description="promotion: a target added to a group")
    target_id: pl.String = pa.Field(description="sku id, goods id or seller id")
    tier: pl.Int32 = pa.Field(nullable=True, description="benefit tier (1 = first); null: no benefit row known")
    group_id: pl.Int64 = pa.Field(description="group the target belongs to")
    target_type: pl.String = pa.Field(isin=["sku", "item", "seller"], description="target kind")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the target")
    target_status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed from the group")
    target_create_time: pl.Datetime("us") = pa.Field(description="target added")
    target_update_time: pl.Datetime("us") = pa.Field(description="target last updated")
    group_name: pl.String = pa.Field(nullable=True, description="group name (null: group unknown)")
    owner_type: pl.String = pa.Field(nullable=True, isin=["seller", "platform"], description="who set the group up")
    discount_source: pl.String = pa.Field(
        nullable=True, isin=PROMOTION_SOURCES,
        description="discount_source of its discount rows: store_promotion (seller group), platform_promotion",
    )
    promotion_type: pl.String = pa.Field(nullable=True, isin=PROMOTION_TYPES, description="the group's promotion type")
    promotion_type_name: pl.String = pa.Field(nullable=True, description="promotion_type as text")
    store_wide: pl.Boolean = pa.Field(nullable=True, description="the group covers the whole store")
    start_time: pl.Datetime("us") = pa.Field(nullable=True, description="group starts")
    end_time: pl.Datetime("us") = pa.Field(nullable=True, description="group ends")
    group_status: pl.Int32 = pa.Field(nullable=True, description="1 online, 2 offline")
    rule: pl.String = pa.Field(nullable=True, isin=RULES, description="price, full_reduction 满减, m_n_discount M件N折, gift, interest_free")
    rule_name: pl.String = pa.Field(nullable=True, description="rule as text")
    threshold: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="fen for 满减 and gift, item count M for M件N折, instalments for interest-free"
    )
    value: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="fen off (满减), N tenths (M件N折: 8 = 20 % off), promo price in fen (price)"
    )
    benefit_update_time: pl.Datetime("us") = pa.Field(nullable=True, description="tier last updated")
    is_live: pl.Boolean = pa.Field(description="target valid and its group online and running on dt")
    dt: pl.Date = partition_day()


def target_benefit_day(
    day: dt.date, targets: pl.DataFrame, benefits: pl.DataFrame, groups: pl.DataFrame
) -> pl.DataFrame:
    """Each promotion's latest target state with its group (``group_day`` of ``day``) and
    its benefit tiers (one row per tier; a promotion without a known benefit row has one
    row with tier null).

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
            rule_name=code_name("rule", RULE_NAMES, "rule"),
            is_live=(pl.col("target_status") == 1) & is_live(day, "group_status").fill_null(False),
        )
    )


def promotion_rows(promotions: pl.DataFrame) -> pl.DataFrame:
    """One row per promotion of the dimension: its tier-1 (lowest tier) benefit."""
    return promotions.sort("promotion_id", "tier", nulls_last=True).unique(
        "promotion_id", keep="first", maintain_order=True
    )


def _dim_headline(frame: pl.DataFrame) -> dict:
    live = frame.filter("is_live")
    return {"promotions": frame["promotion_id"].n_unique(), "live_promotions": live["promotion_id"].n_unique()}


TARGET_BENEFIT_DAY = DerivedTable(
    "reddw", "dw_trd_promotion_target_benefit_day",
    model=PromotionTargetBenefitDay,
    grain=("promotion_id", "target_id", "tier"),
    group=GROUP,
    layer="dw",
    what=(
        "Promotion config dimension: the current state of each promotion (a target added to "
        "a group: latest row per promotion over the 600-day look-back of the daily changes) "
        "with its group (type: super single-item, single-item, multi-item, interest-free) "
        "and its benefit tiers (rule, threshold, value). Config untouched for longer than "
        "the look-back drops out"
    ),
    chinese_name="促销活动商品优惠维表",
    inputs={
        "targets": Upstream(TARGET_INC, LOOKBACK_DAYS, _TARGET_COLUMNS),
        "benefits": Upstream(BENEFIT_INC, LOOKBACK_DAYS, _BENEFIT_COLUMNS),
        "groups": Upstream(GROUP_DAY),
    },
    compute=target_benefit_day,
    bounded=True,
    headline=_dim_headline,
)
