"""Growth-platform transforms (the funnel spine), one day at a time: pure polars, or DuckDB
SQL for the tables as large as a day's executions (``derived.Sql``).

Blank-control groups: an execution of the blank group is a trigger that offered nothing
(``benefit_info`` = ``[]``). It stays in ``dwd_ecm_mkt_user_strategy_execution_di`` with
``is_blank`` true, so a strategy's control population is counted there (uplift = the
strategy's conversion minus its blank group's); every benefit table below it holds offers
only, so blank executions have no rows there.
"""

import datetime as dt

import polars as pl

from marketing_assets.metrics import LOOKBACK_DAYS, in_period

OFFER = ["execution_id", "user_id", "strategy_id", "launch_plan_id", "biz_scene_id",
         "prize_pool_id", "experiment_group", "execute_time", "execute_date"]
#: a coupon offer's key (the grain of ``…_coupon_di``; coupon_id null while unclaimed)
OFFER_KEY = ["execution_id", "user_id", "coupon_template_id", "coupon_id"]


#: redcdm.dwd_ecm_mkt_user_strategy_execution_di (computed in DuckDB: a large day's
#: executions do not fit in memory several times over): the executions landed on the day
#: (the latest change event of each: by event time, then file, then line; deleted ones
#: dropped), joined with the trigger, business scene and crowd dimensions
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


#: the columns of an execution every offer table carries
OFFER_SQL = ", ".join(OFFER)
#: DuckDB type of ``benefit_info``: a list of ``BENEFIT``
BENEFITS_JSON = (
    '[{"benefit_entity_type": "VARCHAR", "benefit_entity_id": "BIGINT",'
    ' "benefit_id": "BIGINT", "instance_id": "BIGINT"}]'
)

#: redcdm.dwd_ecm_mkt_user_strategy_execution_benefit_di: one row per benefit offered
#: (an execution offering none has no row)
BENEFITS_SQL = f"""
SELECT {OFFER_SQL}, b.benefit_entity_type, b.benefit_entity_id, b.benefit_id, b.instance_id
FROM (SELECT {OFFER_SQL}, unnest(from_json(benefit_info, '{BENEFITS_JSON}')) AS b FROM executions)
"""


def _offers_sql(kind: str, template: str, instance: str, attrs: tuple[str, ...]) -> str:
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


#: redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_di: coupon offers of non-blank groups;
#: coupon_id is the coupon claimed in the same session (null: not claimed)
COUPON_OFFERS_SQL = _offers_sql(
    "coupon", "coupon_template_id", "coupon_id",
    ("coupon_type", "channel_type", "threshold_amount", "discount_amount", "cost_bearer"),
)
#: redcdm.dwd_ecm_mkt_user_strategy_execution_allowance_di: allowance offers of non-blank
#: groups; allowance_id null when not claimed
ALLOWANCE_OFFERS_SQL = _offers_sql(
    "allowance", "allowance_template_id", "allowance_id", ("amount", "step_threshold", "step_discount"),
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
