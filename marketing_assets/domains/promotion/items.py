"""The goods each live promotion covers on dt: an sku target's goods, a goods target, or
every goods of a store-wide seller target minus its group's valid blacklist."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import GOODS, GOODS_SKU
from marketing_assets.domains.promotion.blacklist_gifts import BLACKLIST_DAY
from marketing_assets.domains.promotion.groups import GROUP
from marketing_assets.domains.promotion.ods import PROMOTION_TYPES, RULES
from marketing_assets.domains.promotion.target_benefits import DIMENSION_COLUMNS, TARGET_BENEFIT_DAY, promotion_rows
from marketing_assets.table import TableModel, partition_day

SCOPE_SOURCES = ["sku", "item", "store_wide"]


class PromotionItem(TableModel):
    """The goods of the live promotions: one row per promotion × goods."""

    promotion_id: pl.Int64 = pa.Field(description="live promotion")
    goods_id: pl.Int64 = pa.Field(description="goods it covers")
    group_id: pl.Int64 = pa.Field(description="its group")
    seller_id: pl.String = pa.Field(nullable=True, description="goods' seller (the target's when the goods is unknown)")
    target_type: pl.String = pa.Field(isin=["sku", "item", "seller"], description="target kind")
    sku_id: pl.Int64 = pa.Field(nullable=True, description="the sku of an sku target")
    owner_type: pl.String = pa.Field(isin=["seller", "platform"], description="who set the group up")
    promotion_type: pl.String = pa.Field(isin=PROMOTION_TYPES, description="the group's promotion type")
    rule: pl.String = pa.Field(nullable=True, isin=RULES, description="tier-1 benefit rule")
    scope_source: pl.String = pa.Field(
        isin=SCOPE_SOURCES,
        description="sku: the goods of the target sku; item: the target goods; store_wide: a goods of the seller not blacklisted",
    )
    dt: pl.Date = partition_day()


def promotion_items(
    day: dt.date,
    promotions: pl.DataFrame,
    blacklist: pl.DataFrame,
    goods: pl.DataFrame,
    skus: pl.DataFrame,
) -> pl.DataFrame:
    """The goods each live promotion covers on ``day``. An sku target: the sku's goods; an
    item target: the goods; a seller target (store-wide): every goods of the seller minus
    the group's valid blacklist goods."""
    live = promotion_rows(promotions.filter("is_live")).select(
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


PROMOTION_ITEM = DerivedTable(
    "redcdm", "dwd_ecm_mkt_promotion_item_df",
    model=PromotionItem,
    grain=("promotion_id", "goods_id"),
    group=GROUP,
    layer="dwd",
    what=(
        "Goods each live promotion covers on dt: the goods of an sku target, the goods "
        "target, or every goods of a store-wide seller target minus the group's valid blacklist"
    ),
    chinese_name="促销活动商品明细",
    inputs={
        "promotions": Upstream(TARGET_BENEFIT_DAY, 1, DIMENSION_COLUMNS, where="is_live"),
        "blacklist": Upstream(BLACKLIST_DAY, 1, ("group_id", "goods_id", "is_valid")),
        "goods": Upstream(GOODS, 1, ("goods_id", "seller_id")),
        "skus": Upstream(GOODS_SKU, 1, ("sku_id", "goods_id")),
    },
    compute=promotion_items,
    bounded=True,
    planned=True,
)
