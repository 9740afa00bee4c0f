"""The goods sign-up detail: per goods × campaign sub-activity, its latest sign-up as of dt
with its audit and the sub-activity's, activity's and goods' attributes.

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

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream, latest_by_key
from marketing_assets.domains.trade.ods import GOODS
from marketing_assets.domains.campaign.ods import ACTIVITY_TYPES, AUDIT_STATUSES, CAMPAIGN_ITEM, SUB_TYPES
from marketing_assets.domains.campaign.relation import ACTIVITY_RELATION, GROUP
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.table import TableModel, partition_day

_SIGNUP_COLUMNS = (
    "signup_id", "sub_activity_id", "activity_id", "goods_id", "seller_id", "audit_status",
    "signup_time", "audit_time", "update_time", "_src_file", "_src_line",
)


class ParticipateGoods(TableModel):
    """Goods sign-ups to campaign sub-activities: one row per goods × sub-activity."""

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
    dt: pl.Date = partition_day()


def participate_goods(
    day: dt.date, signups: pl.DataFrame, relation: pl.DataFrame, goods: pl.DataFrame
) -> pl.DataFrame:
    """Goods × sub-activity as of ``day``: the latest sign-up (state as of ``day``) with
    its audit, the sub-activity and activity attributes and the goods' industry and
    category.

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


def _goods_headline(frame: pl.DataFrame) -> dict:
    status = frame["audit_status"].value_counts()
    return {
        "signed_up_goods": frame["goods_id"].n_unique(),
        **{f"{s}_signups": int(n) for s, n in status.iter_rows()},
        "resubmitted_signups": int((frame["signup_cnt"] > 1).sum()),
    }


PARTICIPATE_GOODS = DerivedTable(
    "redcdm", "dwd_ecm_mkt_activity_participate_goods_dtl_1d_df",
    model=ParticipateGoods,
    grain=("goods_id", "sub_activity_id"),
    group=GROUP,
    layer="dwd",
    what=(
        "Goods sign-ups to campaign sub-activities as of dt: per goods and sub-activity "
        "the latest sign-up (a goods re-submitted after a rejection: the latest wins; "
        "signup_cnt counts all) with its audit status and times, the sub-activity's and "
        "activity's names, types and windows and the goods' industry and category. The "
        "sign-up log lands only changed sign-ups: a sign-up's state is its latest row by "
        f"update_time over the last {LOOKBACK_DAYS} days, so sign-ups untouched for longer "
        "drop out; sign-ups of sub-activities no longer in the collection are left out"
    ),
    chinese_name="活动报名商品明细",
    inputs={
        "signups": Upstream(CAMPAIGN_ITEM, LOOKBACK_DAYS, _SIGNUP_COLUMNS),
        "relation": Upstream(ACTIVITY_RELATION),
        "goods": Upstream(GOODS, 1, ("goods_id", "industry", "category")),
    },
    compute=participate_goods,
    bounded=True,
    headline=_goods_headline,
)
