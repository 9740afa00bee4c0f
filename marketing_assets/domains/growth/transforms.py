"""Growth-platform transforms (the funnel spine): pure polars, one day at a time.

Blank-control groups: an execution of the blank group is a trigger that offered nothing
(``benefit_info`` = ``[]``). It stays in ``dwd_ecm_mkt_user_strategy_execution_di`` with
``is_blank`` true, so a strategy's control population is counted there (uplift = the
strategy's conversion minus its blank group's); every benefit table below it holds offers
only, so blank executions have no rows there.
"""

import datetime as dt

import polars as pl

from marketing_assets.metrics import LOOKBACK_DAYS, in_period

BENEFIT = pl.Struct(
    {
        "benefit_entity_type": pl.String,
        "benefit_entity_id": pl.Int64,
        "benefit_id": pl.Int64,
        "instance_id": pl.Int64,
    }
)
OFFER = ["execution_id", "user_id", "strategy_id", "launch_plan_id", "biz_scene_id",
         "prize_pool_id", "experiment_group", "execute_time", "execute_date"]


def executions(
    day: dt.date,
    events: pl.DataFrame,
    triggers: pl.DataFrame,
    scenes: pl.DataFrame,
    crowds: pl.DataFrame,
) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_di: the executions landed on ``day``
    (the latest change event of each; deleted ones dropped), joined with the trigger,
    business scene and crowd dimensions."""
    latest = (
        events.sort("event_time", "_src_file", "_src_line")
        .unique(["execution_id", "user_id"], keep="last", maintain_order=True)
        .filter(pl.col("op") != "d")
    )
    benefits = pl.col("benefit_info").str.json_decode(pl.List(BENEFIT))
    return (
        latest.join(triggers.select("trigger_id", "trigger_name", "trigger_event"), on="trigger_id", how="left", maintain_order="left")
        .join(scenes.select("biz_scene_id", "scene_name"), on="biz_scene_id", how="left", maintain_order="left")
        .join(crowds.select("crowd_id", "crowd_name", "strategy_label"), on="crowd_id", how="left", maintain_order="left")
        .with_columns(
            is_blank=pl.col("experiment_group") == "blank",
            benefit_cnt=benefits.list.len().cast(pl.Int64),
            execute_date=pl.col("execute_time").dt.date(),
        )
    )


def benefits(day: dt.date, executions: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_benefit_di: one row per benefit offered."""
    return (
        executions.select(*OFFER, pl.col("benefit_info").str.json_decode(pl.List(BENEFIT)).alias("b"))
        .explode("b", keep_nulls=False, empty_as_null=False)
        .unnest("b")
    )


def coupon_offers(day: dt.date, benefits: pl.DataFrame, templates: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_di: coupon offers of non-blank
    groups; coupon_id is the coupon claimed in the same session (null: not claimed)."""
    attrs = templates.select(
        "coupon_template_id", "coupon_type", "channel_type", "threshold_amount",
        "discount_amount", "cost_bearer",
    )
    return (
        benefits.filter((pl.col("benefit_entity_type") == "coupon") & (pl.col("experiment_group") != "blank"))
        .select(
            *OFFER,
            pl.col("benefit_entity_id").alias("coupon_template_id"),
            pl.col("instance_id").alias("coupon_id"),
            pl.col("instance_id").is_not_null().alias("is_claimed"),
        )
        .join(attrs, on="coupon_template_id", how="left", maintain_order="left")
    )


def allowance_offers(day: dt.date, benefits: pl.DataFrame, templates: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_allowance_di: allowance offers of
    non-blank groups; allowance_id null when not claimed."""
    attrs = templates.select("allowance_template_id", "amount", "step_threshold", "step_discount")
    return (
        benefits.filter((pl.col("benefit_entity_type") == "allowance") & (pl.col("experiment_group") != "blank"))
        .select(
            *OFFER,
            pl.col("benefit_entity_id").alias("allowance_template_id"),
            pl.col("instance_id").alias("allowance_id"),
            pl.col("instance_id").is_not_null().alias("is_claimed"),
        )
        .join(attrs, on="allowance_template_id", how="left", maintain_order="left")
    )


def claimed_coupons(day: dt.date, offers: pl.DataFrame, coupons: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_df: growth coupon offers claimed in
    the last 600 days, with the coupon's state as of ``day``."""
    state = coupons.select("coupon_id", "claim_time", "status", "use_time", "valid_end_time")
    return (
        offers.filter(pl.col("coupon_id").is_not_null() & in_period("dt", day, LOOKBACK_DAYS))
        .select(*OFFER, "coupon_id", "coupon_template_id", pl.col("dt").alias("trigger_dt"))
        .join(state, on="coupon_id", how="left", maintain_order="left")
    )


def claimed_allowances(day: dt.date, offers: pl.DataFrame, allowances: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_allowance_df: growth allowance offers
    claimed in the last 600 days, with balance and state as of ``day``."""
    state = allowances.select("allowance_id", "amount", "balance", "status", "claim_time", "expire_time")
    return (
        offers.filter(pl.col("allowance_id").is_not_null() & in_period("dt", day, LOOKBACK_DAYS))
        .select(*OFFER, "allowance_id", "allowance_template_id", pl.col("dt").alias("trigger_dt"))
        .join(state, on="allowance_id", how="left", maintain_order="left")
    )


def coupon_get_use(day: dt.date, claimed: pl.DataFrame, uses: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df: trigger → claim → use.
    One row per claimed growth coupon and line it was used on (as known on ``day``:
    refunded uses gone); an unused coupon has one row with no line."""
    kept = uses.filter(~pl.col("is_refunded") & pl.col("coupon_id").is_not_null()).select(
        "coupon_id", "package_id", "goods_id", "seller_id", "pay_time", "pay_date",
        "line_paid_amt", "discount_amt", "bearer",
    )
    return (
        claimed.select(*OFFER, "coupon_template_id", "coupon_id", "trigger_dt", "claim_time")
        .join(kept, on="coupon_id", how="left", maintain_order="left")
        .with_columns(is_used=pl.col("package_id").is_not_null())
    )
