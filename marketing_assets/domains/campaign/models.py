"""Pandera models of the listings system (campaigns, Mongo 35001). Money in fen."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel


class Activity(TableModel):
    """``activity``: a platform campaign (618, 双11, monthly themes)."""

    activity_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="activity id")
    activity_name: pl.String = pa.Field(description="name")
    activity_type: pl.String = pa.Field(
        isin=["618", "1111", "monthly", "new_product"], description="kind"
    )
    signup_start: pl.Datetime("us") = pa.Field(description="merchant sign-up opens")
    signup_end: pl.Datetime("us") = pa.Field(description="merchant sign-up closes")
    start_time: pl.Datetime("us") = pa.Field(description="sale starts")
    end_time: pl.Datetime("us") = pa.Field(description="sale ends")
    gmv_target: pl.Int64 = pa.Field(ge=0, description="GMV target, fen")
    budget: pl.Int64 = pa.Field(ge=0, description="cost budget, fen")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class SubActivity(TableModel):
    """``sub_activity``: a sub-activity (venue, discount, presale…) of an activity."""

    sub_activity_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="sub-activity id")
    activity_id: pl.Int64 = pa.Field(description="parent activity")
    sub_activity_name: pl.String = pa.Field(description="name")
    sub_type: pl.String = pa.Field(isin=["discount", "presale", "coupon", "venue"], description="kind")
    start_time: pl.Datetime("us") = pa.Field(description="starts")
    end_time: pl.Datetime("us") = pa.Field(description="ends")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class CampaignItem(TableModel):
    """``campaign_item``: goods signed up to a sub-activity, with its audit."""

    signup_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="sign-up id")
    sub_activity_id: pl.Int64 = pa.Field(description="sub-activity")
    activity_id: pl.Int64 = pa.Field(description="activity")
    goods_id: pl.Int64 = pa.Field(description="goods signed up")
    seller_id: pl.String = pa.Field(description="seller")
    audit_status: pl.String = pa.Field(
        isin=["pending", "approved", "rejected"], description="audit state"
    )
    signup_time: pl.Datetime("us") = pa.Field(description="signed up")
    audit_time: pl.Datetime("us") = pa.Field(nullable=True, description="audited")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")
