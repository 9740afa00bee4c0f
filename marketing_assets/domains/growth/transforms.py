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
#: a coupon offer's key (the grain of ``…_coupon_di``; coupon_id null while unclaimed)
OFFER_KEY = ["execution_id", "user_id", "coupon_template_id", "coupon_id"]


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


def _as_offers(previous: pl.DataFrame, offers: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The offers a table of the day before was made of (``trigger_dt`` back to ``dt``)
    followed by the day's own offers: the window's offers without reading the window."""
    kept = previous.select(*columns, pl.col("trigger_dt").alias("dt"))
    return pl.concat([kept, offers.select(*columns, "dt")], how="vertical_relaxed")


def claimed_allowances_step(
    day: dt.date, previous: pl.DataFrame, offers: pl.DataFrame, allowances: pl.DataFrame
) -> pl.DataFrame:
    """``claimed_allowances`` of ``day`` from the table of the day before (its offers; the
    window's first day drops out) and the day's claimed offers, with the allowances' state
    of ``day``."""
    columns = [*OFFER, "allowance_id", "allowance_template_id"]
    return claimed_allowances(day, _as_offers(previous, offers, columns), allowances)


def claimed_allowances(day: dt.date, offers: pl.DataFrame, allowances: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_allowance_df: growth allowance offers
    claimed in the last 600 days, with balance and state as of ``day``."""
    state = allowances.select("allowance_id", "amount", "balance", "status", "claim_time", "expire_time")
    return (
        offers.filter(pl.col("allowance_id").is_not_null() & in_period("dt", day, LOOKBACK_DAYS))
        .select(*OFFER, "allowance_id", "allowance_template_id", pl.col("dt").alias("trigger_dt"))
        .join(state, on="allowance_id", how="left", maintain_order="left")
    )


def coupon_get_use(
    day: dt.date, claimed: pl.DataFrame, offers: pl.DataFrame, uses: pl.DataFrame
) -> pl.DataFrame:
    """redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df: trigger → claim → use,
    the whole funnel (触发 → 领取 → 核销的全量记录) of the coupon offers of non-blank groups
    triggered in the last 600 days, as known on ``day``: a claimed coupon has one row per
    line it was used on (refunded uses gone), or one row with no line while unused; an
    offer not claimed has one row with neither coupon nor line. So triggered (rows of
    distinct offers), claimed (distinct coupon_id) and used (distinct coupon_id with
    ``is_used``) of a cohort (``trigger_dt``) are read from this table alone.

    ``claimed``: the day's claimed offers (``…_coupon_df``); ``offers``: the offers
    (``…_coupon_di``) of the window not claimed. An offer's key is that of the offers
    table, execution × user × template × coupon (coupon null while unclaimed), so with
    the line the rows are unique."""
    kept = uses.filter(~pl.col("is_refunded") & pl.col("coupon_id").is_not_null()).select(
        "coupon_id", "package_id", "goods_id", "seller_id", "pay_time", "pay_date",
        "line_paid_amt", "discount_amt", "bearer",
    )
    got = claimed.select(*OFFER, "coupon_template_id", "coupon_id", "trigger_dt", "claim_time").join(
        kept, on="coupon_id", how="left", maintain_order="left"
    )
    unclaimed = offers.filter(pl.col("coupon_id").is_null() & in_period("dt", day, LOOKBACK_DAYS)).select(
        *OFFER, "coupon_template_id", "coupon_id", pl.col("dt").alias("trigger_dt"),
    )
    return pl.concat([got, unclaimed], how="diagonal_relaxed").with_columns(
        is_claimed=pl.col("coupon_id").is_not_null(),
        is_used=pl.col("package_id").is_not_null(),
    )
