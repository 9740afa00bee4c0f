"""Growth allowance offers: the allowance offers of each trigger (``…_allowance_di``, DuckDB
SQL) and the claimed ones with their balance and state as of dt (``…_allowance_df``),
built from the table of the day before and the day's claimed offers
(``IncrementalTable``)."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Sql, Upstream
from marketing_assets.domains.allowance.allowances import ALLOWANCE_TEMPLATE_DAY
from marketing_assets.domains.allowance.ods import ALLOWANCE
from marketing_assets.domains.growth import ods
from marketing_assets.domains.growth.benefits import EXECUTION_BENEFIT, OFFER, Offer, offer_headline, offers_sql
from marketing_assets.domains.growth.executions import landed_dt
from marketing_assets.incremental import IncrementalTable
from marketing_assets.metrics import LOOKBACK_DAYS, in_period


# ---- the offers ---------------------------------------------------------------------------
class ExecutionAllowance(Offer):
    """One allowance offer of a trigger, claimed or not."""

    allowance_template_id: pl.Int64 = pa.Field(description="template offered")
    allowance_id: pl.Int64 = pa.Field(nullable=True, description="allowance claimed; null: not claimed")
    is_claimed: pl.Boolean = pa.Field(description="the offer became an allowance")
    amount: pl.Int64 = pa.Field(nullable=True, description="amount granted per claim, fen")
    step_threshold: pl.Int64 = pa.Field(nullable=True, description="每满 X, fen")
    step_discount: pl.Int64 = pa.Field(nullable=True, description="减 Y, fen")
    dt: pl.Date = landed_dt()


#: allowance offers of non-blank groups; allowance_id null when not claimed
ALLOWANCE_OFFERS_SQL = offers_sql(
    "allowance", "allowance_template_id", "allowance_id", ("amount", "step_threshold", "step_discount"),
)

EXECUTION_ALLOWANCE = DerivedTable(
    "redcdm", "dwd_ecm_mkt_user_strategy_execution_allowance_di",
    model=ExecutionAllowance,
    grain=("execution_id", "user_id", "allowance_id", "allowance_template_id"),
    group=ods.DOMAIN,
    layer="dwd",
    what="Allowance offers of the triggers (blank-control groups have none); allowance_id null when not claimed",
    chinese_name="用户策略执行发津贴明细",
    inputs={
        "benefits": Upstream(EXECUTION_BENEFIT),
        "templates": Upstream(ALLOWANCE_TEMPLATE_DAY),
    },
    compute=Sql(ALLOWANCE_OFFERS_SQL, headline_columns=("is_claimed",)),
    headline=offer_headline,
)


# ---- the claimed offers -------------------------------------------------------------------
class ExecutionAllowanceFull(Offer):
    """One allowance claimed from a growth offer, with its balance and state as of dt."""

    allowance_id: pl.Int64 = pa.Field(description="allowance claimed from a growth offer")
    allowance_template_id: pl.Int64 = pa.Field(description="template")
    trigger_dt: pl.Date = pa.Field(description="partition the offer landed in")
    amount: pl.Int64 = pa.Field(nullable=True, description="granted, fen")
    balance: pl.Int64 = pa.Field(nullable=True, description="balance as of dt, fen")
    status: pl.Int32 = pa.Field(nullable=True, description="1 usable, 2 used up, 3 expired (as of dt)")
    claim_time: pl.Datetime("us") = pa.Field(nullable=True, description="claimed")
    expire_time: pl.Datetime("us") = pa.Field(nullable=True, description="expires")
    dt: pl.Date = pa.Field(description="snapshot day")


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
    """Growth allowance offers claimed in the last 600 days, with balance and state as of
    ``day``."""
    state = allowances.select("allowance_id", "amount", "balance", "status", "claim_time", "expire_time")
    return (
        offers.filter(pl.col("allowance_id").is_not_null() & in_period("dt", day, LOOKBACK_DAYS))
        .select(*OFFER, "allowance_id", "allowance_template_id", pl.col("dt").alias("trigger_dt"))
        .join(state, on="allowance_id", how="left", maintain_order="left")
    )


_CLAIMED = DerivedTable(
    "redcdm", "dwd_ecm_mkt_user_strategy_execution_allowance_df",
    model=ExecutionAllowanceFull,
    grain=("allowance_id",),
    group=ods.DOMAIN,
    layer="dwd",
    what="Growth allowance offers that were claimed (last 600 days), with balance and state as of dt",
    chinese_name="用户策略执行领津贴全量表",
    inputs={
        "offers": Upstream(EXECUTION_ALLOWANCE, LOOKBACK_DAYS, where="allowance_id IS NOT NULL"),
        "allowances": Upstream(
            ALLOWANCE, 1,
            ("allowance_id", "amount", "balance", "status", "claim_time", "expire_time"),
        ),
    },
    compute=claimed_allowances,
    bounded=True,
)
EXECUTION_ALLOWANCE_FULL = IncrementalTable(
    _CLAIMED,
    changes={
        "offers": Upstream(EXECUTION_ALLOWANCE, 1, where="allowance_id IS NOT NULL"),
        "allowances": _CLAIMED.inputs["allowances"],
    },
    step=claimed_allowances_step,
)
