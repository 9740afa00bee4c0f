"""Pandera models of the trade-user tables (交易用户标签)."""

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel

LEVELS = ["platform", "industry", "category", "store"]


class UserNitemLabel(TableModel):
    """redcdm.dim_ecm_user_nitem_label_extend_df"""

    user_id: pl.String = pa.Field(description="buyer")
    level: pl.String = pa.Field(isin=LEVELS, description="platform, industry, operating category or store")
    level_id: pl.String = pa.Field(description="'all' for platform; the industry, category or seller_id")
    first_pay_time: pl.Datetime("us") = pa.Field(description="first paid order at this level")
    first_pay_date: pl.Date = pa.Field(description="day of the first paid order")
    first_order_id: pl.String = pa.Field(
        nullable=True, description="order of the first purchase (null: before the look-back)"
    )
    first_package_id: pl.String = pa.Field(
        nullable=True, description="store level: package of the first purchase in the store"
    )
    last_pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="latest paid order in the look-back")
    customer_type: pl.String = pa.Field(isin=["new", "old"], description="new: first paid order on dt")
    dt: pl.Date = pa.Field(description="snapshot day")

LIFECYCLE = ["new", "active", "silent", "churned", "never_bought"]
USER_LEVELS = ["S", "A", "B", "C"]


class UserLabel(TableModel):
    """redcdm.dim_ecm_user_label_extend_df"""

    user_id: pl.String = pa.Field(description="user")
    register_time: pl.Datetime("us") = pa.Field(description="registered")
    register_days: pl.Int64 = pa.Field(ge=0, description="days since registration, as of dt")
    gender: pl.String = pa.Field(description="gender")
    age_band: pl.String = pa.Field(description="age band")
    city_tier: pl.String = pa.Field(description="city tier")
    member_level: pl.Int32 = pa.Field(ge=0, description="member level (0 = none)")
    is_member: pl.Boolean = pa.Field(description="member_level > 0")
    first_order_time: pl.Datetime("us") = pa.Field(nullable=True, description="first paid order on the platform")
    last_pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="latest paid order in the 600-day look-back")
    lifecycle: pl.String = pa.Field(
        isin=LIFECYCLE,
        description="new: first order on dt; active: paid in the last 30 days; silent: 31-90; churned: over 90; never_bought",
    )
    dt: pl.Date = pa.Field(description="snapshot day")


class UserMetricsDay(TableModel):
    """reddm.dm_trd_user_metrics_day"""

    user_id: pl.String = pa.Field(description="user active on dt (visited or paid)")
    visit_pv: pl.Int64 = pa.Field(ge=0, description="goods page views on dt")
    visit_goods_cnt: pl.Int64 = pa.Field(ge=0, description="distinct goods viewed on dt")
    order_cnt: pl.Int64 = pa.Field(ge=0, description="orders paid on dt (same-day refunds excluded)")
    pay_goods_cnt: pl.Int64 = pa.Field(ge=0, description="units paid on dt")
    pay_amt: pl.Int64 = pa.Field(ge=0, description="paid on dt, fen (same-day refunds excluded)")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="all discounts on those lines, fen")
    coupon_use_cnt: pl.Int64 = pa.Field(ge=0, description="coupons used on those lines")
    coupon_discount_amt: pl.Int64 = pa.Field(ge=0, description="coupon discount on those lines, fen")
    allowance_use_amt: pl.Int64 = pa.Field(ge=0, description="allowance spent on those lines, fen")
    refund_amt: pl.Int64 = pa.Field(ge=0, description="refunds landed on dt (any pay day), fen")
    pay_amt_30d: pl.Int64 = pa.Field(ge=0, description="paid in the 30 days ending dt, net of refunds known on dt, fen")
    first_order_time: pl.Datetime("us") = pa.Field(nullable=True, description="first paid order on the platform")
    last_pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="latest paid order (600-day look-back)")
    is_new_buyer: pl.Boolean = pa.Field(description="first paid order on the platform is on dt (DNB)")
    dt: pl.Date = pa.Field(description="day")


class TocUserLevel(TableModel):
    """redapp.app_ecm_toc_user_level_1d_df"""

    user_id: pl.String = pa.Field(description="buyer with a paid order in the 90 days ending dt")
    pay_amt_30d: pl.Int64 = pa.Field(ge=0, description="paid in 30 days, net of refunds known on dt, fen")
    pay_amt_90d: pl.Int64 = pa.Field(ge=0, description="paid in 90 days, net of refunds known on dt, fen")
    order_cnt_90d: pl.Int64 = pa.Field(ge=0, description="orders in 90 days")
    user_level: pl.String = pa.Field(
        isin=USER_LEVELS, description="S ≥ 3,000 yuan in 90 days; A ≥ 1,000; B ≥ 200; C below"
    )
    dt: pl.Date = pa.Field(description="snapshot day")


class TobUserAlgoLabel(TableModel):
    """redapp.app_ecm_tob_ou_user_algo_label_base_df"""

    user_id: pl.String = pa.Field(description="user active (visited or paid) in dt's month up to dt")
    month: pl.String = pa.Field(description="calendar month, YYYY-MM")
    active_days_mtd: pl.Int64 = pa.Field(ge=1, description="days with a visit or a paid order this month")
    visit_pv_mtd: pl.Int64 = pa.Field(ge=0, description="goods page views this month")
    pay_amt_mtd: pl.Int64 = pa.Field(ge=0, description="paid this month, fen (same-day refunds excluded)")
    top_industry: pl.String = pa.Field(nullable=True, description="industry viewed most this month")
    gender: pl.String = pa.Field(nullable=True, description="gender")
    age_band: pl.String = pa.Field(nullable=True, description="age band")
    city_tier: pl.String = pa.Field(nullable=True, description="city tier")
    member_level: pl.Int32 = pa.Field(nullable=True, description="member level")
    user_level: pl.String = pa.Field(nullable=True, description="S/A/B/C tier of app_ecm_toc_user_level_1d_df; null: no order in 90 days")
    lifecycle: pl.String = pa.Field(nullable=True, description="lifecycle of dim_ecm_user_label_extend_df")
    dt: pl.Date = pa.Field(description="snapshot day")
