"""Pandera models of the campaign (大促活动) tables above ODS (DIM, DWD, DM). Datetimes
Asia/Shanghai wall clock; every table ends with its partition ``dt``."""

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel

ACTIVITY_TYPES = ["618", "1111", "monthly", "new_product"]
SUB_TYPES = ["discount", "presale", "coupon", "venue"]
AUDIT_STATUSES = ["pending", "approved", "rejected"]


def _dt() -> pa.Field:
    return pa.Field(description="partition day (Asia/Shanghai)")


class ActivitySubActivityRelation(TableModel):
    """redcdm.dim_trd_activity_sub_activity_relation_day"""

    sub_activity_id: pl.Int64 = pa.Field(description="sub-activity (venue, discount, presale, coupon…)")
    sub_activity_name: pl.String = pa.Field(description="sub-activity name")
    sub_type: pl.String = pa.Field(isin=SUB_TYPES, description="sub-activity kind")
    sub_start_time: pl.Datetime("us") = pa.Field(description="sub-activity starts")
    sub_end_time: pl.Datetime("us") = pa.Field(description="sub-activity ends")
    sub_status: pl.Int32 = pa.Field(isin=[1, 2], description="sub-activity 1 online, 2 offline")
    activity_id: pl.Int64 = pa.Field(description="parent activity (campaign)")
    activity_name: pl.String = pa.Field(
        nullable=True, description="activity name (null: parent not in the day's activity collection)"
    )
    activity_type: pl.String = pa.Field(
        nullable=True, isin=ACTIVITY_TYPES, description="activity kind: 618, 1111, monthly, new_product"
    )
    signup_start: pl.Datetime("us") = pa.Field(nullable=True, description="merchant sign-up opens (activity)")
    signup_end: pl.Datetime("us") = pa.Field(nullable=True, description="merchant sign-up closes (activity)")
    activity_start_time: pl.Datetime("us") = pa.Field(nullable=True, description="activity sale starts")
    activity_end_time: pl.Datetime("us") = pa.Field(nullable=True, description="activity sale ends")
    activity_status: pl.Int32 = pa.Field(nullable=True, isin=[1, 2], description="activity 1 online, 2 offline")
    gmv_target: pl.Int64 = pa.Field(nullable=True, ge=0, description="activity GMV target, fen")
    budget: pl.Int64 = pa.Field(nullable=True, ge=0, description="activity cost budget, fen")
    dt: pl.Date = _dt()


class ParticipateGoods(TableModel):
    """redcdm.dwd_ecm_mkt_activity_participate_goods_dtl_1d_df"""

    goods_id: pl.Int64 = pa.Field(description="goods signed up")
    sub_activity_id: pl.Int64 = pa.Field(description="sub-activity signed up to")
    signup_id: pl.Int64 = pa.Field(description="the latest sign-up of the goods to the sub-activity")
    signup_cnt: pl.Int64 = pa.Field(
        ge=1, description="sign-ups of the goods to the sub-activity in the look-back (>1: re-submitted)"
    )
    seller_id: pl.String = pa.Field(description="seller who signed it up")
    audit_status: pl.String = pa.Field(isin=AUDIT_STATUSES, description="audit state of the latest sign-up as of dt")
    signup_time: pl.Datetime("us") = pa.Field(description="latest sign-up submitted")
    audit_time: pl.Datetime("us") = pa.Field(nullable=True, description="audited (null: pending)")
    update_time: pl.Datetime("us") = pa.Field(description="sign-up last updated")
    signup_date: pl.Date = pa.Field(description="day of signup_time")
    audit_date: pl.Date = pa.Field(nullable=True, description="day of audit_time")
    sub_activity_name: pl.String = pa.Field(description="sub-activity name")
    sub_type: pl.String = pa.Field(isin=SUB_TYPES, description="sub-activity kind")
    sub_start_time: pl.Datetime("us") = pa.Field(description="sub-activity starts")
    sub_end_time: pl.Datetime("us") = pa.Field(description="sub-activity ends")
    activity_id: pl.Int64 = pa.Field(description="activity (campaign)")
    activity_name: pl.String = pa.Field(nullable=True, description="activity name")
    activity_type: pl.String = pa.Field(nullable=True, isin=ACTIVITY_TYPES, description="activity kind")
    activity_start_time: pl.Datetime("us") = pa.Field(nullable=True, description="activity sale starts")
    activity_end_time: pl.Datetime("us") = pa.Field(nullable=True, description="activity sale ends")
    industry: pl.String = pa.Field(nullable=True, description="goods' industry (null: goods not in the day's dump)")
    category: pl.String = pa.Field(nullable=True, description="goods' operating category")
    dt: pl.Date = _dt()


class ActivitySupply(TableModel):
    """redcdm.dm_ecm_mkt_activity_supply_1d_di"""

    activity_id: pl.Int64 = pa.Field(description="activity (campaign)")
    sub_activity_id: pl.Int64 = pa.Field(
        nullable=True, description="sub-activity; null: the activity total (distinct over its sub-activities)"
    )
    activity_name: pl.String = pa.Field(nullable=True, description="activity name")
    activity_type: pl.String = pa.Field(nullable=True, isin=ACTIVITY_TYPES, description="activity kind")
    sub_activity_name: pl.String = pa.Field(nullable=True, description="sub-activity name (null on the total)")
    sub_type: pl.String = pa.Field(nullable=True, isin=SUB_TYPES, description="sub-activity kind (null on the total)")
    signup_goods_cnt: pl.Int64 = pa.Field(ge=0, description="distinct goods signed up as of dt (any audit state)")
    signup_seller_cnt: pl.Int64 = pa.Field(ge=0, description="distinct sellers of those goods")
    approved_goods_cnt: pl.Int64 = pa.Field(ge=0, description="distinct goods whose latest sign-up is approved")
    approved_seller_cnt: pl.Int64 = pa.Field(ge=0, description="distinct sellers with an approved goods")
    rejected_goods_cnt: pl.Int64 = pa.Field(ge=0, description="distinct goods whose latest sign-up is rejected")
    rejected_seller_cnt: pl.Int64 = pa.Field(ge=0, description="distinct sellers with a rejected goods")
    pending_goods_cnt: pl.Int64 = pa.Field(ge=0, description="distinct goods whose latest sign-up awaits audit")
    pending_seller_cnt: pl.Int64 = pa.Field(ge=0, description="distinct sellers with a goods awaiting audit")
    signup_goods_cnt_1d: pl.Int64 = pa.Field(ge=0, description="distinct goods whose latest sign-up was submitted on dt")
    signup_seller_cnt_1d: pl.Int64 = pa.Field(ge=0, description="distinct sellers of those goods")
    approved_goods_cnt_1d: pl.Int64 = pa.Field(ge=0, description="distinct goods approved on dt (latest sign-up)")
    approved_seller_cnt_1d: pl.Int64 = pa.Field(ge=0, description="distinct sellers of those goods")
    approve_rate: pl.Float64 = pa.Field(
        nullable=True,
        description=(
            "approved / audited (approved + rejected) latest sign-ups, counted per goods × "
            "sub-activity (on the total: over all its sub-activities); null when none audited"
        ),
    )
    dt: pl.Date = _dt()
