"""The benefits each strategy execution offered, parsed out of its ``benefit_info`` (one row
per benefit; an execution offering none has no row), in DuckDB SQL; and what the coupon and
allowance offer tables drawn from them share: the execution's columns every offer carries,
their model's base, the SQL of one kind's offers, their headline."""

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Sql, Upstream
from marketing_assets.domains.growth import ods
from marketing_assets.domains.growth.executions import EXECUTION, landed_dt
from marketing_assets.table import TableModel

#: the columns of an execution every offer table carries
OFFER = ["execution_id", "user_id", "strategy_id", "launch_plan_id", "biz_scene_id",
         "prize_pool_id", "experiment_group", "execute_time", "execute_date"]
OFFER_SQL = ", ".join(OFFER)


class Offer(TableModel):
    """The execution's columns of an offer (the base of the offer tables' models)."""

    execution_id: pl.Int64 = pa.Field(description="execution")
    user_id: pl.String = pa.Field(description="triggered user")
    strategy_id: pl.Int64 = pa.Field(description="strategy")
    launch_plan_id: pl.Int64 = pa.Field(description="launch plan")
    biz_scene_id: pl.Int64 = pa.Field(description="business scene")
    prize_pool_id: pl.Int64 = pa.Field(description="prize pool of the execution")
    experiment_group: pl.String = pa.Field(description="experiment group")
    execute_time: pl.Datetime("us") = pa.Field(description="triggered at")
    execute_date: pl.Date = pa.Field(description="trigger day (cohort)")


class ExecutionBenefit(Offer):
    """One benefit an execution offered."""

    benefit_entity_type: pl.String = pa.Field(description="coupon or allowance")
    benefit_entity_id: pl.Int64 = pa.Field(description="template offered")
    benefit_id: pl.Int64 = pa.Field(description="prize pool the benefit was drawn from")
    instance_id: pl.Int64 = pa.Field(nullable=True, description="coupon or allowance claimed; null: not claimed")
    dt: pl.Date = landed_dt()


#: DuckDB type of ``benefit_info``: a list of ``BENEFIT``
BENEFITS_JSON = (
    '[{"benefit_entity_type": "VARCHAR", "benefit_entity_id": "BIGINT",'
    ' "benefit_id": "BIGINT", "instance_id": "BIGINT"}]'
)

#: one row per benefit offered (an execution offering none has no row)
BENEFITS_SQL = f"""
SELECT {OFFER_SQL}, b.benefit_entity_type, b.benefit_entity_id, b.benefit_id, b.instance_id
FROM (SELECT {OFFER_SQL}, unnest(from_json(benefit_info, '{BENEFITS_JSON}')) AS b FROM executions)
"""


def offers_sql(kind: str, template: str, instance: str, attrs: tuple[str, ...]) -> str:
    """The ``kind`` offers of non-blank groups, with their template's ``attrs``."""
    return f"""
SELECT o.*, {", ".join(f"t.{a}" for a in attrs)}
FROM (
    SELECT {OFFER_SQL}, benefit_entity_id AS {template}, instance_id AS {instance},
           instance_id IS NOT NULL AS is_claimed
    FROM benefits WHERE benefit_entity_type = '{kind}' AND experiment_group <> 'blank'
) AS o
LEFT JOIN (SELECT {template}, {", ".join(attrs)} FROM templates) AS t USING ({template})
"""


def offer_headline(frame: pl.DataFrame) -> dict:
    claimed = int(frame["is_claimed"].sum())
    return {
        "triggered": frame.height,
        "claimed": claimed,
        "claim_rate": round(claimed / frame.height, 4) if frame.height else None,
    }


EXECUTION_BENEFIT = DerivedTable(
    "redcdm", "dwd_ecm_mkt_user_strategy_execution_benefit_di",
    model=ExecutionBenefit,
    grain=("user_id", "execution_id", "benefit_entity_type", "benefit_entity_id", "benefit_id"),
    group=ods.DOMAIN,
    layer="dwd",
    what="Benefits offered by each trigger, parsed out of the execution's benefit_info",
    chinese_name="用户策略执行权益明细",
    inputs={"executions": Upstream(EXECUTION, 1, (*OFFER, "benefit_info"))},
    compute=Sql(BENEFITS_SQL),
)
