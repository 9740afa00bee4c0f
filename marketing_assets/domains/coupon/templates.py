"""Coupon templates: the template dimension of the day (from the MySQL copy, the system of
record, checked against its Mongo read copy) and the goods each online template can be
used on."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import GOODS
from marketing_assets.domains.coupon import ods
from marketing_assets.table import TableCheck, TableModel, partition_day

GROUP = "coupon"

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



# ---- the template dimension ----------------------------------------------------------------
class CouponTemplateDay(TableModel):
    """A coupon template as configured on dt."""

    coupon_template_id: pl.Int64 = pa.Field(description="template id")
    activity_id: pl.Int64 = pa.Field(description="coupon activity (batch)")
    template_name: pl.String = pa.Field(description="name shown to buyers")
    coupon_type: pl.Int32 = pa.Field(isin=[1, 4], description="1 platform, 4 store")
    coupon_type_name: pl.String = pa.Field(isin=["platform", "store"], description="coupon_type as text")
    limit_type: pl.Int32 = pa.Field(isin=[0, 1], description="1 item-limited (商品券)")
    is_item_limited: pl.Boolean = pa.Field(description="usable on listed goods only")
    channel_type: pl.Int32 = pa.Field(description="promotion channel code")
    channel_name: pl.String = pa.Field(description="promotion channel (unknown code: 'channel <n>')")
    is_auto_promoted: pl.Boolean = pa.Field(
        description="全网自动推广券: applied to everyone without a claim"
    )
    seller_id: pl.String = pa.Field(nullable=True, description="owning seller; null: platform")
    threshold_amount: pl.Int64 = pa.Field(ge=0, description="threshold, fen")
    discount_amount: pl.Int64 = pa.Field(gt=0, description="face value, fen")
    claim_start_time: pl.Datetime("us") = pa.Field(description="claim window opens")
    claim_end_time: pl.Datetime("us") = pa.Field(description="claim window closes")
    validity_type: pl.Int32 = pa.Field(isin=[1, 2], description="1 fixed window, 2 days after claim")
    valid_start_time: pl.Datetime("us") = pa.Field(nullable=True, description="fixed window start")
    valid_end_time: pl.Datetime("us") = pa.Field(nullable=True, description="fixed window end")
    valid_days: pl.Int32 = pa.Field(nullable=True, description="days valid after claim")
    cost_bearer: pl.String = pa.Field(isin=["platform", "merchant"], description="who pays the discount")
    total_count: pl.Int64 = pa.Field(ge=0, description="coupons that may be issued")
    status: pl.Int32 = pa.Field(description="1 online, 2 offline, 3 deleted")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")
    dt: pl.Date = partition_day()


def template_day(day: dt.date, templates: pl.DataFrame) -> pl.DataFrame:
    """The template dimension of the day from the MySQL template dump of the day."""
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


def _template_threshold(wh, first, last):
    return wh.query(
        f"""
        SELECT dt, coupon_template_id, threshold_amount, discount_amount
        FROM {COUPON_TEMPLATE_DAY.sql}
        WHERE dt BETWEEN ? AND ? AND threshold_amount > 0 AND discount_amount > threshold_amount
        ORDER BY ALL
        """,
        [first, last],
    )


def _templates_agree(wh, first, last):
    return wh.query(
        f"""
        WITH mongo AS (
            SELECT * FROM {ods.COUPON_TEMPLATE_MONGO.sql} WHERE dt BETWEEN ? AND ?
            QUALIFY row_number() OVER (PARTITION BY dt, coupon_template_id
                                       ORDER BY update_time DESC, sync_hour DESC, _src_line DESC) = 1
        )
        SELECT m.dt, m.coupon_template_id,
               m.threshold_amount AS mongo_threshold, s.threshold_amount AS mysql_threshold,
               m.discount_amount AS mongo_discount, s.discount_amount AS mysql_discount,
               m.status AS mongo_status, s.status AS mysql_status
        FROM mongo m LEFT JOIN {ods.COUPON_TEMPLATE_MYSQL.sql} s
          ON s.dt = m.dt AND s.coupon_template_id = m.coupon_template_id
        WHERE s.coupon_template_id IS NULL OR m.threshold_amount <> s.threshold_amount
           OR m.discount_amount <> s.discount_amount OR m.status <> s.status
           OR m.coupon_type <> s.coupon_type
        ORDER BY ALL
        """,
        [first, last],
    )


COUPON_TEMPLATE_DAY = DerivedTable(
    "reddw", "dw_trd_coupon_template_day",
    model=CouponTemplateDay,
    grain=("coupon_template_id",),
    group=GROUP,
    layer="dw",
    what=(
        "Coupon template dimension from the MySQL copy (system of record): type "
        "(platform / store), item limit, channel, threshold and face value, claim window, "
        "validity rule and cost bearer"
    ),
    chinese_name="薯券模版维表",
    inputs={"templates": Upstream(ods.COUPON_TEMPLATE_MYSQL)},
    compute=template_day,
    bounded=True,
    checks=(
        TableCheck("template_discount_within_threshold",
                   "A template with a threshold never discounts more than it", _template_threshold, True),
        TableCheck("mongo_mysql_templates_agree",
                   "Templates changed in the Mongo read copy on dt agree with the MySQL dump of dt",
                   _templates_agree, False, reads=(ods.COUPON_TEMPLATE_MONGO, ods.COUPON_TEMPLATE_MYSQL)),
    ),
)


# ---- the goods a template can be used on ---------------------------------------------------
class CouponTemplateItem(TableModel):
    """A goods an online coupon template can be used on, on dt."""

    coupon_template_id: pl.Int64 = pa.Field(description="online template")
    goods_id: pl.Int64 = pa.Field(description="goods it can be used on")
    seller_id: pl.String = pa.Field(nullable=True, description="goods' seller (null: goods unknown)")
    coupon_type: pl.Int32 = pa.Field(description="1 platform, 4 store")
    limit_type: pl.Int32 = pa.Field(description="1 item-limited")
    channel_type: pl.Int32 = pa.Field(description="promotion channel")
    scope_source: pl.String = pa.Field(
        isin=["goods_limit", "seller_wide"],
        description="goods_limit: listed in the template's goods limits; seller_wide: a store coupon on all the seller's goods",
    )
    dt: pl.Date = partition_day()


def template_items(
    day: dt.date, limits: pl.DataFrame, templates: pl.DataFrame, goods: pl.DataFrame
) -> pl.DataFrame:
    """The goods each online template can be used on. Item-limited templates: their valid
    goods limits. Store coupons without an item limit: every goods of their seller.
    Platform coupons without an item limit apply to all goods and are not expanded (a row
    per listed goods would say nothing)."""
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


COUPON_TEMPLATE_ITEM = DerivedTable(
    "redcdm", "dwd_ecm_mkt_coupon_template_item_df",
    model=CouponTemplateItem,
    grain=("coupon_template_id", "goods_id"),
    group=GROUP,
    layer="dwd",
    what="Goods each online coupon template can be used on (platform-wide templates are not expanded)",
    chinese_name="薯券模版可用商品表",
    inputs={
        "limits": Upstream(ods.COUPON_LIMIT_MYSQL),
        "templates": Upstream(COUPON_TEMPLATE_DAY),
        "goods": Upstream(GOODS, 1, ("goods_id", "seller_id")),
    },
    compute=template_items,
    bounded=True,
    planned=True,
)
