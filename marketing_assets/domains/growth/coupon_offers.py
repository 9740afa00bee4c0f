"""Growth coupon offers, from offer to claim to use: the coupon offers of each trigger
(``…_coupon_di``, DuckDB SQL); the claimed ones with the coupon's state as of dt
(``…_coupon_df``); trigger → claim → use (``…_coupon_get_use_df``) with its funnel check.
The two snapshots are stored as their offers once (an offer never changes: its claim
happens in the same session) and read as known on dt (``IntervalFact``)."""

import datetime as dt
from collections.abc import Callable

import duckdb
import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Sql, Upstream, read_upstream
from marketing_assets.domains.coupon.claims import GOODS_COUPON_DAY
from marketing_assets.domains.coupon.templates import COUPON_TEMPLATE_DAY
from marketing_assets.domains.coupon.uses import COUPON_USE
from marketing_assets.domains.growth import ods
from marketing_assets.domains.growth.benefits import EXECUTION_BENEFIT, OFFER, Offer, offer_headline, offers_sql
from marketing_assets.domains.growth.executions import landed_dt
from marketing_assets.incremental import IntervalFact
from marketing_assets.metrics import LOOKBACK_DAYS, in_period
from marketing_assets.storage.read import Dimension, IntervalTable
from marketing_assets.table import TableCheck, sql_name, table_key

#: a coupon offer's key (the grain of the offers table; coupon_id null while unclaimed)
OFFER_KEY = ["execution_id", "user_id", "coupon_template_id", "coupon_id"]


# ---- the offers ---------------------------------------------------------------------------
class ExecutionCoupon(Offer):
    """One coupon offer of a trigger, claimed or not."""

    coupon_template_id: pl.Int64 = pa.Field(description="template offered")
    coupon_id: pl.Int64 = pa.Field(nullable=True, description="coupon claimed in the session; null: not claimed")
    is_claimed: pl.Boolean = pa.Field(description="the offer became a coupon")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="1 platform, 4 store")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="template's channel")
    threshold_amount: pl.Int64 = pa.Field(nullable=True, description="threshold, fen")
    discount_amount: pl.Int64 = pa.Field(nullable=True, description="face value, fen")
    cost_bearer: pl.String = pa.Field(nullable=True, description="who pays")
    dt: pl.Date = landed_dt()


#: coupon offers of non-blank groups; coupon_id is the coupon claimed in the same session
#: (null: not claimed)
COUPON_OFFERS_SQL = offers_sql(
    "coupon", "coupon_template_id", "coupon_id",
    ("coupon_type", "channel_type", "threshold_amount", "discount_amount", "cost_bearer"),
)

EXECUTION_COUPON = DerivedTable(
    "redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_di",
    model=ExecutionCoupon,
    grain=("execution_id", "user_id", "coupon_template_id", "coupon_id"),
    group=ods.DOMAIN,
    layer="dwd",
    what=(
        "Coupon offers of the triggers (blank-control groups have none); coupon_id is the "
        "coupon claimed in the same session, null when the offer was not claimed"
    ),
    chinese_name="用户策略执行发券明细",
    inputs={
        "benefits": Upstream(EXECUTION_BENEFIT),
        "templates": Upstream(COUPON_TEMPLATE_DAY),
    },
    compute=Sql(COUPON_OFFERS_SQL, headline_columns=("is_claimed",)),
    headline=offer_headline,
)

_OFFER_COLUMNS = (*OFFER, "coupon_template_id", "coupon_id")


def _offer_reader(where: str | None) -> Callable:
    def facts(conn: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, lo: dt.date, replay: bool) -> pl.DataFrame:
        """Coupon offers of non-blank groups, once, in their trigger day's partition (an
        offer never changes: its claim happens in the same session)."""
        up = Upstream(EXECUTION_COUPON, 1, _OFFER_COLUMNS, where=where)
        return read_upstream(conn, up, lo if replay else first, last).with_columns(first_dt=pl.col("dt"))

    return facts


# ---- the claimed offers -------------------------------------------------------------------
class ExecutionCouponFull(Offer):
    """One coupon claimed from a growth offer, with its state as of dt."""

    coupon_id: pl.Int64 = pa.Field(description="coupon claimed from a growth offer")
    coupon_template_id: pl.Int64 = pa.Field(description="template")
    trigger_dt: pl.Date = pa.Field(description="partition the offer landed in")
    claim_time: pl.Datetime("us") = pa.Field(nullable=True, description="claimed (null: not in the claim fact)")
    status: pl.Int32 = pa.Field(nullable=True, description="coupon state as of dt")
    use_time: pl.Datetime("us") = pa.Field(nullable=True, description="used at, as of dt")
    valid_end_time: pl.Datetime("us") = pa.Field(nullable=True, description="usable until")
    dt: pl.Date = pa.Field(description="snapshot day")


def claimed_coupons(day: dt.date, offers: pl.DataFrame, coupons: pl.DataFrame) -> pl.DataFrame:
    """Growth coupon offers claimed in the last 600 days, with the coupon's state as of
    ``day``."""
    state = coupons.select("coupon_id", "claim_time", "status", "use_time", "valid_end_time")
    return (
        offers.filter(pl.col("coupon_id").is_not_null() & in_period("dt", day, LOOKBACK_DAYS))
        .select(*OFFER, "coupon_id", "coupon_template_id", pl.col("dt").alias("trigger_dt"))
        .join(state, on="coupon_id", how="left", maintain_order="left")
    )


_CLAIMED = DerivedTable(
    "redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_df",
    model=ExecutionCouponFull,
    grain=("coupon_id",),
    group=ods.DOMAIN,
    layer="dwd",
    what="Growth coupon offers that were claimed (last 600 days), with the coupon's state as of dt",
    chinese_name="用户策略执行领券全量表",
    inputs={
        "offers": Upstream(EXECUTION_COUPON, LOOKBACK_DAYS, where="coupon_id IS NOT NULL"),
        "coupons": Upstream(
            GOODS_COUPON_DAY, 1,
            ("coupon_id", "claim_time", "status", "use_time", "valid_end_time"),
            where="claim_channel = 'growth_platform'",
        ),
    },
    compute=claimed_coupons,
    bounded=True,
)
#: claimed growth coupons as known on dt: the claimed offers of the window with the
#: coupon's state in the claim fact of dt
CLAIMED_INTERVALS = IntervalTable(
    *table_key(_CLAIMED),
    window_days=LOOKBACK_DAYS,
    select={
        c: f"f.{c}" if c in _OFFER_COLUMNS else "f.dt" if c == "trigger_dt" else f"k.{c}"
        for c in ExecutionCouponFull.to_schema().columns if c != "dt"
    },
    dimensions=(Dimension(GOODS_COUPON_DAY, ("coupon_id",), alias="k",
                          where="k.claim_channel = 'growth_platform'"),),
    order=_CLAIMED.grain,
)
EXECUTION_COUPON_FULL = IntervalFact(_CLAIMED, CLAIMED_INTERVALS, facts=_offer_reader("coupon_id IS NOT NULL"))


# ---- trigger → claim → use ----------------------------------------------------------------
class ExecutionCouponGetUse(Offer):
    """One coupon offer as known on dt: unclaimed, claimed and unused, or one paid line it
    was used on."""

    coupon_template_id: pl.Int64 = pa.Field(description="template offered")
    coupon_id: pl.Int64 = pa.Field(nullable=True, description="coupon claimed; null: offer not claimed")
    trigger_dt: pl.Date = pa.Field(description="partition the offer landed in (the trigger-day cohort)")
    claim_time: pl.Datetime("us") = pa.Field(nullable=True, description="claimed (null: not claimed)")
    is_claimed: pl.Boolean = pa.Field(description="the offer became a coupon (coupon_id not null)")
    is_used: pl.Boolean = pa.Field(description="used on a paid line not refunded as of dt")
    package_id: pl.String = pa.Field(nullable=True, description="package used on")
    goods_id: pl.Int64 = pa.Field(nullable=True, description="line used on")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the line")
    pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="paid")
    pay_date: pl.Date = pa.Field(nullable=True, description="pay day")
    line_paid_amt: pl.Int64 = pa.Field(nullable=True, description="line's paid amount, fen")
    discount_amt: pl.Int64 = pa.Field(nullable=True, description="coupon's share on the line, fen")
    bearer: pl.String = pa.Field(nullable=True, description="who pays")
    dt: pl.Date = pa.Field(description="snapshot day")


def coupon_get_use(
    day: dt.date, claimed: pl.DataFrame, offers: pl.DataFrame, uses: pl.DataFrame
) -> pl.DataFrame:
    """Trigger → claim → use, the whole funnel (触发 → 领取 → 核销的全量记录) of the coupon
    offers of non-blank groups triggered in the last 600 days, as known on ``day``: a
    claimed coupon has one row per line it was used on (refunded uses gone), or one row
    with no line while unused; an offer not claimed has one row with neither coupon nor
    line. So triggered (rows of distinct offers), claimed (distinct coupon_id) and used
    (distinct coupon_id with ``is_used``) of a cohort (``trigger_dt``) are read from this
    table alone.

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


def _get_use_headline(frame: pl.DataFrame) -> dict:
    offers = frame.select(*OFFER_KEY).n_unique()
    coupons = frame["coupon_id"].drop_nulls().n_unique()
    used = frame.filter("is_used")["coupon_id"].n_unique()
    return {
        "triggered_offers": offers,
        "claimed_coupons": coupons,
        "used_coupons": used,
        "claim_rate": round(coupons / offers, 4) if offers else None,
        "use_rate": round(used / coupons, 4) if coupons else None,
    }


def _funnel(wh, first, last):
    """Every trigger-day cohort known on each judged day: used ≤ claimed ≤ triggered, and no
    more triggered or claimed than the offers table holds for the cohort.

    Counted on offers, not rows: a coupon used on two lines is two rows of the get-use
    table. An offer is its grain in the offers table (execution, user, template, coupon;
    coupon null while unclaimed), so the counts are right whether the get-use table holds
    claimed coupons only or every triggered offer of a non-blank group."""
    return wh.query(
        f"""
        WITH g AS (
            SELECT dt, trigger_dt AS cohort,
                   count(DISTINCT (execution_id, user_id, coupon_template_id, coupon_id)) AS triggered_known,
                   count(DISTINCT coupon_id) AS claimed_known,
                   count(DISTINCT coupon_id) FILTER (WHERE is_used) AS used
            FROM {sql_name(EXECUTION_COUPON_GET_USE)}
            WHERE dt BETWEEN ? AND ? GROUP BY 1, 2
        ), o AS (
            SELECT dt AS cohort, count(*) AS triggered, count(coupon_id) AS claimed
            FROM {EXECUTION_COUPON.sql} WHERE dt IN (SELECT cohort FROM g) GROUP BY 1
        )
        SELECT g.dt, g.cohort, o.triggered, o.claimed, g.triggered_known, g.claimed_known, g.used
        FROM g LEFT JOIN o USING (cohort)
        WHERE o.cohort IS NULL OR g.used > g.claimed_known OR g.claimed_known > g.triggered_known
           OR g.triggered_known > o.triggered OR g.claimed_known > o.claimed OR o.claimed > o.triggered
        ORDER BY ALL
        """,
        [first, last],
    )


_GET_USE = DerivedTable(
    "redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df",
    model=ExecutionCouponGetUse,
    grain=("execution_id", "user_id", "coupon_template_id", "coupon_id", "package_id", "goods_id"),
    group=ods.DOMAIN,
    layer="dwd",
    what=(
        "Trigger → claim → use of growth coupons, the whole funnel (触发 → 领取 → 核销的全量"
        f"记录): every coupon offer of a non-blank group triggered in the last {LOOKBACK_DAYS} "
        "days, as known on dt. A claimed coupon has one row per paid line it was used on "
        "(refunded uses removed), or one row without a line while unused; an offer not "
        "claimed has one row with coupon_id null. Triggered (distinct offers), claimed "
        "(count of distinct coupon_id) and used (distinct coupon_id with is_used) of a "
        "trigger-day cohort (trigger_dt) are read from this table alone"
    ),
    chinese_name="用户策略执行领用券全量表",
    inputs={
        "claimed": Upstream(EXECUTION_COUPON_FULL),
        "offers": Upstream(EXECUTION_COUPON, LOOKBACK_DAYS, where="coupon_id IS NULL"),
        "uses": Upstream(COUPON_USE, 1, where="coupon_id IS NOT NULL AND NOT is_refunded"),
    },
    compute=coupon_get_use,
    lineage={
        "trigger_dt": (("claimed", "trigger_dt"), ("offers", "dt")),
        "is_claimed": (("claimed", "coupon_id"), ("offers", "coupon_id")),
        "is_used": (("uses", "package_id"),),
    },
    bounded=True,
    headline=_get_use_headline,
    checks=(
        TableCheck(
            "funnel_used_le_claimed_le_triggered",
            "Per trigger-day cohort: used ≤ claimed ≤ triggered",
            _funnel,
            blocking=True,
            reads=(EXECUTION_COUPON,),
        ),
    ),
)
_USE_COLUMNS = ("package_id", "goods_id", "seller_id", "pay_time", "pay_date", "line_paid_amt", "discount_amt", "bearer")
#: trigger → claim → use as known on dt: the offers of the window, the claimed coupon of dt
#: (``…_coupon_df``) and its uses as known on dt, refunded ones gone
GET_USE_INTERVALS = IntervalTable(
    *table_key(_GET_USE),
    window_days=LOOKBACK_DAYS,
    select={
        **{c: f"f.{c}" for c in _OFFER_COLUMNS},
        "trigger_dt": "f.dt",
        "claim_time": "k.claim_time",
        "is_claimed": "f.coupon_id IS NOT NULL",
        "is_used": "u.package_id IS NOT NULL",
        **{c: f"u.{c}" for c in _USE_COLUMNS},
    },
    dimensions=(
        Dimension(EXECUTION_COUPON_FULL, ("coupon_id",), alias="k"),
        Dimension(COUPON_USE, ("coupon_id",), alias="u", where="NOT u.is_refunded"),
    ),
    order=_GET_USE.grain,
)
EXECUTION_COUPON_GET_USE = IntervalFact(_GET_USE, GET_USE_INTERVALS, facts=_offer_reader(None))
