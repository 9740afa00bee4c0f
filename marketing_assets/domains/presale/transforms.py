"""Presale (预售) transforms: pure polars, one day at a time (``day`` is the partition day).

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

import polars as pl

from marketing_assets.derived import latest_by_key
from marketing_assets.metrics import LOOKBACK_DAYS, ratio

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


# ---- DIM -----------------------------------------------------------------------------------
def presale_goods(
    day: dt.date,
    sales: pl.DataFrame,
    activities: pl.DataFrame,
    deposits: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
) -> pl.DataFrame:
    """redcdm.dim_presale_activity_goods_relation_df: presale × SKU as of ``day`` (latest
    row of the SKU collection; presales no longer in the day's collection left out) with
    the per-unit price, deposit, deduction, final payment and presale discount, the
    presale's windows and the SKU's deposits, conversions and refunded final payments as
    known on ``day``."""
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


# ---- DM ------------------------------------------------------------------------------------
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
    """redcdm.dm_ecm_mkt_presale_conversion_1d_di: per presale of the day's collection whose
    deposits opened by ``day`` (and within the ``lookback_days`` the deposits are read
    over, so that all its deposits are there): deposits paid, converted, refunded, pending
    and forfeited as of ``day`` (each deposit in exactly one of the last four), the
    conversion rate and the final-payment GMV, net of the refunds known on ``day``."""
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
