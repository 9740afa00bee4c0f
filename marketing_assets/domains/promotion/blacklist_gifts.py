"""The day's dumps of a promotion group's extras as dimensions: the goods a store-wide group
excludes (its blacklist) with their group, and the gifts of gift-with-purchase (满赠)
promotions with their promotion's group, seller and threshold."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.promotion.groups import GROUP, GROUP_DAY, latest
from marketing_assets.domains.promotion.ods import BLACKLIST_ODS, GIFT_ODS
from marketing_assets.domains.promotion.target_benefits import DIMENSION_COLUMNS, TARGET_BENEFIT_DAY, promotion_rows
from marketing_assets.table import TableModel, partition_day


# ---- blacklist ------------------------------------------------------------------------------
class PromotionBlacklistTargetDay(TableModel):
    """Goods excluded from store-wide promotion groups: one row per blacklist row."""

    blacklist_id: pl.Int64 = pa.Field(description="blacklist row")
    group_id: pl.Int64 = pa.Field(description="store-wide group")
    goods_id: pl.Int64 = pa.Field(description="goods excluded from the group")
    seller_id: pl.String = pa.Field(description="seller")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    is_valid: pl.Boolean = pa.Field(description="status 1: the goods is excluded")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")
    group_name: pl.String = pa.Field(nullable=True, description="group name (null: group unknown)")
    owner_type: pl.String = pa.Field(nullable=True, description="who set the group up")
    store_wide: pl.Boolean = pa.Field(nullable=True, description="the group covers the whole store")
    group_is_live: pl.Boolean = pa.Field(nullable=True, description="the group is online and running on dt")
    dt: pl.Date = partition_day()


def blacklist_target_day(day: dt.date, blacklist: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """The day's blacklist dump with its group."""
    group = groups.select(
        "group_id", "group_name", "owner_type", "store_wide", pl.col("is_live").alias("group_is_live")
    )
    return latest(blacklist, ["blacklist_id"]).join(
        group, on="group_id", how="left", maintain_order="left"
    ).with_columns(is_valid=pl.col("status") == 1)


BLACKLIST_DAY = DerivedTable(
    "reddw", "dw_trd_promotion_blacklist_target_day",
    model=PromotionBlacklistTargetDay,
    grain=("blacklist_id",),
    group=GROUP,
    layer="dw",
    what="Goods excluded from store-wide promotion groups (the day's dump) with their group",
    chinese_name="全店促销黑名单维表",
    inputs={
        "blacklist": Upstream(BLACKLIST_ODS),
        "groups": Upstream(GROUP_DAY),
    },
    compute=blacklist_target_day,
    bounded=True,
    planned=True,
)


# ---- gifts ----------------------------------------------------------------------------------
class PromotionGiftDay(TableModel):
    """Gifts of gift-with-purchase promotions: one row per gift row."""

    gift_id: pl.Int64 = pa.Field(description="gift row")
    promotion_id: pl.Int64 = pa.Field(description="gift-tier promotion (满赠)")
    group_id: pl.Int64 = pa.Field(nullable=True, description="its group (null: promotion unknown)")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the promotion's target")
    gift_goods_id: pl.Int64 = pa.Field(description="goods given")
    gift_count: pl.Int32 = pa.Field(gt=0, description="units given")
    threshold: pl.Int64 = pa.Field(nullable=True, ge=0, description="spend that earns the gift (tier 1), fen")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    is_valid: pl.Boolean = pa.Field(description="status 1")
    promotion_is_live: pl.Boolean = pa.Field(nullable=True, description="the promotion is live on dt")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")
    dt: pl.Date = partition_day()


def gift_day(day: dt.date, gifts: pl.DataFrame, promotions: pl.DataFrame) -> pl.DataFrame:
    """The day's gift dump with its promotion's group, seller and threshold (the 满赠
    spend, tier 1)."""
    promotion = promotion_rows(promotions).select(
        "promotion_id", "group_id", "seller_id", "threshold", pl.col("is_live").alias("promotion_is_live")
    )
    return latest(gifts, ["gift_id"]).join(
        promotion, on="promotion_id", how="left", maintain_order="left"
    ).with_columns(is_valid=pl.col("status") == 1)


GIFT_DAY = DerivedTable(
    "reddw", "dw_trd_promotion_gift_day",
    model=PromotionGiftDay,
    grain=("gift_id",),
    group=GROUP,
    layer="dw",
    what="Gifts of gift-with-purchase (满赠) promotions (the day's dump) with the promotion's group, seller and threshold",
    chinese_name="促销赠品维表",
    inputs={
        "gifts": Upstream(GIFT_ODS),
        "promotions": Upstream(TARGET_BENEFIT_DAY, 1, DIMENSION_COLUMNS),
    },
    compute=gift_day,
    bounded=True,
    planned=True,
)
