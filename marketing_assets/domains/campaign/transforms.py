"""Campaign (大促活动) transforms: pure polars, one day at a time (``day`` is the partition day).

Sources and definitions:
- the activity and sub-activity collections land whole every day: the day's rows are the
  activities and sub-activities as of ``day`` (the listings system keeps an ended activity
  for a while, then removes it);
- the sign-up log (``campaign_item``) lands only the sign-ups inserted or updated that day.
  A sign-up's state as of ``day`` is its latest row by ``update_time`` over the look-back
  window the table reads (ties: the later landing day, file and line): a sign-up untouched
  for longer than the look-back drops out;
- a goods may be signed up to a sub-activity more than once (re-submitted after a
  rejection): the latest sign-up (by ``signup_time``, then ``signup_id``) is the goods'
  participation and its audit state the goods' state; ``signup_cnt`` counts them all;
- sign-ups whose sub-activity is not in the day's sub-activity collection (removed) are
  left out: the tables describe the campaigns the listings system still holds.
"""

import datetime as dt

import polars as pl

from marketing_assets.derived import latest_by_key
from marketing_assets.metrics import ratio

AUDIT_STATUSES = ("approved", "rejected", "pending")


# ---- DIM -----------------------------------------------------------------------------------
def activity_relation(day: dt.date, activities: pl.DataFrame, subs: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dim_trd_activity_sub_activity_relation_day: every sub-activity of the day's
    collection with its parent activity (activity columns null when the parent is missing)."""
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


# ---- DWD -----------------------------------------------------------------------------------
def participate_goods(
    day: dt.date, signups: pl.DataFrame, relation: pl.DataFrame, goods: pl.DataFrame
) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_activity_participate_goods_dtl_1d_df: goods × sub-activity as of
    ``day``: the latest sign-up (state as of ``day``) with its audit, the sub-activity and
    activity attributes and the goods' industry and category.

    ``signups``: the sign-up log rows of the look-back window; ``relation``: the day's
    activity ↔ sub-activity relation; ``goods``: the day's goods dump.
    """
    state = latest_by_key(signups, ["signup_id"], "update_time")
    key = ["goods_id", "sub_activity_id"]
    state = state.with_columns(signup_cnt=pl.len().over(key).cast(pl.Int64))
    latest = state.sort([*key, "signup_time", "signup_id"]).unique(key, keep="last", maintain_order=True)
    subs = relation.select(
        "sub_activity_id", "sub_activity_name", "sub_type", "sub_start_time", "sub_end_time",
        pl.col("activity_id").alias("_relation_activity_id"),
        "activity_name", "activity_type", "activity_start_time", "activity_end_time",
    )
    return (
        latest.join(subs, on="sub_activity_id", how="inner", maintain_order="left")
        .join(goods.select("goods_id", "industry", "category"), on="goods_id", how="left", maintain_order="left")
        .select(
            "goods_id", "sub_activity_id", "signup_id", "signup_cnt", "seller_id", "audit_status",
            "signup_time", "audit_time", "update_time",
            pl.col("signup_time").dt.date().alias("signup_date"),
            pl.col("audit_time").dt.date().alias("audit_date"),
            "sub_activity_name", "sub_type", "sub_start_time", "sub_end_time",
            # the relation is the system of record of which activity a sub-activity is in
            pl.coalesce("_relation_activity_id", "activity_id").alias("activity_id"),
            "activity_name", "activity_type", "activity_start_time", "activity_end_time",
            "industry", "category",
        )
    )


# ---- DM ------------------------------------------------------------------------------------
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
    """redcdm.dm_ecm_mkt_activity_supply_1d_di: sign-up supply per activity × sub-activity
    (one row per sub-activity of the day's collection) and per activity (sub_activity_id
    null: distinct goods and sellers over its sub-activities, so a goods approved in one
    sub-activity and rejected in another counts in both states and the states need not add
    up to the signed-up total). Zero rows for sub-activities nobody signed up to.

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
