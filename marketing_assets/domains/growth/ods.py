"""ODS tables of the growth platform (用增 / 智能营销, MySQL egrowth_main): their source
specs and the pandera models of the landed records."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from marketing_assets.landing.spec import OdsKind, OdsSpec, SourceFormat
from marketing_assets.table import TableModel

DOMAIN = "growth"


class StrategyExecution(TableModel):
    """``egrowth_main.user_strategy_execution``: one trigger of a strategy for a user."""

    execution_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="execution id")
    user_id: pl.String = pa.Field(description="triggered user")
    trigger_id: pl.Int64 = pa.Field(description="trigger (用户行为) that fired")
    biz_scene_id: pl.Int64 = pa.Field(description="business scene (cart, note, order page…)")
    strategy_id: pl.Int64 = pa.Field(description="strategy (scene × rule × experiment)")
    launch_plan_id: pl.Int64 = pa.Field(description="launch plan the strategy belongs to")
    trigger_point_id: pl.Int64 = pa.Field(description="touch point shown")
    prize_pool_id: pl.Int64 = pa.Field(description="prize pool (权益池) drawn from")
    strategy_name: pl.String = pa.Field(description="strategy name (scene × rule × experiment)")
    launch_plan_name: pl.String = pa.Field(description="launch plan name")
    trigger_point_name: pl.String = pa.Field(description="touch point name")
    prize_rule_name: pl.String = pa.Field(description="prize pool (权益池) name")
    crowd_id: pl.Int64 = pa.Field(description="rainbow crowd the strategy targets")
    container_name: pl.String = pa.Field(description="container style shown to the user")
    experiment_group: pl.String = pa.Field(description="experiment group; 'blank' = control")
    benefit_info: pl.String = pa.Field(
        metadata={"json": True}, description="JSON list of the benefits offered"
    )
    execute_time: pl.Datetime("us") = pa.Field(description="triggered at")


class Trigger(TableModel):
    """``egrowth_main.triggger`` (sic): user behaviours that fire strategies."""

    trigger_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="trigger id")
    trigger_name: pl.String = pa.Field(description="behaviour that fires (触发名称)")
    trigger_event: pl.String = pa.Field(description="event code")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class BizScene(TableModel):
    """``egrowth_main.bizscene``: business scenes benefits are triggered in."""

    biz_scene_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="scene id")
    scene_name: pl.String = pa.Field(description="scene (cart, note, order page…)")
    scene_code: pl.String = pa.Field(description="scene code")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class RainbowCrowdConfig(TableModel):
    """``egrowth_main.rainbow_crowd_config``: target crowds of strategies."""

    crowd_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="crowd id")
    crowd_name: pl.String = pa.Field(description="crowd name")
    strategy_label: pl.String = pa.Field(
        isin=["new", "repurchase", "churn", "activity"],
        description="strategy crowd label: 拉新/复购/流失/活动",
    )
    rule_json: pl.String = pa.Field(metadata={"json": True}, description="crowd rule (JSON)")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


EXECUTION_EVENTS = OdsSpec(
    table="ods_binlog_fls_usergrowth__egrowth_main_user_strategy_execution_di",
    domain=DOMAIN,
    fmt=SourceFormat.BINLOG,
    kind=OdsKind.EVENTS,
    model=StrategyExecution,
    key=("execution_id", "user_id"),
    description="Growth-platform strategy executions (every trigger), binlog events",
    chinese_name="用户策略执行表",
    source_system="growth platform MySQL egrowth_main.user_strategy_execution binlog",
)
TRIGGER = OdsSpec(
    table="ods_egrowth_main_trigger_df",
    domain=DOMAIN,
    fmt=SourceFormat.CSV,
    model=Trigger,
    key=("trigger_id",),
    description="Triggers (user behaviours that fire strategies), full dump",
    chinese_name="触发点",
    source_system="growth platform MySQL egrowth_main.triggger",
)
BIZSCENE = OdsSpec(
    table="ods_egrowth_main_bizscene_df",
    domain=DOMAIN,
    fmt=SourceFormat.CSV,
    model=BizScene,
    key=("biz_scene_id",),
    description="Business scenes benefits are triggered in, full dump",
    chinese_name="业务场景",
    source_system="growth platform MySQL egrowth_main.bizscene",
)
CROWD = OdsSpec(
    table="ods_egrowth_main_rainbow_crowd_config_df",
    domain=DOMAIN,
    fmt=SourceFormat.CSV,
    model=RainbowCrowdConfig,
    key=("crowd_id",),
    description="Target crowds of strategies, full dump",
    chinese_name="活动人群配置表",
    source_system="growth platform MySQL egrowth_main.rainbow_crowd_config",
)
SPECS = [EXECUTION_EVENTS, TRIGGER, BIZSCENE, CROWD]
