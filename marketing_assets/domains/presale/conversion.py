"""Presale (预售) deposits and their final payments: per presale × SKU (the goods relation, a
dimension) and per presale (the deposit → final-payment conversion). Both tables link each
deposit to its final payment (``link_final_payments``) over the same inputs. Money in
integer fen; datetimes Asia/Shanghai wall clock; ``day`` is the partition day.

Sources and definitions:
- the presale activity collection lands whole every day (deposit and final-payment
  windows); the day's rows are the presales as of ``day``;
- the presale SKU collection (``presale_sales``) lands only the rows inserted or updated
  that day: a SKU's presale row as of ``day`` is its latest by ``update_time`` over the
  look-back window the table reads (rows untouched for longer drop out);
- a deposit (定金) is a row of the trade's deposit table, counted by the day it was paid
  (``pay_time``); its amounts cover its quantity;
- a deposit is converted when its final payment (尾款) is paid: the trade then writes one
  order line with ``is_presale`` true, of the same buyer and SKU, whose ``order_time`` is
  the deposit's ``pay_time`` (the presale order was placed with the deposit) and whose
  ``pay_time`` is the final payment; the line's ``paid_amt`` is what the buyer paid in all
  (deposit + final payment), the GMV of the presale, recognised on the final-payment day;
- refunds are of whole order lines and netted like every other "as known on dt" table: a
  final payment refunded on its pay day never converts; one refunded later converts on its
  pay day and leaves the converted count and the final-payment GMV from the refund day on.
  Either way the deposit is ``refunded`` (its own state: neither converted, pending nor
  forfeited), so the presale GMV and the platform GMV agree on the same lines;
- a deposit without a final payment when its presale's final window has closed
  (``final_end`` before the end of ``day``) is forfeited: the merchant keeps it; it is not
  GMV;
- per unit: price 200 yuan, deposit 30 deducting 80 (膨胀) → final payment 200 − 80 = 120,
  the buyer pays 30 + 120 = 150 in all, a presale discount of 80 − 30 = 50.
"""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream, latest_by_key
from marketing_assets.domains.trade.ods import ORDER_LINES, PRESALE_DEPOSITS, REFUNDS
from marketing_assets.domains.presale.ods import PRESALE_ACTIVITY, PRESALE_SALES, PRESALE_TYPES
from marketing_assets.metrics import LOOKBACK_DAYS, ratio
from marketing_assets.table import TableModel, partition_day

GROUP = "presale"
STAGES = ["deposit", "waiting", "final", "closed"]

# ---- the inputs both tables read and the deposit ↔ final payment link ----------------------
_SALES_COLUMNS = (
    "presale_activity_id", "sku_id", "goods_id", "seller_id", "presale_price", "deposit_amt",
    "deduction_amt", "stock", "status", "update_time", "_src_file", "_src_line",
)
_DEPOSIT_COLUMNS = (
    "user_id", "presale_activity_id", "sku_id", "quantity", "deposit_amt", "deduction_amt", "pay_time",
)
#: presale order lines: the final payments
_FINAL_LINES = Upstream(
    ORDER_LINES, LOOKBACK_DAYS,
    ("package_id", "goods_id", "user_id", "sku_id", "order_time", "pay_time", "paid_amt", "is_presale"),
    where="is_presale",
)
#: refunds of whole order lines, netted as known on dt
_REFUNDS = Upstream(REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "refund_time"))
_WINDOWS = ["deposit_start", "deposit_end", "final_start", "final_end"]


def _next_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def link_final_payments(
    day: dt.date, deposits: pl.DataFrame, lines: pl.DataFrame, refunds: pl.DataFrame
) -> pl.DataFrame:
    """Each deposit paid up to ``day`` with its final payment as known on ``day`` (null
    columns: none): ``final_pay_time``, ``final_pay_date``, ``final_paid_amt`` (the line's
    paid amount: deposit + final payment), ``package_id``, ``final_refund_time`` (the
    line's first refund known on ``day``, null: none) and the deposit's state
    ``is_converted`` (a final payment not refunded) and ``is_refunded`` (a final payment
    refunded, on its pay day or later).

    ``lines``: presale order lines paid up to ``day``; ``refunds``: refunds landed up to
    ``day``. A deposit matches the presale line of the same buyer and SKU ordered at the
    deposit's pay time; should two lines match, the earlier paid one not refunded is the
    final payment (all refunded: the earlier paid one).
    """
    end = _next_midnight(day)
    refund = (
        refunds.filter(pl.col("refund_time") < end)
        .group_by("package_id", "goods_id")
        .agg(pl.col("refund_time").min().alias("final_refund_time"))
    )
    finals = (
        lines.filter(pl.col("is_presale"))
        .join(refund, on=["package_id", "goods_id"], how="left")
        .select(
            "user_id", "sku_id", pl.col("order_time").alias("pay_time"),
            pl.col("pay_time").alias("final_pay_time"),
            pl.col("paid_amt").alias("final_paid_amt"),
            "package_id", "final_refund_time",
        )
        .sort(
            "user_id", "sku_id", "pay_time", pl.col("final_refund_time").is_not_null(),
            "final_pay_time", "package_id",
        )
        .unique(["user_id", "sku_id", "pay_time"], keep="first", maintain_order=True)
    )
    paid = pl.col("final_pay_time").is_not_null()
    refunded = pl.col("final_refund_time").is_not_null()
    return (
        deposits.filter(pl.col("pay_time") < end)
        .join(finals, on=["user_id", "sku_id", "pay_time"], how="left", maintain_order="left")
        .with_columns(
            deposit_date=pl.col("pay_time").dt.date(),
            final_pay_date=pl.col("final_pay_time").dt.date(),
            is_converted=paid & ~refunded,
            is_refunded=paid & refunded,
        )
    )


# ---- the presale × SKU relation ------------------------------------------------------------
class PresaleGoodsRelation(TableModel):
    """Goods in presales: one row per presale × SKU."""

    presale_activity_id: pl.Int64 = pa.Field(description="presale activity")
    sku_id: pl.Int64 = pa.Field(description="SKU in the presale (finer than the catalog's goods grain)")
    goods_id: pl.Int64 = pa.Field(description="goods (SPU) of the SKU: the catalog's goods_id grain")
    seller_id: pl.String = pa.Field(description="seller")
    activity_name: pl.String = pa.Field(description="presale activity name")
    presale_type: pl.String = pa.Field(isin=PRESALE_TYPES, description="618, 1111 or new_product")
    activity_status: pl.Int32 = pa.Field(isin=[1, 2], description="presale activity 1 online, 2 offline")
    deposit_start: pl.Datetime("us") = pa.Field(description="deposits open")
    deposit_end: pl.Datetime("us") = pa.Field(description="deposits close")
    final_start: pl.Datetime("us") = pa.Field(description="final payments open")
    final_end: pl.Datetime("us") = pa.Field(description="final payments close")
    presale_price: pl.Int64 = pa.Field(gt=0, description="presale price per unit, fen")
    deposit_amt: pl.Int64 = pa.Field(gt=0, description="定金 per unit, fen")
    deduction_amt: pl.Int64 = pa.Field(gt=0, description="膨胀: what the deposit deducts from the price per unit, fen")
    final_payment_amt: pl.Int64 = pa.Field(
        ge=0, description="尾款 per unit = presale_price − deduction_amt (at least 0), fen"
    )
    presale_discount_amt: pl.Int64 = pa.Field(
        ge=0,
        description=(
            "presale discount per unit = deduction_amt − deposit_amt, at most presale_price − "
            "deposit_amt, at least 0 (merchant-borne), fen"
        ),
    )
    stock: pl.Int64 = pa.Field(ge=0, description="presale stock")
    sku_status: pl.Int32 = pa.Field(isin=[1, 2], description="SKU in the presale: 1 valid, 2 removed")
    update_time: pl.Datetime("us") = pa.Field(description="SKU's presale row last updated")
    deposit_cnt_1d: pl.Int64 = pa.Field(ge=0, description="deposits of the SKU in the presale paid on dt")
    deposit_qty_1d: pl.Int64 = pa.Field(ge=0, description="units of those deposits")
    deposit_cnt: pl.Int64 = pa.Field(ge=0, description="deposits of the SKU in the presale paid up to dt")
    deposit_qty: pl.Int64 = pa.Field(ge=0, description="units of those deposits")
    converted_cnt_1d: pl.Int64 = pa.Field(
        ge=0, description="deposits converted by a final payment paid on dt (not refunded that day)"
    )
    converted_cnt: pl.Int64 = pa.Field(
        ge=0, description="deposits converted by a final payment paid up to dt and not refunded as known on dt"
    )
    refunded_cnt: pl.Int64 = pa.Field(
        ge=0, description="deposits whose final payment was refunded by dt (neither converted nor forfeited)"
    )
    dt: pl.Date = partition_day()


def presale_goods(
    day: dt.date,
    sales: pl.DataFrame,
    activities: pl.DataFrame,
    deposits: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
) -> pl.DataFrame:
    """Presale × SKU as of ``day`` (latest row of the SKU collection; presales no longer in
    the day's collection left out) with the per-unit price, deposit, deduction, final
    payment and presale discount, the presale's windows and the SKU's deposits,
    conversions and refunded final payments as known on ``day``."""
    key = ["presale_activity_id", "sku_id"]
    skus = latest_by_key(sales, key, "update_time")
    windows = activities.select(
        "presale_activity_id", "activity_name", "presale_type",
        pl.col("status").alias("activity_status"), *_WINDOWS,
    )
    linked = link_final_payments(day, deposits, lines, refunds)
    converted = pl.col("is_converted")
    counts = linked.group_by(key).agg(
        deposit_cnt_1d=(pl.col("deposit_date") == day).sum(),
        deposit_qty_1d=pl.col("quantity").filter(pl.col("deposit_date") == day).sum(),
        deposit_cnt=pl.len(),
        deposit_qty=pl.col("quantity").sum(),
        converted_cnt_1d=(converted & (pl.col("final_pay_date") == day)).sum(),
        converted_cnt=converted.sum(),
        refunded_cnt=pl.col("is_refunded").sum(),
    )
    price, deposit, deduction = pl.col("presale_price"), pl.col("deposit_amt"), pl.col("deduction_amt")
    metrics = [
        "deposit_cnt_1d", "deposit_qty_1d", "deposit_cnt", "deposit_qty", "converted_cnt_1d", "converted_cnt",
        "refunded_cnt",
    ]
    return (
        skus.join(windows, on="presale_activity_id", how="inner", maintain_order="left")
        .join(counts, on=key, how="left", maintain_order="left")
        .select(
            *key, "goods_id", "seller_id", "activity_name", "presale_type", "activity_status", *_WINDOWS,
            "presale_price", "deposit_amt", "deduction_amt",
            (price - deduction).clip(lower_bound=0).alias("final_payment_amt"),
            pl.min_horizontal(deduction - deposit, price - deposit).clip(lower_bound=0).alias("presale_discount_amt"),
            "stock", pl.col("status").alias("sku_status"), "update_time",
            *[pl.col(m).fill_null(0).cast(pl.Int64) for m in metrics],
        )
    )


def _goods_headline(frame: pl.DataFrame) -> dict:
    return {
        "presales": frame["presale_activity_id"].n_unique(),
        "skus": frame.height,
        "deposit_cnt_1d": int(frame["deposit_cnt_1d"].sum()),
        "converted_cnt_1d": int(frame["converted_cnt_1d"].sum()),
        "refunded_cnt": int(frame["refunded_cnt"].sum()),
    }


PRESALE_GOODS = DerivedTable(
    "redcdm", "dim_presale_activity_goods_relation_df",
    model=PresaleGoodsRelation,
    grain=("presale_activity_id", "sku_id"),
    group=GROUP,
    layer="dim",
    what=(
        "Goods in presales as of dt, per presale × SKU (the catalog's grain is presale × "
        "goods; a goods' SKUs enrol separately with their own prices, so the SKU is kept "
        "and goods_id is a column): presale price, deposit (定金), deduction (膨胀), final "
        "payment (尾款 = price − deduction) and presale discount per unit, the presale's "
        "deposit and final-payment windows, and the SKU's deposits and conversions paid on "
        "dt and up to dt, net of refunds (refunded final payments counted apart). The SKU "
        "collection lands only changed rows: a SKU's row is its "
        f"latest by update_time over the last {LOOKBACK_DAYS} days (untouched for longer: "
        "drops out); presales no longer in the day's collection are left out"
    ),
    chinese_name="预售活动商品关系维表",
    inputs={
        "sales": Upstream(PRESALE_SALES, LOOKBACK_DAYS, _SALES_COLUMNS),
        "activities": Upstream(PRESALE_ACTIVITY),
        "deposits": Upstream(PRESALE_DEPOSITS, LOOKBACK_DAYS, _DEPOSIT_COLUMNS),
        "lines": _FINAL_LINES,
        "refunds": _REFUNDS,
    },
    compute=presale_goods,
    bounded=True,
)


# ---- the conversion per presale ------------------------------------------------------------
class PresaleConversion(TableModel):
    """Presale conversion: one row per presale whose deposits have opened."""

    presale_activity_id: pl.Int64 = pa.Field(description="presale activity")
    activity_name: pl.String = pa.Field(description="presale activity name")
    presale_type: pl.String = pa.Field(isin=PRESALE_TYPES, description="618, 1111 or new_product")
    activity_status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    deposit_start: pl.Datetime("us") = pa.Field(description="deposits open")
    deposit_end: pl.Datetime("us") = pa.Field(description="deposits close")
    final_start: pl.Datetime("us") = pa.Field(description="final payments open")
    final_end: pl.Datetime("us") = pa.Field(description="final payments close")
    stage: pl.String = pa.Field(
        isin=STAGES,
        description=(
            "window dt falls in: final (final window touches dt), deposit (deposit window "
            "touches dt), waiting (between the two), closed (final window closed before dt)"
        ),
    )
    deposit_cnt: pl.Int64 = pa.Field(ge=0, description="deposits paid up to dt")
    deposit_user_cnt: pl.Int64 = pa.Field(ge=0, description="distinct buyers of those deposits")
    deposit_qty: pl.Int64 = pa.Field(ge=0, description="units of those deposits")
    deposit_amt: pl.Int64 = pa.Field(ge=0, description="deposits paid up to dt, fen")
    deduction_amt: pl.Int64 = pa.Field(ge=0, description="what those deposits deduct at final payment (膨胀), fen")
    deposit_cnt_1d: pl.Int64 = pa.Field(ge=0, description="deposits paid on dt")
    deposit_qty_1d: pl.Int64 = pa.Field(ge=0, description="units of the deposits paid on dt")
    deposit_amt_1d: pl.Int64 = pa.Field(ge=0, description="deposits paid on dt, fen")
    converted_cnt: pl.Int64 = pa.Field(
        ge=0,
        description=(
            "deposits converted by a final payment paid up to dt and not refunded as known on "
            "dt (a final payment refunded on its pay day never converts; one refunded later "
            "leaves the count from the refund day on)"
        ),
    )
    converted_qty: pl.Int64 = pa.Field(ge=0, description="units of the converted deposits")
    converted_deposit_amt: pl.Int64 = pa.Field(ge=0, description="deposit amount of the converted deposits, fen")
    converted_cnt_1d: pl.Int64 = pa.Field(
        ge=0, description="deposits whose final payment was paid on dt and not refunded that day"
    )
    conversion_rate: pl.Float64 = pa.Field(
        nullable=True,
        description=(
            "converted_cnt / deposit_cnt (pending deposits in the denominator: final once the "
            "final window has closed); null without deposits"
        ),
    )
    pending_cnt: pl.Int64 = pa.Field(
        ge=0, description="deposits without a final payment whose final window is still open at the end of dt"
    )
    pending_deposit_amt: pl.Int64 = pa.Field(ge=0, description="deposit amount of the pending deposits, fen")
    forfeited_cnt: pl.Int64 = pa.Field(
        ge=0, description="deposits without a final payment whose final window closed by the end of dt (定金不退)"
    )
    forfeited_qty: pl.Int64 = pa.Field(ge=0, description="units of the forfeited deposits")
    forfeited_deposit_amt: pl.Int64 = pa.Field(
        ge=0, description="deposit amount forfeited, fen: kept by the merchant, not GMV"
    )
    refunded_cnt: pl.Int64 = pa.Field(
        ge=0,
        description=(
            "deposits whose final payment was refunded by dt, on its pay day or later (the "
            "whole line, deposit included): neither converted, pending nor forfeited"
        ),
    )
    refunded_qty: pl.Int64 = pa.Field(ge=0, description="units of the refunded deposits")
    refunded_deposit_amt: pl.Int64 = pa.Field(ge=0, description="deposit amount of the refunded deposits, fen")
    final_gmv_amt: pl.Int64 = pa.Field(
        ge=0,
        description=(
            "GMV of the converted deposits: paid amount of their order lines (deposit + final "
            "payment), by final-payment day, up to dt, net of the refunds known on dt (the "
            "platform GMV of the same lines), fen"
        ),
    )
    final_gmv_amt_1d: pl.Int64 = pa.Field(
        ge=0, description="final_gmv_amt of the final payments paid on dt (same-day refunds out), fen"
    )
    final_payment_amt: pl.Int64 = pa.Field(
        ge=0, description="尾款 paid up to dt: paid amount of the converted lines − their deposits (net of refunds), fen"
    )
    final_payment_amt_1d: pl.Int64 = pa.Field(ge=0, description="尾款 paid on dt, fen")
    dt: pl.Date = partition_day()


_SUMS = [
    "deposit_cnt", "deposit_user_cnt", "deposit_qty", "deposit_amt", "deduction_amt",
    "deposit_cnt_1d", "deposit_qty_1d", "deposit_amt_1d",
    "converted_cnt", "converted_qty", "converted_deposit_amt", "converted_cnt_1d",
    "pending_cnt", "pending_deposit_amt", "forfeited_cnt", "forfeited_qty", "forfeited_deposit_amt",
    "refunded_cnt", "refunded_qty", "refunded_deposit_amt",
    "final_gmv_amt", "final_gmv_amt_1d", "final_payment_amt", "final_payment_amt_1d",
]


def presale_conversion(
    day: dt.date, activities: pl.DataFrame, deposits: pl.DataFrame, lines: pl.DataFrame,
    refunds: pl.DataFrame, lookback_days: int = LOOKBACK_DAYS,
) -> pl.DataFrame:
    """Per presale of the day's collection whose deposits opened by ``day`` (and within
    the ``lookback_days`` the deposits are read over, so that all its deposits are there):
    deposits paid, converted, refunded, pending and forfeited as of ``day`` (each deposit
    in exactly one of the last four), the conversion rate and the final-payment GMV, net of
    the refunds known on ``day``."""
    end = _next_midnight(day)
    first = day - dt.timedelta(days=lookback_days - 1)
    presales = activities.filter(
        (pl.col("deposit_start") < end) & (pl.col("deposit_start").dt.date() >= first)
    ).select(
        "presale_activity_id", "activity_name", "presale_type",
        pl.col("status").alias("activity_status"), *_WINDOWS,
    )
    linked = link_final_payments(day, deposits, lines, refunds).join(
        presales.select("presale_activity_id", "final_end"), on="presale_activity_id", how="inner"
    )
    converted, refunded = pl.col("is_converted"), pl.col("is_refunded")
    closed = pl.col("final_end") < end
    forfeited = ~converted & ~refunded & closed
    pending = ~converted & ~refunded & ~closed
    on_day = pl.col("deposit_date") == day
    final_on_day = converted & (pl.col("final_pay_date") == day)
    final_payment = (pl.col("final_paid_amt") - pl.col("deposit_amt")).clip(lower_bound=0)
    counts = linked.group_by("presale_activity_id").agg(
        deposit_cnt=pl.len(),
        deposit_user_cnt=pl.col("user_id").n_unique(),
        deposit_qty=pl.col("quantity").sum(),
        deposit_amt=pl.col("deposit_amt").sum(),
        deduction_amt=pl.col("deduction_amt").sum(),
        deposit_cnt_1d=on_day.sum(),
        deposit_qty_1d=pl.col("quantity").filter(on_day).sum(),
        deposit_amt_1d=pl.col("deposit_amt").filter(on_day).sum(),
        converted_cnt=converted.sum(),
        converted_qty=pl.col("quantity").filter(converted).sum(),
        converted_deposit_amt=pl.col("deposit_amt").filter(converted).sum(),
        converted_cnt_1d=final_on_day.sum(),
        pending_cnt=pending.sum(),
        pending_deposit_amt=pl.col("deposit_amt").filter(pending).sum(),
        forfeited_cnt=forfeited.sum(),
        forfeited_qty=pl.col("quantity").filter(forfeited).sum(),
        forfeited_deposit_amt=pl.col("deposit_amt").filter(forfeited).sum(),
        refunded_cnt=refunded.sum(),
        refunded_qty=pl.col("quantity").filter(refunded).sum(),
        refunded_deposit_amt=pl.col("deposit_amt").filter(refunded).sum(),
        final_gmv_amt=pl.col("final_paid_amt").filter(converted).sum(),
        final_gmv_amt_1d=pl.col("final_paid_amt").filter(final_on_day).sum(),
        final_payment_amt=final_payment.filter(converted).sum(),
        final_payment_amt_1d=final_payment.filter(final_on_day).sum(),
    )
    start = dt.datetime.combine(day, dt.time())
    touches = lambda a, b: (pl.col(a) < end) & (pl.col(b) >= start)  # noqa: E731
    return (
        presales.join(counts, on="presale_activity_id", how="left", maintain_order="left")
        .with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in _SUMS])
        .with_columns(
            stage=pl.when(touches("final_start", "final_end")).then(pl.lit("final"))
            .when(touches("deposit_start", "deposit_end")).then(pl.lit("deposit"))
            .when(pl.col("final_end") < start).then(pl.lit("closed"))
            .otherwise(pl.lit("waiting")),
            conversion_rate=ratio("converted_cnt", "deposit_cnt"),
        )
    )


def _conversion_lineage() -> dict:
    """Deposit columns come from the deposits; conversion, refund, pending and forfeit
    columns from deposits matched to final-payment lines and their refunds (and the final
    window); GMV from lines net of refunds."""
    deposits = tuple(("deposits", c) for c in ("user_id", "sku_id", "quantity", "deposit_amt", "pay_time"))
    finals = tuple(("lines", c) for c in ("user_id", "sku_id", "order_time", "pay_time")) + (
        ("refunds", "refund_time"),
    )
    lineage = {}
    for column, dtype in PresaleConversion.to_schema().dtypes.items():
        if str(dtype) not in ("Int64", "Float64") or column == "presale_activity_id":
            continue
        if column.startswith(("deposit", "deduction")):
            lineage[column] = deposits + (("deposits", "deduction_amt"),)
        elif column.startswith("final"):
            lineage[column] = (("lines", "paid_amt"), ("deposits", "deposit_amt")) + finals
        else:  # converted, pending, forfeited, conversion_rate
            lineage[column] = deposits + finals + (("activities", "final_end"),)
    return lineage


def _conversion_headline(frame: pl.DataFrame) -> dict:
    totals = {m: int(frame[m].sum()) for m in (
        "deposit_cnt", "converted_cnt", "refunded_cnt", "forfeited_cnt", "pending_cnt", "final_gmv_amt",
        "forfeited_deposit_amt",
    )}
    return {
        "presales": frame.height,
        **totals,
        "conversion_rate": round(totals["converted_cnt"] / totals["deposit_cnt"], 4) if totals["deposit_cnt"] else None,
    }


PRESALE_CONVERSION = DerivedTable(
    "redcdm", "dm_ecm_mkt_presale_conversion_1d_di",
    model=PresaleConversion,
    grain=("presale_activity_id",),
    group=GROUP,
    layer="dm",
    what=(
        "Presale conversion as of dt per presale whose deposits have opened: deposits paid "
        "(count, buyers, units, amount; on dt and up to dt), deposits converted by a final "
        "payment (the buyer's presale order line of the SKU ordered at the deposit's pay "
        "time) not refunded as known on dt, conversion rate (converted / deposits), "
        "refunded deposits (final payment refunded on its pay day, never converted, or "
        "later, out of the converted from the refund day on), pending deposits, forfeited "
        "deposits (final window closed without a final payment: kept by the merchant, not "
        "GMV) and the final-payment GMV (deposit + final payment of the converted lines, "
        "by final-payment day, net of refunds like the platform GMV)"
    ),
    chinese_name="预售定金转化汇总",
    inputs={
        "activities": Upstream(PRESALE_ACTIVITY),
        "deposits": Upstream(PRESALE_DEPOSITS, LOOKBACK_DAYS, _DEPOSIT_COLUMNS),
        "lines": _FINAL_LINES,
        "refunds": _REFUNDS,
    },
    compute=presale_conversion,
    headline=_conversion_headline,
    lineage=_conversion_lineage(),
)
