"""Promotion groups (促销活动组): the group dimension, each group's latest known state, and
the helpers every promotion table shares (the latest row of a changing config, a group
live on a day, the promotion type as text).

Definitions of the promotion tables:
- a promotion is a target (sku, goods or a whole seller) added to a promotion group; its
  benefit rule has one row per tier;
- config state: the target and benefit ODS tables only hold the rows inserted or updated on
  their landing day, so the state on ``day`` is the latest row of each key (by update_time)
  over the look-back (``LOOKBACK_DAYS``, 600 days). Config untouched for longer than the
  look-back drops out of the dimensions. Groups land whole every day but are deleted from
  the source 45 days after their end; the group state is likewise the latest row per group
  over the look-back, so an archived group keeps its last known state (its promotions keep
  their group and type in the 500-day use fact).
Money in integer fen; datetimes Asia/Shanghai wall clock; every table ends with its
partition ``dt``; ``day`` is the partition day.
"""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream, latest_by_key
from marketing_assets.domains.promotion.ods import GROUP_ODS, PROMOTION_TYPES
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.partitions import FIRST_DAY
from marketing_assets.table import TableModel, partition_day

GROUP = "promotion"
#: a group's changed row is read from the dumps of this many days after its update_time
#: (a missed or late dump still catches it)
GROUP_SLACK_DAYS = 7

PROMOTION_TYPE_NAMES = {
    "super_single": "super single-item 超级单品",
    "single": "single-item 单品",
    "multi": "multi-item 多件",
    "interest_free": "interest-free 分期免息",
}


class _GroupColumns(TableModel):
    group_id: pl.Int64 = pa.Field(description="promotion group (活动组)")
    group_name: pl.String = pa.Field(description="name shown in Ark / Hawkeye")
    owner_type: pl.String = pa.Field(isin=["seller", "platform"], description="who set it up")
    seller_id: pl.String = pa.Field(nullable=True, description="owning seller; null: platform group")
    promotion_type: pl.String = pa.Field(
        isin=PROMOTION_TYPES, description="super_single 超级单品, single 单品, multi 多件, interest_free 分期免息"
    )
    promotion_type_name: pl.String = pa.Field(description="promotion_type as text (unknown code: 'type <code>')")
    store_wide: pl.Boolean = pa.Field(description="covers the whole store minus its blacklist")
    start_time: pl.Datetime("us") = pa.Field(description="starts")
    end_time: pl.Datetime("us") = pa.Field(description="ends")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    is_live: pl.Boolean = pa.Field(description="online and running on dt (start_time .. end_time meets dt)")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated (of the state shown)")


class PromotionGroupDay(_GroupColumns):
    """The promotion group dimension: one row per group, its latest known state."""

    dt: pl.Date = partition_day()


# ---- shared by the promotion tables ---------------------------------------------------------
def code_name(column: str, names: dict[str, str], unknown: str) -> pl.Expr:
    """The readable name of a code column (``unknown <code>`` for a code not in ``names``)."""
    code = pl.col(column)
    return code.replace_strict(names, default=None, return_dtype=pl.String).fill_null(
        pl.concat_str(pl.lit(f"{unknown} "), code)
    )


def promotion_type_name() -> pl.Expr:
    """promotion_type as text; an unknown code reads 'type <code>'."""
    return code_name("promotion_type", PROMOTION_TYPE_NAMES, "type").alias("promotion_type_name")


def latest(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """The latest row of each ``key`` by update_time (ties: the later landing, file, line)."""
    return latest_by_key(frame, key, "update_time")


def is_live(day: dt.date, status: str = "status") -> pl.Expr:
    """Online (status 1) and running on ``day``: started before its end, ends on or after its start."""
    start = dt.datetime.combine(day, dt.time())
    return (
        (pl.col(status) == 1)
        & (pl.col("start_time") < start + dt.timedelta(days=1))
        & (pl.col("end_time") >= start)
    )


# ---- the group dimension --------------------------------------------------------------------
def group_day(day: dt.date, groups: pl.DataFrame) -> pl.DataFrame:
    """Every group's latest known state. ``groups``: the dumps of the look-back (the rows
    changed near their landing day, see ``_GROUP_CHANGES``)."""
    return latest(groups, ["group_id"]).with_columns(
        promotion_type_name(), is_live=is_live(day)
    )


#: group rows worth reading from 600 daily dumps: the first dump, of the first partition day
#: (groups set up before the warehouse began), and each group's rows of the days just after
#: a change (its new state); a filter reads only its window, never the table's first day
_GROUP_CHANGES = (
    f"update_time >= dt - INTERVAL {GROUP_SLACK_DAYS} DAY "
    f"OR dt = DATE '{FIRST_DAY}'"
)


def _live_headline(frame: pl.DataFrame) -> dict:
    live = frame.filter("is_live")
    return {"live": live.height}


GROUP_DAY = DerivedTable(
    "reddw", "dw_trd_promotion_group_day",
    model=PromotionGroupDay,
    grain=("group_id",),
    group=GROUP,
    layer="dw",
    what=(
        "Promotion group dimension: each group's latest known state (name, owner, promotion "
        "type, store-wide, start/end, status, live on dt) over the 600-day look-back; groups "
        "deleted from the source (45 days after their end) keep their last state, groups "
        "untouched for longer than the look-back drop out"
    ),
    chinese_name="促销活动组维表",
    inputs={"groups": Upstream(GROUP_ODS, LOOKBACK_DAYS, where=_GROUP_CHANGES)},
    compute=group_day,
    bounded=True,
    planned=True,
    headline=_live_headline,
)
