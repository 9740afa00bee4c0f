"""Pandera models of the coupon tables above ODS (DW, DWD, DM). Money in integer fen;
datetimes Asia/Shanghai wall clock; every table ends with its partition ``dt``."""

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel

COUPON_KINDS = ["store_coupon", "platform_coupon", "auto_coupon"]
BEARERS = ["merchant", "platform"]


def _dt() -> pa.Field:
    return pa.Field(description="partition day (Asia/Shanghai)")


class CouponTemplateDay(TableModel):
    """reddw.dw_trd_coupon_template_day"""

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
    dt: pl.Date = _dt()


class GoodsCouponDay(TableModel):
    """reddw.dw_trd_goods_coupon_day"""

    coupon_id: pl.Int64 = pa.Field(description="claimed coupon")
    coupon_template_id: pl.Int64 = pa.Field(description="template claimed from")
    user_id: pl.String = pa.Field(description="buyer who claimed it")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of a store coupon")
    claim_channel: pl.String = pa.Field(description="page or system it was claimed through")
    claim_time: pl.Datetime("us") = pa.Field(description="claimed")
    claim_date: pl.Date = pa.Field(description="claim day (claims count by claim day)")
    valid_start_time: pl.Datetime("us") = pa.Field(description="usable from")
    valid_end_time: pl.Datetime("us") = pa.Field(description="usable until")
    status: pl.Int32 = pa.Field(isin=[1, 2, 3, 4], description="1 unused, 2 used, 3 expired, 4 void")
    status_name: pl.String = pa.Field(isin=["unused", "used", "expired", "void"], description="status as text")
    use_time: pl.Datetime("us") = pa.Field(nullable=True, description="used at (as of dt)")
    package_id: pl.String = pa.Field(nullable=True, description="package used on (as of dt)")
    threshold_amount: pl.Int64 = pa.Field(ge=0, description="threshold, fen")
    discount_amount: pl.Int64 = pa.Field(ge=0, description="face value, fen")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="template's type (null: template unknown)")
    limit_type: pl.Int32 = pa.Field(nullable=True, description="template's item limit")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="template's channel")
    cost_bearer: pl.String = pa.Field(nullable=True, description="template's cost bearer")
    dt: pl.Date = _dt()


class CouponTemplateItem(TableModel):
    """redcdm.dwd_ecm_mkt_coupon_template_item_df"""

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
    dt: pl.Date = _dt()


class PhoenixTaskDetail(TableModel):
    """redcdm.dwd_ecm_mkt_nteract_service_phoenix_task_complete_detail_df"""

    task_complete_id: pl.String = pa.Field(description="completion id")
    user_id: pl.String = pa.Field(description="user")
    task_id: pl.Int64 = pa.Field(description="task")
    task_name: pl.String = pa.Field(description="task name")
    benefit_type: pl.String = pa.Field(description="coupon, allowance or surprise_box")
    coupon_template_id: pl.Int64 = pa.Field(nullable=True, description="coupon offered")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="offered template's type")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="offered template's channel")
    discount_amount: pl.Int64 = pa.Field(nullable=True, description="offered face value, fen")
    complete_time: pl.Datetime("us") = pa.Field(description="completed")
    is_late: pl.Boolean = pa.Field(description="landed after its day")
    dt: pl.Date = _dt()


class CouponTrigger(TableModel):
    """redcdm.dwd_ecm_marketing_coupon_trigger_di"""

    execution_id: pl.String = pa.Field(
        description="growth execution id, or 'phoenix:<task_complete_id>' for a task"
    )
    coupon_template_id: pl.Int64 = pa.Field(description="template offered")
    trigger_source: pl.String = pa.Field(isin=["growth_platform", "phoenix"], description="who triggered")
    benefit_type: pl.String = pa.Field(description="coupon or surprise_box")
    user_id: pl.String = pa.Field(description="user offered the coupon")
    trigger_time: pl.Datetime("us") = pa.Field(description="triggered")
    coupon_id: pl.Int64 = pa.Field(nullable=True, description="coupon claimed from the offer (growth)")
    dt: pl.Date = _dt()


class _UseColumns(TableModel):
    coupon_id: pl.Int64 = pa.Field(nullable=True, description="claimed coupon; null for the auto-promoted coupon")
    coupon_template_id: pl.Int64 = pa.Field(description="template")
    coupon_kind: pl.String = pa.Field(isin=COUPON_KINDS, description="store (incl. item), platform or auto-promoted")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="template's type")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="template's channel")
    use_key: pl.String = pa.Field(
        description="what use_cnt counts: the coupon id; an auto-promoted coupon counts once per package"
    )
    package_id: pl.String = pa.Field(description="package")
    goods_id: pl.Int64 = pa.Field(description="goods of the line")
    order_id: pl.String = pa.Field(description="order")
    user_id: pl.String = pa.Field(description="buyer")
    seller_id: pl.String = pa.Field(description="seller of the line")
    pay_time: pl.Datetime("us") = pa.Field(description="paid")
    pay_date: pl.Date = pa.Field(description="pay day (uses count by pay day)")
    quantity: pl.Int64 = pa.Field(gt=0, description="units of the line")
    line_paid_amt: pl.Int64 = pa.Field(ge=0, description="the line's paid amount, fen")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="this coupon's share on the line, fen")
    bearer: pl.String = pa.Field(isin=BEARERS, description="who pays the discount")


class CouponUse(_UseColumns):
    """redcdm.dm_ecm_trd_mkt_activity_coupon_use_df"""

    is_refunded: pl.Boolean = pa.Field(description="line refunded on a later day, as known on dt")
    refund_time: pl.Datetime("us") = pa.Field(nullable=True, description="refunded at (later day)")
    dt: pl.Date = _dt()


class _GetUseColumns(TableModel):

    coupon_id: pl.Int64 = pa.Field(description="claimed coupon")
    coupon_template_id: pl.Int64 = pa.Field(description="template")
    user_id: pl.String = pa.Field(description="claimer")
    coupon_seller_id: pl.String = pa.Field(nullable=True, description="seller of a store coupon")
    claim_channel: pl.String = pa.Field(description="claimed through")
    claim_time: pl.Datetime("us") = pa.Field(description="claimed")
    claim_date: pl.Date = pa.Field(description="claim day")
    valid_end_time: pl.Datetime("us") = pa.Field(description="usable until")
    status: pl.Int32 = pa.Field(description="coupon state as of dt: 1 unused, 2 used, 3 expired, 4 void")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="1 platform, 4 store")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="template's channel")
    cost_bearer: pl.String = pa.Field(nullable=True, description="template's cost bearer")
    threshold_amount: pl.Int64 = pa.Field(ge=0, description="threshold, fen")
    face_amount: pl.Int64 = pa.Field(ge=0, description="face value, fen")
    is_used: pl.Boolean = pa.Field(description="used on a paid line not refunded as of dt")
    package_id: pl.String = pa.Field(nullable=True, description="package used on")
    goods_id: pl.Int64 = pa.Field(nullable=True, description="line used on")
    order_id: pl.String = pa.Field(nullable=True, description="order")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the line used on")
    pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="paid")
    pay_date: pl.Date = pa.Field(nullable=True, description="pay day")
    quantity: pl.Int64 = pa.Field(nullable=True, description="units of the line")
    line_paid_amt: pl.Int64 = pa.Field(nullable=True, description="line's paid amount, fen")
    discount_amt: pl.Int64 = pa.Field(nullable=True, description="coupon's share on the line, fen")
    bearer: pl.String = pa.Field(nullable=True, description="who pays the discount")


class CouponGetUse600d(_GetUseColumns):
    """redcdm.dm_ecm_trd_mkt_activity_coupon_get_use_600d_di"""

    dt: pl.Date = _dt()


class TobCouponGetUse600d(_GetUseColumns):
    """redcdm.dm_ecm_mkt_tob_coupon_get_use_600d_di"""

    merchant_cost_amt: pl.Int64 = pa.Field(nullable=True, description="discount the merchant pays, fen")
    dt: pl.Date = _dt()


class _SellerMetrics(TableModel):
    seller_id: pl.String = pa.Field(description="seller")
    stat_period: pl.Int32 = pa.Field(isin=[1, 7, 30], description="days of the window ending dt")
    claim_cnt: pl.Int64 = pa.Field(ge=0, description="claims of the seller's coupons, by claim day")
    claim_user_cnt: pl.Int64 = pa.Field(ge=0, description="distinct claimers")
    use_cnt: pl.Int64 = pa.Field(ge=0, description="distinct coupons used on the seller's lines, by pay day, net of refunds known on dt")
    use_user_cnt: pl.Int64 = pa.Field(ge=0, description="distinct buyers of those lines")
    pay_amt: pl.Int64 = pa.Field(ge=0, description="paid amount of the distinct lines using a coupon, fen")
    pay_goods_cnt: pl.Int64 = pa.Field(ge=0, description="quantity of those lines")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="coupon discount on those lines, fen")
    merchant_cost_amt: pl.Int64 = pa.Field(ge=0, description="part the merchant pays, fen")
    platform_cost_amt: pl.Int64 = pa.Field(ge=0, description="part the platform pays, fen")
    roi: pl.Float64 = pa.Field(nullable=True, description="pay_amt / discount_amt; null when no discount")
    aov: pl.Int64 = pa.Field(nullable=True, description="pay_amt / use_user_cnt, fen (half up); null when no buyer")
    new_buyer_cnt: pl.Int64 = pa.Field(
        ge=0, description="buyers whose first paid order in the store (600-day look-back) used a coupon on its lines"
    )


class CouponSeller(_SellerMetrics):
    """redcdm.dm_ecm_trd_mkt_coupon_sellerid_nd_di"""

    dt: pl.Date = _dt()


class CouponSellerChannel(_SellerMetrics):
    """redcdm.dm_ecm_trd_mkt_coupon_sellerid_channel_nd_di"""

    channel_type: pl.Int32 = pa.Field(
        nullable=True, description="promotion channel of the template (null: template unknown)"
    )
    dt: pl.Date = _dt()


class CouponSellerTemplate(_SellerMetrics):
    """redcdm.dm_ecm_trd_mkt_coupon_sellerid_templateid_nd_di"""

    coupon_template_id: pl.Int64 = pa.Field(description="template")
    dt: pl.Date = _dt()
