"""ODS tables of the growth platform (用增 / 智能营销)."""

from __future__ import annotations

from marketing_assets.domains.growth import models
from marketing_assets.landing.spec import OdsKind, OdsSpec, SourceFormat

DOMAIN = "growth"
SPECS = [
    OdsSpec(
        table="ods_binlog_fls_usergrowth__egrowth_main_user_strategy_execution_di",
        domain=DOMAIN,
        fmt=SourceFormat.BINLOG,
        kind=OdsKind.EVENTS,
        model=models.StrategyExecution,
        key=("execution_id", "user_id"),
        description="Growth-platform strategy executions (every trigger), binlog events",
        chinese_name="用户策略执行表",
        source_system="growth platform MySQL egrowth_main.user_strategy_execution binlog",
    ),
    OdsSpec(
        table="ods_egrowth_main_trigger_df",
        domain=DOMAIN,
        fmt=SourceFormat.CSV,
        model=models.Trigger,
        key=("trigger_id",),
        description="Triggers (user behaviours that fire strategies), full dump",
        chinese_name="触发点",
        source_system="growth platform MySQL egrowth_main.triggger",
    ),
    OdsSpec(
        table="ods_egrowth_main_bizscene_df",
        domain=DOMAIN,
        fmt=SourceFormat.CSV,
        model=models.BizScene,
        key=("biz_scene_id",),
        description="Business scenes benefits are triggered in, full dump",
        chinese_name="业务场景",
        source_system="growth platform MySQL egrowth_main.bizscene",
    ),
    OdsSpec(
        table="ods_egrowth_main_rainbow_crowd_config_df",
        domain=DOMAIN,
        fmt=SourceFormat.CSV,
        model=models.RainbowCrowdConfig,
        key=("crowd_id",),
        description="Target crowds of strategies, full dump",
        chinese_name="活动人群配置表",
        source_system="growth platform MySQL egrowth_main.rainbow_crowd_config",
    ),
]
