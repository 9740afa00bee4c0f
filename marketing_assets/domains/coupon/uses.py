"""Coupon uses (核销): the use fact "as known on dt", stored once as validity intervals, and
the 600-day claim → use table and its merchant (toB) cut, read from the claim fact and the
use fact of dt (nothing stored but their days).

Definitions (catalog, Pricing and Metrics):
- a claim is a coupon row of the coupon centre's MySQL copy; claims count by claim day;
- a use is a coupon's share of the discount on a paid order line (the trade's discount
  detail), counted by pay day; a line refunded on its pay day never counts, a line
  refunded on a later day counts until the refund is known (``is_refunded`` from the
  refund day on), then drops out of every "as known on dt" table;
- the auto-promoted store coupon (全网自动推广券) has a template but no claimed coupon: it
  is a use (seller coupon cost) but not a claim.
"""

import datetime as dt

import duckdb
import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream, read_upstream
from marketing_assets.domains.trade.ods import DISCOUNTS, ORDER_LINES, REFUNDS
from marketing_assets.domains.coupon.claims import GOODS_COUPON_DAY
from marketing_assets.domains.coupon.templates import COUPON_TEMPLATE_DAY
from marketing_assets.incremental import IntervalFact
from marketing_assets.metrics import LOOKBACK_DAYS, drop_same_day_refunds, in_period, use_fact_headline
from marketing_assets.storage.read import Dimension, IntervalTable
from marketing_assets.table import TableCheck, TableModel, partition_day, sql_name, table_key

GROUP = "coupon"
#: the discount sources of the trade's discount detail that are coupons (a use's kind)
COUPON_SOURCES = ("store_coupon", "platform_coupon", "auto_coupon")
BEARERS = ["merchant", "platform"]
_COUPON_SOURCES = ", ".join(f"'{s}'" for s in COUPON_SOURCES)
#: packages with a coupon discount in the window (the ``details`` input): the only trade
#: rows the use fact needs
_COUPON_PACKAGES = "package_id IN (SELECT package_id FROM details)"



def _date(column: str) -> pl.Expr:
    return pl.col(column).dt.date()


# ---- the use fact --------------------------------------------------------------------------
class _UseColumns(TableModel):
    coupon_id: pl.Int64 = pa.Field(nullable=True, description="claimed coupon; null for the auto-promoted coupon")
    coupon_template_id: pl.Int64 = pa.Field(description="template")
    coupon_kind: pl.String = pa.Field(isin=list(COUPON_SOURCES), description="store (incl. item), platform or auto-promoted")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="template's type")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="template's channel")
    use_key: pl.String = pa.Field(
        description="what use_cnt counts: the coupon id; an auto-promoted coupon counts once per package"
    )
    package_id: pl.String = pa.Field(description="package")
    goods_id: pl.Int64 = pa.Field(description="goods of the line")
    order_id: pl.String = pa.Field(description="order")
    user_id: pl.String = pa.Field(description="buyer")
    seller_id: pl.String = pa.Field(description="seller of the line")
    pay_time: pl.Datetime("us") = pa.Field(description="paid")
    pay_date: pl.Date = pa.Field(description="pay day (uses count by pay day)")
    quantity: pl.Int64 = pa.Field(gt=0, description="units of the line")
    line_paid_amt: pl.Int64 = pa.Field(ge=0, description="the line's paid amount, fen")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="this coupon's share on the line, fen")
    bearer: pl.String = pa.Field(isin=BEARERS, description="who pays the discount")


class CouponUse(_UseColumns):
    """A coupon's share on a paid line of the look-back, as known on dt."""

    is_refunded: pl.Boolean = pa.Field(description="line refunded on a later day, as known on dt")
    refund_time: pl.Datetime("us") = pa.Field(nullable=True, description="refunded at (later day)")
    dt: pl.Date = partition_day()


def _use_lines(details: pl.DataFrame, lines: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Coupon discount details joined to their paid lines (``keep``: extra columns of both
    sides, suffixed ``_details`` / ``_line``)."""
    coupons = details.filter(pl.col("discount_source").is_in(COUPON_SOURCES)).select(
        "package_id", "goods_id", "discount_source", "source_id", "coupon_template_id",
        "discount_amt", "bearer", *[pl.col(c).alias(f"{c}_details") for c in keep],
    )
    line = lines.select(
        "package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity",
        pl.col("paid_amt").alias("line_paid_amt"), *[pl.col(c).alias(f"{c}_line") for c in keep],
    )
    return coupons.join(line, on=["package_id", "goods_id"], how="inner").with_columns(pay_date=_date("pay_time"))


_AUTO = pl.col("discount_source") == "auto_coupon"
#: the use fact's columns before the template's attributes (coupon_type, channel_type)
_USE_HEAD = [
    pl.when(_AUTO).then(None).otherwise(pl.col("source_id")).alias("coupon_id"),
    "coupon_template_id",
    pl.col("discount_source").alias("coupon_kind"),
]
#: … and after them
_USE_TAIL = [
    pl.when(_AUTO)
    .then(pl.concat_str(pl.lit("auto:"), pl.col("coupon_template_id").cast(pl.String), pl.lit(":"), "package_id"))
    .otherwise(pl.col("source_id").cast(pl.String))
    .alias("use_key"),
    "package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "pay_date",
    "quantity", "line_paid_amt", "discount_amt", "bearer",
]


def coupon_uses(
    day: dt.date,
    details: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    templates: pl.DataFrame,
) -> pl.DataFrame:
    """The use fact: every coupon's share on a paid line within the look-back, as known on
    ``day``. ``details``, ``lines`` and ``refunds`` are the trade tables' partitions up to
    ``day`` (what was known on ``day``).

    The table is stored as validity intervals (``use_facts`` + ``use_changes``, read back
    by ``storage.read``); this function is the whole-window definition they are tested
    against."""
    uses = drop_same_day_refunds(_use_lines(details, lines), refunds)
    attrs = templates.select("coupon_template_id", "coupon_type", "channel_type")
    return uses.join(attrs, on="coupon_template_id", how="left", maintain_order="left").select(
        *_USE_HEAD, "coupon_type", "channel_type", *_USE_TAIL,
        pl.col("refund_time").is_not_null().alias("is_refunded"),
        "refund_time",
    )


def use_facts(details: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """The use facts the trade partitions ``details`` and ``lines`` make, each once: ``dt``
    the day it became known (the later of its detail's and line's partitions), ``first_dt``
    the earlier (it leaves the 600-day window with it). Template attributes and refunds
    are applied as of the day read (``storage.read``)."""
    return _use_lines(details, lines, keep=("dt",)).select(
        *_USE_HEAD, *_USE_TAIL,
        pl.max_horizontal("dt_details", "dt_line").alias("dt"),
        pl.min_horizontal("dt_details", "dt_line").alias("first_dt"),
    )


def use_changes(refunds: pl.DataFrame) -> pl.DataFrame:
    """The later changes of use facts: the refunds of lines, in the partition they landed."""
    return refunds.select("package_id", "goods_id", "refund_time", "dt")


def _uses_were_claimed(wh, first, last):
    return wh.query(
        f"""
        SELECT u.dt, u.coupon_id, u.coupon_template_id, u.package_id, u.goods_id,
               c.coupon_id IS NULL AS coupon_not_claimed, t.coupon_template_id IS NULL AS template_unknown
        FROM {COUPON_USE.sql} u
        LEFT JOIN {GOODS_COUPON_DAY.sql} c ON c.dt = u.dt AND c.coupon_id = u.coupon_id
        LEFT JOIN {COUPON_TEMPLATE_DAY.sql} t ON t.dt = u.dt AND t.coupon_template_id = u.coupon_template_id
        WHERE u.dt BETWEEN ? AND ? AND u.pay_date = u.dt
          AND ((u.coupon_id IS NOT NULL AND c.coupon_id IS NULL) OR t.coupon_template_id IS NULL)
        ORDER BY ALL
        """,
        [first, last],
    )


COUPON_USE = DerivedTable(
    "redcdm", "dm_ecm_trd_mkt_activity_coupon_use_df",
    model=CouponUse,
    grain=("coupon_id", "package_id", "goods_id"),
    group=GROUP,
    layer="dm",
    what=(
        "Use (核销) fact: each coupon's apportioned discount on a paid order line, paid in "
        "the last 600 days, as known on dt (store, item, platform and auto-promoted "
        "coupons; coupon_id null for the auto-promoted one). Lines refunded on their pay "
        "day are not uses; later refunds are flagged from the refund day on"
    ),
    chinese_name="薯券核销明细",
    inputs={
        "details": Upstream(
            DISCOUNTS, LOOKBACK_DAYS, where=f"discount_source IN ({_COUPON_SOURCES})"
        ),
        "lines": Upstream(
            ORDER_LINES, LOOKBACK_DAYS,
            ("package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity", "paid_amt"),
            where=_COUPON_PACKAGES,
        ),
        "refunds": Upstream(
            REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "refund_time"),
            where=_COUPON_PACKAGES,
        ),
        "templates": Upstream(COUPON_TEMPLATE_DAY),
    },
    compute=coupon_uses,
    bounded=True,
    lineage={
        "coupon_id": (("details", "source_id"), ("details", "discount_source")),
        "coupon_kind": (("details", "discount_source"),),
        "use_key": (("details", "source_id"), ("details", "coupon_template_id"), ("details", "package_id")),
        "line_paid_amt": (("lines", "paid_amt"),),
        "pay_date": (("lines", "pay_time"),),
        "is_refunded": (("refunds", "refund_time"), ("lines", "pay_time")),
    },
    headline=use_fact_headline,
    checks=(
        TableCheck("uses_were_claimed",
                   "Every coupon used on dt was claimed (in the claim fact) and its template exists",
                   _uses_were_claimed, True, reads=(GOODS_COUPON_DAY, COUPON_TEMPLATE_DAY)),
    ),
)

_LINE_COLUMNS = ("package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity", "paid_amt")


def _sql_date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _use_facts(
    conn: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, lo: dt.date, replay: bool
) -> pl.DataFrame:
    """The use facts the days ``first`` .. ``last`` made known: their details joined to lines
    of the window (from ``lo``), and their lines joined to details of the window (each
    side's window read only for the other side's packages of the days). ``replay``: every
    fact the sources of ``lo`` .. ``last`` make."""
    coupon = f"discount_source IN ({_COUPON_SOURCES})"
    discounts, order_lines = sql_name(DISCOUNTS), sql_name(ORDER_LINES)
    if replay:
        details = read_upstream(conn, Upstream(DISCOUNTS, where=coupon), lo, last)
        lines = read_upstream(conn, Upstream(ORDER_LINES, 1, _LINE_COLUMNS, where=(
            f"package_id IN (SELECT package_id FROM {discounts} WHERE dt BETWEEN {_sql_date(lo)} AND {_sql_date(last)} AND {coupon})"
        )), lo, last)
        return use_facts(details, lines)
    before = first - dt.timedelta(days=1)
    days = f"dt BETWEEN {_sql_date(first)} AND {_sql_date(last)}"
    new_details = read_upstream(conn, Upstream(DISCOUNTS, where=coupon), first, last)
    new_lines = read_upstream(conn, Upstream(ORDER_LINES, 1, _LINE_COLUMNS, where=(
        f"package_id IN (SELECT package_id FROM {discounts} WHERE dt BETWEEN {_sql_date(lo)} AND {_sql_date(last)} AND {coupon})"
    )), first, last)
    old_details = read_upstream(conn, Upstream(DISCOUNTS, where=(
        f"{coupon} AND package_id IN (SELECT package_id FROM {order_lines} WHERE {days})"
    )), lo, before) if lo <= before else new_details.clear()
    old_lines = read_upstream(conn, Upstream(ORDER_LINES, 1, _LINE_COLUMNS, where=(
        f"package_id IN (SELECT package_id FROM {discounts} WHERE {days} AND {coupon})"
    )), lo, before) if lo <= before else new_lines.clear()
    facts = use_facts(
        pl.concat([old_details, new_details], how="vertical_relaxed"),
        pl.concat([old_lines, new_lines], how="vertical_relaxed"),
    )
    return facts.filter(pl.col("dt") >= first)


def _use_changes(
    conn: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, lo: dt.date, replay: bool
) -> pl.DataFrame:
    """The refunds of coupon lines that landed on the days ``first`` .. ``last``: of the
    packages with a coupon discount in the window of the refund's own landing day (only a
    use of that window can be refunded in a view; per row, so a range stores what its
    single days store)."""
    refunds = read_upstream(conn, Upstream(REFUNDS, 1, ("package_id", "goods_id", "refund_time"), where=(
        f"EXISTS (SELECT 1 FROM {sql_name(DISCOUNTS)} d WHERE d.package_id = {REFUNDS.table}.package_id"
        f" AND d.dt BETWEEN {REFUNDS.table}.dt - INTERVAL {LOOKBACK_DAYS - 1} DAY AND {REFUNDS.table}.dt"
        f" AND d.discount_source IN ({_COUPON_SOURCES}))"
    )), first, last)
    return use_changes(refunds)


_USE_COLUMNS = [c for c in CouponUse.to_schema().columns if c != "dt"]
#: the use fact as known on dt: facts of the 600-day window, the template of dt, the
#: line's first refund known (a refund on the pay day: never a use; later: flagged)
USE_INTERVALS = IntervalTable(
    *table_key(COUPON_USE),
    window_days=LOOKBACK_DAYS,
    change_key=("package_id", "goods_id"),
    change_aggregates={"refund_time": "min(x.refund_time)"},
    select={
        c: {"coupon_type": "j.coupon_type", "channel_type": "j.channel_type",
            "is_refunded": "c.refund_time IS NOT NULL", "refund_time": "c.refund_time"}.get(c, f"f.{c}")
        for c in _USE_COLUMNS
    },
    keep="c.refund_time IS NULL OR CAST(c.refund_time AS DATE) > f.pay_date",
    dimensions=(Dimension(COUPON_TEMPLATE_DAY, ("coupon_template_id",)),),
    order=("coupon_id", "package_id", "goods_id"),
)
USE_FACT = IntervalFact(COUPON_USE, USE_INTERVALS, facts=_use_facts, changes=_use_changes,
                        headline_where="pay_date = dt")


# ---- claims of 600 days with their uses ----------------------------------------------------
class _GetUseColumns(TableModel):

    coupon_id: pl.Int64 = pa.Field(description="claimed coupon")
    coupon_template_id: pl.Int64 = pa.Field(description="template")
    user_id: pl.String = pa.Field(description="claimer")
    coupon_seller_id: pl.String = pa.Field(nullable=True, description="seller of a store coupon")
    claim_channel: pl.String = pa.Field(description="claimed through")
    claim_time: pl.Datetime("us") = pa.Field(description="claimed")
    claim_date: pl.Date = pa.Field(description="claim day")
    valid_end_time: pl.Datetime("us") = pa.Field(description="usable until")
    status: pl.Int32 = pa.Field(description="coupon state as of dt: 1 unused, 2 used, 3 expired, 4 void")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="1 platform, 4 store")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="template's channel")
    cost_bearer: pl.String = pa.Field(nullable=True, description="template's cost bearer")
    threshold_amount: pl.Int64 = pa.Field(ge=0, description="threshold, fen")
    face_amount: pl.Int64 = pa.Field(ge=0, description="face value, fen")
    is_used: pl.Boolean = pa.Field(description="used on a paid line not refunded as of dt")
    package_id: pl.String = pa.Field(nullable=True, description="package used on")
    goods_id: pl.Int64 = pa.Field(nullable=True, description="line used on")
    order_id: pl.String = pa.Field(nullable=True, description="order")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the line used on")
    pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="paid")
    pay_date: pl.Date = pa.Field(nullable=True, description="pay day")
    quantity: pl.Int64 = pa.Field(nullable=True, description="units of the line")
    line_paid_amt: pl.Int64 = pa.Field(nullable=True, description="line's paid amount, fen")
    discount_amt: pl.Int64 = pa.Field(nullable=True, description="coupon's share on the line, fen")
    bearer: pl.String = pa.Field(nullable=True, description="who pays the discount")


class CouponGetUse600d(_GetUseColumns):
    """A claim of the last 600 days with a use of it as known on dt (or none)."""

    dt: pl.Date = partition_day()


class TobCouponGetUse600d(_GetUseColumns):
    """A store or item coupon's claim of the last 600 days with its use and merchant cost."""

    merchant_cost_amt: pl.Int64 = pa.Field(nullable=True, description="discount the merchant pays, fen")
    dt: pl.Date = partition_day()


def coupon_get_use_600d(day: dt.date, claims: pl.DataFrame, uses: pl.DataFrame) -> pl.DataFrame:
    """Claims of the last 600 days with their uses as known on ``day``; a use refunded on a
    later day is gone from the refund day on (the claim stays, unused). A coupon used on
    two lines has two rows."""
    recent = claims.filter(in_period("claim_date", day, LOOKBACK_DAYS))
    kept = uses.filter(~pl.col("is_refunded") & pl.col("coupon_id").is_not_null()).select(
        "coupon_id", "package_id", "goods_id", "order_id", "seller_id", "pay_time", "pay_date",
        "quantity", "line_paid_amt", "discount_amt", "bearer",
    )
    return (
        recent.select(
            "coupon_id", "coupon_template_id", "user_id",
            pl.col("seller_id").alias("coupon_seller_id"), "claim_channel", "claim_time",
            "claim_date", "valid_end_time", "status", "coupon_type", "channel_type",
            "cost_bearer", "threshold_amount", pl.col("discount_amount").alias("face_amount"),
        )
        .join(kept, on="coupon_id", how="left", maintain_order="left")
        .with_columns(is_used=pl.col("package_id").is_not_null())
    )


def tob_coupon_get_use_600d(day: dt.date, get_use: pl.DataFrame) -> pl.DataFrame:
    """The merchant cut of the 600-day table (store and item coupons, coupon_type 4) with
    the part the merchant pays."""
    return get_use.filter(pl.col("coupon_type") == 4).with_columns(
        merchant_cost_amt=pl.when(pl.col("bearer") == "merchant")
        .then(pl.col("discount_amt"))
        .otherwise(pl.when(pl.col("is_used")).then(pl.lit(0, pl.Int64)))
    )


COUPON_GET_USE_600D = DerivedTable(
    "redcdm", "dm_ecm_trd_mkt_activity_coupon_get_use_600d_di",
    model=CouponGetUse600d,
    grain=("coupon_id", "package_id", "goods_id"),
    group=GROUP,
    layer="dm",
    what=(
        "Claims of the last 600 days with their uses as known on dt; uses refunded on a "
        "later day than payment (跨天退款) removed from the refund day on"
    ),
    chinese_name="薯券领用600天明细",
    inputs={
        "claims": Upstream(GOODS_COUPON_DAY),
        "uses": Upstream(COUPON_USE),
    },
    compute=coupon_get_use_600d,
    bounded=True,
    lineage={"face_amount": (("claims", "discount_amount"),), "coupon_seller_id": (("claims", "seller_id"),),
             "is_used": (("uses", "package_id"), ("uses", "is_refunded"))},
)

TOB_COUPON_GET_USE_600D = DerivedTable(
    "redcdm", "dm_ecm_mkt_tob_coupon_get_use_600d_di",
    model=TobCouponGetUse600d,
    grain=("coupon_id", "package_id", "goods_id"),
    group=GROUP,
    layer="dm",
    what="Merchant (toB) cut of the 600-day claim → use table: store and item coupons, merchant cost",
    chinese_name="商家侧薯券领用600天明细",
    inputs={"get_use": Upstream(COUPON_GET_USE_600D)},
    compute=tob_coupon_get_use_600d,
    bounded=True,
    lineage={"merchant_cost_amt": (("get_use", "discount_amt"), ("get_use", "bearer"))},
)

_GET_USE_COLUMNS = [c for c in CouponGetUse600d.to_schema().columns if c != "dt"]
_CLAIM_SIDE = {"coupon_seller_id": "f.seller_id", "face_amount": "f.discount_amount", "is_used": "u.package_id IS NOT NULL"}
_USE_SIDE = ("package_id", "goods_id", "order_id", "seller_id", "pay_time", "pay_date", "quantity",
             "line_paid_amt", "discount_amt", "bearer")
#: claims of the 600 days ending dt in the claim fact of dt, with their uses as known on dt
#: (refunded ones gone): read from those two tables of dt, nothing stored but the days
GET_USE_600D_INTERVALS = IntervalTable(
    *table_key(COUPON_GET_USE_600D),
    window_days=LOOKBACK_DAYS,
    select={c: _CLAIM_SIDE.get(c, f"u.{c}" if c in _USE_SIDE else f"f.{c}") for c in _GET_USE_COLUMNS},
    driver=Dimension(GOODS_COUPON_DAY, (), alias="f",
                     where=f"f.claim_date BETWEEN d.dt - {LOOKBACK_DAYS - 1} AND d.dt"),
    dimensions=(Dimension(COUPON_USE, ("coupon_id",), alias="u", where="NOT u.is_refunded"),),
    order=COUPON_GET_USE_600D.grain,
)
GET_USE_600D_FACT = IntervalFact(COUPON_GET_USE_600D, GET_USE_600D_INTERVALS)

#: the merchant cut of the 600-day table of dt
TOB_GET_USE_600D_INTERVALS = IntervalTable(
    *table_key(TOB_COUPON_GET_USE_600D),
    window_days=1,
    select={
        c: "CASE WHEN f.bearer = 'merchant' THEN f.discount_amt WHEN f.is_used THEN 0 END"
        if c == "merchant_cost_amt" else f"f.{c}"
        for c in TobCouponGetUse600d.to_schema().columns if c != "dt"
    },
    driver=Dimension(COUPON_GET_USE_600D, (), alias="f", where="f.coupon_type = 4"),
    order=TOB_COUPON_GET_USE_600D.grain,
)
TOB_GET_USE_600D_FACT = IntervalFact(TOB_COUPON_GET_USE_600D, TOB_GET_USE_600D_INTERVALS)
