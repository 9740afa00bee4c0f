"""Pandera models of the growth platform's (智能营销, MySQL egrowth_main) source tables."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


class StrategyExecution(pa.DataFrameModel):
    """``egrowth_main.user_strategy_execution``: one trigger of a strategy for a user."""

    execution_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="execution id")
    user_id: pl.String = pa.Field(description="triggered user")
    trigger_id: pl.Int64 = pa.Field(description="trigger (用户行为) that fired")
    biz_scene_id: pl.Int64 = pa.Field(description="business scene (cart, note, order page…)")
    strategy_id: pl.Int64 = pa.Field(description="strategy (scene × rule × experiment)")
    launch_plan_id: pl.Int64 = pa.Field(description="launch plan the strategy belongs to")
    trigger_point_id: pl.Int64 = pa.Field(description="touch point shown")
    prize_pool_id: pl.Int64 = pa.Field(description="prize pool (权益池) drawn from")
    container_name: pl.String = pa.Field(description="container style shown to the user")
    experiment_group: pl.String = pa.Field(description="experiment group; 'blank' = control")
    benefit_info: pl.String = pa.Field(
        metadata={"json": True}, description="JSON list of the benefits offered"
    )
    execute_time: pl.Datetime("us") = pa.Field(description="triggered at")

    class Config:
        strict = True
        coerce = True
