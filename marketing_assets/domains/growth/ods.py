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
]
