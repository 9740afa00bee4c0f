"""Apportionment (分摊) of a discount over the lines it covers (catalog, pricing rule 4).

A discount covering several lines is split in proportion to the lines' amounts at that
step, the lines taken in ascending ``goods_id``: each share is rounded down to the fen
and the last line takes the remainder.

The remainder is at most (number of lines − 1) fen, but the last line's own amount can be
smaller than its share plus the remainder (amounts 300, 300, 100 fen and a 600-fen
discount: shares 257, 257, 85, remainder 1 — fine; amounts 3, 3, 1 and 6: shares 2, 2, 0,
remainder 2 > 1 left on the last line). So the rule is applied as "the last line takes the
remainder, as far as its amount goes; what it cannot take goes to the line before it, and
so on": in every ordinary case that is exactly the catalog's rule, and no line ever goes
below zero (the discount never exceeds the covered amount, so the remainder always fits).

Integer arithmetic only; the products ``discount × amount`` are taken in Int128.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

_INT64_SAFE = 2**63 - 1


def split_columns(
    frame: pl.DataFrame,
    group_cols: Sequence[str],
    amount_col: str,
    discount_col: str,
    out_col: str,
) -> pl.DataFrame:
    """Add ``out_col``, each row's share of its group's discount.

    ``frame`` must already hold each group's rows in split order (ascending ``goods_id``):
    the remainder goes to the group's last row. ``discount_col`` holds the group's whole
    discount on every row of the group (null = 0) and must not exceed the group's total
    ``amount_col``; amounts must be ≥ 0. Vectorised: window functions over the groups
    with a discount only, the result scattered back into a column of zeros.
    """
    g = list(group_cols)
    sub = (
        frame.select(*g, amount_col, discount_col)
        .with_row_index("__ap_pos")
        .filter(pl.col(discount_col) > 0)
    )
    out = pl.zeros(frame.height, pl.Int64, eager=True).alias(out_col)
    if sub.height:
        out.scatter(sub.get_column("__ap_pos"), _split(sub, g, amount_col, discount_col))
    return frame.with_columns(out)


def _split(sub: pl.DataFrame, g: list[str], amount_col: str, discount_col: str) -> pl.Series:
    """The split on the rows of the groups with a discount, in split order."""
    amount, discount = pl.col(amount_col), pl.col(discount_col)
    row, total, last = pl.col("__ap_row"), pl.col("__ap_total"), pl.col("__ap_last")
    sub = sub.with_row_index("__ap_row").with_columns(
        amount.sum().over(g).alias("__ap_total"), row.max().over(g).alias("__ap_last")
    )
    big = sub.select(amount.max().cast(pl.Int128) * discount.max()).item() > _INT64_SAFE
    product = discount.cast(pl.Int128) * amount if big else discount * amount
    sub = sub.with_columns(
        pl.when(total > 0).then((product // total).cast(pl.Int64)).otherwise(0).alias("__ap_share")
    )
    share = pl.col("__ap_share")
    sub = sub.with_columns(
        (discount - share.sum().over(g)).alias("__ap_rem"), (amount - share).alias("__ap_cap")
    )
    rem, cap = pl.col("__ap_rem"), pl.col("__ap_cap")
    # the last row takes the remainder as far as its amount goes ...
    taken = pl.when(row == last).then(pl.min_horizontal(cap, rem)).otherwise(0)
    sub = sub.with_columns((share + taken).alias("__ap_out"), (rem - taken).alias("__ap_left"))
    result = sub.get_column("__ap_out")
    left_over = sub.filter((row == last) & (pl.col("__ap_left") > 0))
    if left_over.height:
        # ... and the rows before it, from the last back, the rest: the capacity of the
        # rows after each row (reverse cumulative sum, exclusive), on those groups only
        redo = sub.join(left_over.select(g), on=g, how="semi", nulls_equal=True).sort("__ap_row")
        after = cap.cum_sum(reverse=True).over(g) - cap
        redo = redo.with_columns(
            (share + pl.min_horizontal(cap, (rem - after).clip(lower_bound=0))).alias("__ap_out")
        )
        result = result.clone()
        result.scatter(redo.get_column("__ap_row"), redo.get_column("__ap_out"))
    return result


def apportion(
    frame: pl.DataFrame,
    group_cols: str | Sequence[str],
    amount_col: str,
    discount_col: str,
    order_col: str | Sequence[str] = "goods_id",
) -> pl.Series:
    """Each row's share of its group's discount, aligned with ``frame``'s rows.

    ``discount_col`` holds the group's discount on each of its rows; the rows of a group
    are split in ascending ``order_col`` (the last one takes the remainder). Returns an
    Int64 series named ``discount_col``. A negative amount, or a discount above its
    group's amount, is a ``ValueError``.
    """
    groups = [group_cols] if isinstance(group_cols, str) else list(group_cols)
    order = [order_col] if isinstance(order_col, str) else list(order_col)
    bad = frame.select(
        (pl.col(amount_col) < 0).any()
        | (pl.col(discount_col).fill_null(0) > pl.col(amount_col).sum().over(groups)).any()
        | (pl.col(discount_col) < 0).any()
    ).item()
    if bad:
        raise ValueError("apportion: amounts and discounts must be ≥ 0, discounts ≤ amounts")
    work = (
        frame.select([*dict.fromkeys([*groups, *order, amount_col, discount_col])])
        .with_row_index("__ap_row")
        .sort([*groups, *order], maintain_order=True)
    )
    work = split_columns(work, groups, amount_col, discount_col, "__ap_out")
    return work.sort("__ap_row")["__ap_out"].alias(discount_col)

