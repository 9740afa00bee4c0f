"""Campaign supply: sign-ups and audits per activity × sub-activity (and per activity), from
the day's goods sign-up detail. ``day`` is the partition day."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.campaign.ods import ACTIVITY_TYPES, SUB_TYPES
from marketing_assets.domains.campaign.participate_goods import PARTICIPATE_GOODS
from marketing_assets.domains.campaign.relation import ACTIVITY_RELATION, GROUP
from marketing_assets.metrics import ratio
from marketing_assets.table import TableModel, partition_day


class ActivitySupply(TableModel):
    """Campaign supply: one row per activity × sub-activity and one per activity."""

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
    dt: pl.Date = partition_day()


_COUNTS = [
    f"{what}_{who}_cnt{suffix}"
    for what, suffix in (("signup", ""), ("approved", ""), ("rejected", ""), ("pending", ""),
                         ("signup", "_1d"), ("approved", "_1d"))
    for who in ("goods", "seller")
]


def _supply_counts(detail: pl.DataFrame, day: dt.date, keys: list[str]) -> pl.DataFrame:
    status = pl.col("audit_status")
    filters = {
        "signup": pl.lit(True),
        "approved": status == "approved",
        "rejected": status == "rejected",
        "pending": status == "pending",
        "signup_1d": pl.col("signup_date") == day,
        "approved_1d": (status == "approved") & (pl.col("audit_date") == day),
    }
    aggs = []
    for name, cond in filters.items():
        what, _, suffix = name.partition("_")
        suffix = f"_{suffix}" if suffix else ""
        for who, column in (("goods", "goods_id"), ("seller", "seller_id")):
            aggs.append(pl.col(column).filter(cond).n_unique().cast(pl.Int64).alias(f"{what}_{who}_cnt{suffix}"))
    # sign-ups (goods × sub-activity) for the approval rate
    aggs += [
        (status == "approved").sum().cast(pl.Int64).alias("_approved"),
        status.is_in(["approved", "rejected"]).sum().cast(pl.Int64).alias("_audited"),
    ]
    return detail.group_by(keys).agg(aggs)


def activity_supply(day: dt.date, goods: pl.DataFrame, relation: pl.DataFrame) -> pl.DataFrame:
    """Sign-up supply per activity × sub-activity (one row per sub-activity of the day's
    collection) and per activity (sub_activity_id null: distinct goods and sellers over its
    sub-activities, so a goods approved in one sub-activity and rejected in another counts
    in both states and the states need not add up to the signed-up total). Zero rows for
    sub-activities nobody signed up to.

    ``goods``: the day's participate-goods detail (latest sign-up per goods × sub-activity).
    """
    names = relation.select(
        "activity_id", "sub_activity_id", "activity_name", "activity_type", "sub_activity_name", "sub_type"
    )
    activities = names.unique("activity_id", keep="first", maintain_order=True).select(
        "activity_id", pl.lit(None, pl.Int64).alias("sub_activity_id"), "activity_name", "activity_type",
        pl.lit(None, pl.String).alias("sub_activity_name"), pl.lit(None, pl.String).alias("sub_type"),
    )
    frame = pl.concat([names, activities], how="vertical_relaxed")
    keys = ["activity_id", "sub_activity_id"]
    per_sub = _supply_counts(goods, day, keys)
    per_activity = _supply_counts(goods, day, ["activity_id"]).with_columns(
        sub_activity_id=pl.lit(None, pl.Int64)
    )
    counts = pl.concat([per_sub, per_activity.select(per_sub.columns)], how="vertical_relaxed")
    return (
        frame.join(counts, on=keys, how="left", nulls_equal=True, maintain_order="left")
        .with_columns([pl.col(c).fill_null(0) for c in [*_COUNTS, "_approved", "_audited"]])
        .with_columns(approve_rate=ratio("_approved", "_audited"))
        .drop("_approved", "_audited")
    )


def _supply_headline(frame: pl.DataFrame) -> dict:
    totals = frame.filter(pl.col("sub_activity_id").is_null())
    return {
        "activities": totals.height,
        "sub_activities": frame.height - totals.height,
        "signup_goods_cnt": int(totals["signup_goods_cnt"].sum()),
        "approved_goods_cnt": int(totals["approved_goods_cnt"].sum()),
        "signup_goods_cnt_1d": int(totals["signup_goods_cnt_1d"].sum()),
    }


_SIGNUP_STATE = (("goods", "audit_status"), ("goods", "signup_date"), ("goods", "audit_date"))
_SUPPLY_LINEAGE = {
    f"{state}_{who}_cnt{suffix}": ((("goods", f"{who}_id"),) + _SIGNUP_STATE)
    for state in ("signup", "approved", "rejected", "pending")
    for who in ("goods", "seller")
    for suffix in ("", "_1d")
} | {"approve_rate": (("goods", "audit_status"),)}


ACTIVITY_SUPPLY = DerivedTable(
    "redcdm", "dm_ecm_mkt_activity_supply_1d_di",
    model=ActivitySupply,
    grain=("activity_id", "sub_activity_id"),
    group=GROUP,
    layer="dm",
    what=(
        "Campaign supply as of dt per activity × sub-activity (sub_activity_id null: the "
        "activity total, distinct over its sub-activities): distinct goods and sellers "
        "signed up, approved, rejected and pending (by the latest sign-up's audit state), "
        "signed up on dt and approved on dt, and the approval rate of the audited "
        "sign-ups. Every sub-activity of the day's collection has a row (zeros when "
        "nothing is signed up)"
    ),
    chinese_name="活动报名供给汇总",
    inputs={
        "goods": Upstream(
            PARTICIPATE_GOODS, 1,
            ("goods_id", "sub_activity_id", "activity_id", "seller_id", "audit_status",
             "signup_date", "audit_date"),
        ),
        "relation": Upstream(ACTIVITY_RELATION),
    },
    compute=activity_supply,
    headline=_supply_headline,
    lineage=_SUPPLY_LINEAGE,
)
