"""Interactive-marketing (phoenix) task completions: do a task, get a benefit, with the
template a coupon reward offers."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.coupon import ods
from marketing_assets.domains.coupon.templates import COUPON_TEMPLATE_DAY
from marketing_assets.table import TableModel, partition_day

GROUP = "coupon"


class PhoenixTaskDetail(TableModel):
    """A completed interactive-marketing task with the offered template's attributes."""

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
    dt: pl.Date = partition_day()


def phoenix_detail(day: dt.date, tasks: pl.DataFrame, templates: pl.DataFrame) -> pl.DataFrame:
    """The day's task completions with the offered template's type, channel and face value."""
    attrs = templates.select(
        "coupon_template_id", "coupon_type", "channel_type", "discount_amount"
    )
    return tasks.join(attrs, on="coupon_template_id", how="left", maintain_order="left")


PHOENIX_DETAIL = DerivedTable(
    "redcdm", "dwd_ecm_mkt_nteract_service_phoenix_task_complete_detail_df",
    model=PhoenixTaskDetail,
    grain=("task_complete_id",),
    group=GROUP,
    layer="dwd",
    what="Interactive-marketing task completions (do a task, get a benefit) with the offered template",
    chinese_name="互动营销触发明细",
    inputs={
        "tasks": Upstream(ods.PHOENIX_LOG),
        "templates": Upstream(COUPON_TEMPLATE_DAY),
    },
    compute=phoenix_detail,
    planned=True,
)
