"""The builder of the seller-level result tables (coupon and promotion effect per seller,
and per seller and one more key, over the stat periods ending dt): what they share is the
grain, the layer and the shape of the headline; each domain gives its inputs, its metrics
function and its lineage."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.table import TableCheck, TableModel


def seller_headline(metrics: Sequence[str], rows: str = "sellers_1d") -> Callable[[pl.DataFrame], dict]:
    """A headline of the 1-day period: its row count (as ``rows``), the day's total of each
    of ``metrics`` (``<metric>_1d``) and the day's ROI (pay_amt / discount_amt, which
    ``metrics`` must hold; None without discount)."""

    def headline(frame: pl.DataFrame) -> dict:
        day = frame.filter(pl.col("stat_period") == 1)
        totals = {m: int(day[m].sum()) for m in metrics}
        return {
            rows: day.height,
            **{f"{k}_1d": v for k, v in totals.items()},
            "roi_1d": round(totals["pay_amt"] / totals["discount_amt"], 4) if totals["discount_amt"] else None,
        }

    return headline


def seller_table(
    database: str,
    name: str,
    model: type[TableModel],
    by: tuple[str, ...],
    what: str,
    chinese_name: str,
    *,
    group: str,
    inputs: Mapping[str, Upstream],
    metrics: Callable[..., pl.DataFrame],
    headline: Callable[[pl.DataFrame], dict] | None,
    lineage: Mapping[str, tuple[tuple[str, str], ...]],
    checks: tuple[TableCheck, ...] = (),
) -> DerivedTable:
    """A seller-level table: grain seller × ``by`` × stat period, layer dm, computed by
    ``metrics(day, **frames, by=by)`` over the windows of ``inputs``. Its code reference is
    the line that calls this."""

    def compute(day, **frames):
        return metrics(day, **frames, by=by)

    return DerivedTable(
        database, name,
        model=model,
        grain=("seller_id", *by, "stat_period"),
        group=group,
        layer="dm",
        what=what,
        chinese_name=chinese_name,
        inputs=dict(inputs),
        compute=compute,
        headline=headline,
        lineage=lineage,
        checks=checks,
    )
