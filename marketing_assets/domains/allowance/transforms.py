"""Allowance transforms: pure polars, one day at a time."""

import datetime as dt

import polars as pl

from marketing_assets.metrics import LOOKBACK_DAYS, in_period


def _yuan(column: str) -> pl.Expr:
    fen = pl.col(column)
    whole = (fen // 100).cast(pl.String)
    cents = (fen % 100).cast(pl.String).str.zfill(2)
    return pl.when(fen % 100 == 0).then(whole).otherwise(pl.concat_str(whole, pl.lit("."), cents))


def template_day(day: dt.date, templates: pl.DataFrame) -> pl.DataFrame:
    """redcdm.dim_trd_allowance_template_day from the member_points_template dump."""
    return templates.with_columns(
        rule_text=pl.concat_str(
            pl.lit("每满 "), _yuan("step_threshold"), pl.lit(" 减 "), _yuan("step_discount"), pl.lit(" (yuan)")
        )
    )


def _intervals(frame: pl.DataFrame, group: str, order: list[str], amount: str, prefix: str) -> pl.DataFrame:
    """Cumulative [lo, hi) of ``amount`` within ``group``, rows in ``order``."""
    hi = pl.col(amount).cum_sum().over(group, order_by=order)
    return frame.with_columns(hi.alias(f"{prefix}hi")).with_columns(
        (pl.col(f"{prefix}hi") - pl.col(amount)).alias(f"{prefix}lo")
    )


def allowance_line_uses(
    records: pl.DataFrame, details: pl.DataFrame, allowance_lines: pl.DataFrame
) -> pl.DataFrame:
    """Each allowance's part of each line of an order it paid for.

    ``records``: use actions (record_id, order_id); ``details``: what each action took from
    each allowance; ``allowance_lines``: (order_id, package_id, goods_id, line_allowance_amt).
    An order's allowance amounts and its lines' allowance discounts are laid end to end
    (allowances by id, lines by package and goods) and each allowance gets the overlap with
    each line: integer fen, per line summing to the line's discount and per allowance to what
    the action took from it.
    """
    taken = (
        details.join(records.select("record_id", "order_id"), on="record_id")
        .group_by("order_id", "allowance_id")
        .agg(pl.col("amount").sum())
    )
    taken = _intervals(taken, "order_id", ["allowance_id"], "amount", "a_")
    lines = _intervals(allowance_lines, "order_id", ["package_id", "goods_id"], "line_allowance_amt", "l_")
    return (
        taken.join(lines, on="order_id")
        .with_columns(
            use_amt=(pl.min_horizontal("a_hi", "l_hi") - pl.max_horizontal("a_lo", "l_lo")).clip(lower_bound=0)
        )
        .filter(pl.col("use_amt") > 0)
        .select("allowance_id", "order_id", "package_id", "goods_id", "use_amt")
    )


def allowance_get_use(
    day: dt.date,
    allowances: pl.DataFrame,
    records: pl.DataFrame,
    details: pl.DataFrame,
    discounts: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    templates: pl.DataFrame,
) -> pl.DataFrame:
    """redcdm.dm_ecm_trd_mkt_activity_user_allowance_get_use_1d_df: every allowance claimed
    in the last 600 days with the lines it paid for, as known on ``day``. Lines refunded on
    their pay day never count; lines refunded later drop out from the refund day on (the
    allowance keeps a row, unused, if nothing else is left)."""
    line = lines.select(
        "order_id", "package_id", "goods_id", "seller_id", "pay_time",
        pl.col("paid_amt").alias("line_paid_amt"),
    )
    allowance_lines = discounts.filter(pl.col("discount_source") == "allowance").select(
        "package_id", "goods_id", pl.col("discount_amt").alias("line_allowance_amt")
    ).join(line.select("order_id", "package_id", "goods_id"), on=["package_id", "goods_id"])
    uses = allowance_line_uses(
        records.filter(pl.col("record_type") == "use"), details, allowance_lines
    )
    refund = refunds.group_by("package_id", "goods_id").agg(pl.col("refund_time").min())
    uses = (
        uses.join(line.drop("order_id"), on=["package_id", "goods_id"])
        .join(refund, on=["package_id", "goods_id"], how="left")
        .with_columns(pay_date=pl.col("pay_time").dt.date())
        .filter(pl.col("refund_time").is_null())  # same-day refunds and later ones known by day
        .drop("refund_time")
    )
    names = templates.select("allowance_template_id", "template_name")
    return (
        allowances.with_columns(claim_date=pl.col("claim_time").dt.date())
        .filter(in_period("claim_date", day, LOOKBACK_DAYS))
        .select(
            "allowance_id", "user_id", "allowance_template_id", "claim_time", "claim_date",
            "expire_time", "amount", "balance", "status",
        )
        .join(names, on="allowance_template_id", how="left", maintain_order="left")
        .join(uses, on="allowance_id", how="left", maintain_order="left")
        .with_columns(is_used=pl.col("package_id").is_not_null())
    )
