"""Strategy executions (the funnel spine): every trigger of the growth platform landed on the
day, joined with its trigger, business scene and crowd, computed in DuckDB SQL
(``derived.Sql``: a large day's executions do not fit in memory several times over).

Blank-control groups: an execution of the blank group is a trigger that offered nothing
(``benefit_info`` = ``[]``). It stays in this table with ``is_blank`` true, so a strategy's
control population is counted here (uplift = the strategy's conversion minus its blank
group's); every benefit table below it holds offers only, so blank executions have no rows
there.
"""

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Sql, Upstream
from marketing_assets.domains.growth import ods
from marketing_assets.table import TableModel


def landed_dt() -> pa.Field:
    """``dt`` of the tables of executions and their offers."""
    return pa.Field(description="partition day (Asia/Shanghai): the day the execution landed")


class StrategyExecution(TableModel):
    """One strategy execution (one trigger for one user) with its dimensions."""

    execution_id: pl.Int64 = pa.Field(description="execution (one trigger for one user)")
    user_id: pl.String = pa.Field(description="triggered user")
    trigger_id: pl.Int64 = pa.Field(description="trigger")
    trigger_name: pl.String = pa.Field(nullable=True, description="触发名称 (null: trigger unknown)")
    trigger_event: pl.String = pa.Field(nullable=True, description="event code of the trigger")
    biz_scene_id: pl.Int64 = pa.Field(description="business scene")
    scene_name: pl.String = pa.Field(nullable=True, description="business scene name")
    container_name: pl.String = pa.Field(description="container style shown")
    strategy_id: pl.Int64 = pa.Field(description="strategy")
    strategy_name: pl.String = pa.Field(description="strategy name")
    crowd_id: pl.Int64 = pa.Field(description="target crowd")
    crowd_name: pl.String = pa.Field(nullable=True, description="crowd name")
    strategy_label: pl.String = pa.Field(nullable=True, description="crowd label: new, repurchase, churn, activity")
    launch_plan_id: pl.Int64 = pa.Field(description="launch plan")
    launch_plan_name: pl.String = pa.Field(description="launch plan name")
    trigger_point_id: pl.Int64 = pa.Field(description="touch point")
    trigger_point_name: pl.String = pa.Field(description="touch point name")
    prize_pool_id: pl.Int64 = pa.Field(description="prize pool (权益池)")
    prize_rule_name: pl.String = pa.Field(description="prize pool name")
    experiment_group: pl.String = pa.Field(description="experiment group; 'blank' = control")
    is_blank: pl.Boolean = pa.Field(description="blank-control group: triggered, offered nothing")
    benefit_cnt: pl.Int64 = pa.Field(ge=0, description="benefits offered")
    benefit_info: pl.String = pa.Field(description="benefits offered (JSON, as landed)")
    execute_time: pl.Datetime("us") = pa.Field(description="triggered at")
    execute_date: pl.Date = pa.Field(description="trigger day (the funnel cohort)")
    is_late: pl.Boolean = pa.Field(description="landed after its day")
    dt: pl.Date = landed_dt()


#: the executions landed on the day (the latest change event of each: by event time, then
#: file, then line; deleted ones dropped), joined with the trigger, business scene and crowd
#: dimensions
EXECUTIONS_SQL = """
SELECT e.*, t.trigger_name, t.trigger_event, s.scene_name, c.crowd_name, c.strategy_label,
       e.experiment_group = 'blank' AS is_blank,
       json_array_length(e.benefit_info) AS benefit_cnt,
       CAST(e.execute_time AS DATE) AS execute_date
FROM (
    SELECT * EXCLUDE (dt) FROM events
    QUALIFY row_number() OVER (
        PARTITION BY execution_id, user_id
        ORDER BY event_time DESC NULLS LAST, _src_file DESC NULLS LAST, _src_line DESC NULLS LAST
    ) = 1
) AS e
LEFT JOIN (SELECT trigger_id, trigger_name, trigger_event FROM triggers) AS t USING (trigger_id)
LEFT JOIN (SELECT biz_scene_id, scene_name FROM scenes) AS s USING (biz_scene_id)
LEFT JOIN (SELECT crowd_id, crowd_name, strategy_label FROM crowds) AS c USING (crowd_id)
WHERE e.op <> 'd'
"""


def _execution_headline(frame: pl.DataFrame) -> dict:
    return {
        "executions": frame.height,
        "blank_executions": int(frame["is_blank"].sum()),
        "benefits_offered": int(frame["benefit_cnt"].sum()),
    }


EXECUTION = DerivedTable(
    "redcdm", "dwd_ecm_mkt_user_strategy_execution_di",
    model=StrategyExecution,
    grain=("execution_id", "user_id"),
    group=ods.DOMAIN,
    layer="dwd",
    what=(
        "Every growth-platform trigger (strategy execution) landed on dt, joined with "
        "trigger, business scene, container, strategy, crowd label, launch plan, touch "
        "point, prize pool and experiment group. Blank-control executions stay here "
        "(is_blank) so a strategy's control group can be counted for uplift"
    ),
    chinese_name="用户策略执行明细",
    inputs={
        "events": Upstream(ods.EXECUTION_EVENTS),
        "triggers": Upstream(ods.TRIGGER),
        "scenes": Upstream(ods.BIZSCENE),
        "crowds": Upstream(ods.CROWD),
    },
    compute=Sql(EXECUTIONS_SQL, headline_columns=("is_blank", "benefit_cnt")),
    headline=_execution_headline,
)
