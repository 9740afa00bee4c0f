"""The activity ↔ sub-activity relation: every sub-activity of the day's listings collection
(venue, discount, presale, coupon) with its parent campaign (大促活动). The activity and
sub-activity collections land whole every day: the day's rows are the activities and
sub-activities as of ``day`` (the listings system keeps an ended activity for a while, then
removes it). Datetimes Asia/Shanghai wall clock; ``day`` is the partition day."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.campaign.ods import ACTIVITY, ACTIVITY_TYPES, SUB_ACTIVITY, SUB_TYPES
from marketing_assets.table import TableModel, partition_day

GROUP = "campaign"


class ActivitySubActivityRelation(TableModel):
    """Activity ↔ sub-activity relation: one row per sub-activity."""

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
    dt: pl.Date = partition_day()


def activity_relation(day: dt.date, activities: pl.DataFrame, subs: pl.DataFrame) -> pl.DataFrame:
    """Every sub-activity of the day's collection with its parent activity (activity
    columns null when the parent is missing)."""
    parent = activities.select(
        "activity_id", "activity_name", "activity_type", "signup_start", "signup_end",
        pl.col("start_time").alias("activity_start_time"),
        pl.col("end_time").alias("activity_end_time"),
        pl.col("status").alias("activity_status"),
        "gmv_target", "budget",
    )
    return subs.select(
        "sub_activity_id", "sub_activity_name", "sub_type",
        pl.col("start_time").alias("sub_start_time"),
        pl.col("end_time").alias("sub_end_time"),
        pl.col("status").alias("sub_status"),
        "activity_id",
    ).join(parent, on="activity_id", how="left", maintain_order="left")


ACTIVITY_RELATION = DerivedTable(
    "redcdm", "dim_trd_activity_sub_activity_relation_day",
    model=ActivitySubActivityRelation,
    grain=("sub_activity_id",),
    group=GROUP,
    layer="dim",
    what=(
        "Activity ↔ sub-activity relation as of dt: every sub-activity of the listings "
        "system's collection (venue, discount, presale, coupon) with its name, type, "
        "window and status, and its parent activity's name, type, sign-up and sale "
        "windows, status, GMV target and budget (null when the parent is missing)"
    ),
    chinese_name="活动与子活动关系维表",
    inputs={
        "activities": Upstream(ACTIVITY),
        "subs": Upstream(SUB_ACTIVITY),
    },
    compute=activity_relation,
    bounded=True,
    planned=True,
)
