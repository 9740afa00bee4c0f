"""Coupon and surprise-box triggers (old model): one row per offered template, from the
growth platform's coupon offers and the phoenix tasks that reward a coupon or a surprise
box. Computed in DuckDB (as large as a day's coupon offers)."""

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Sql, Upstream
from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON
from marketing_assets.domains.coupon.phoenix import PHOENIX_DETAIL
from marketing_assets.table import TableModel, partition_day

GROUP = "coupon"


class CouponTrigger(TableModel):
    """A coupon (or surprise box) offered to a user by a growth execution or a task."""

    execution_id: pl.String = pa.Field(
        description="growth execution id, or 'phoenix:<task_complete_id>' for a task"
    )
    coupon_template_id: pl.Int64 = pa.Field(description="template offered")
    trigger_source: pl.String = pa.Field(isin=["growth_platform", "phoenix"], description="who triggered")
    benefit_type: pl.String = pa.Field(description="coupon or surprise_box")
    user_id: pl.String = pa.Field(description="user offered the coupon")
    trigger_time: pl.Datetime("us") = pa.Field(description="triggered")
    coupon_id: pl.Int64 = pa.Field(nullable=True, description="coupon claimed from the offer (growth)")
    dt: pl.Date = partition_day()


#: the day's triggers: the growth platform's coupon offers (blank group has none) and the
#: phoenix tasks that reward a coupon or a surprise box
COUPON_TRIGGERS_SQL = """
SELECT CAST(execution_id AS VARCHAR) AS execution_id, coupon_template_id,
       'growth_platform' AS trigger_source, 'coupon' AS benefit_type, user_id,
       execute_time AS trigger_time, coupon_id
FROM offers
UNION ALL
SELECT 'phoenix:' || task_complete_id, coupon_template_id, 'phoenix', benefit_type, user_id,
       complete_time, CAST(NULL AS BIGINT)
FROM tasks
WHERE coupon_template_id IS NOT NULL AND benefit_type IN ('coupon', 'surprise_box')
"""

COUPON_TRIGGER = DerivedTable(
    "redcdm", "dwd_ecm_marketing_coupon_trigger_di",
    model=CouponTrigger,
    grain=("execution_id", "coupon_template_id"),
    group=GROUP,
    layer="dwd",
    what=(
        "Coupon and surprise-box triggers (old model): growth-platform coupon offers and "
        "phoenix tasks, one row per offered template"
    ),
    chinese_name="营销发券触发明细",
    inputs={
        "offers": Upstream(EXECUTION_COUPON, 1, (
            "execution_id", "coupon_template_id", "user_id", "execute_time", "coupon_id")),
        "tasks": Upstream(PHOENIX_DETAIL, 1, (
            "task_complete_id", "coupon_template_id", "benefit_type", "user_id", "complete_time")),
    },
    compute=Sql(COUPON_TRIGGERS_SQL),
)
