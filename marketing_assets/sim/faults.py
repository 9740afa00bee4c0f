"""Fault injection: break one landed day the way real exports break, to show which
data-quality check fires (``python -m marketing_assets.sim … --inject KIND``).

Each fault rewrites the landed files of one day in place (uncompressed landings only),
vectorised over the file's lines, and returns a one-line account of what it changed.
"""

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl

from marketing_assets.sim.exports import CLAIMED_COUPONS_MONGO as GOODS_COUPON
from marketing_assets.sim.exports import COUPON_TEMPLATES as TEMPLATE_MYSQL
from marketing_assets.sim.exports import COUPON_TEMPLATES_MONGO as TEMPLATE_MONGO
from marketing_assets.sim.exports import DISCOUNTS, ORDER_LINES, REFUNDS, VISITS, day_folder
NULL = "\\N"


def _files(root: Path, table: str, day: dt.date) -> list[Path]:
    files = sorted(p for p in day_folder(root, table, day).glob("part-*") if p.stat().st_size)
    if not files:
        raise ValueError(f"nothing landed for {table} on {day} under {root}")
    if any(p.suffix == ".gz" for p in files):
        raise ValueError("faults are injected into uncompressed landings only")
    return files


def _read_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, null_values=[NULL])


def _write_csv(path: Path, frame: pl.DataFrame) -> None:
    frame.write_csv(path, null_value=NULL)


def _csv_fault(table: str, change: Callable[[pl.DataFrame], pl.DataFrame]):
    def fault(root: Path, day: dt.date) -> str:
        before = after = 0
        for path in _files(root, table, day):
            frame = _read_csv(path)
            changed = change(frame)
            before, after = before + frame.height, after + changed.height
            _write_csv(path, changed)
        return f"{table} {day}: {before:,} rows → {after:,} rows rewritten"

    return fault


def _jsonl_fault(table: str, change: Callable[[pl.Series], pl.Series]):
    def fault(root: Path, day: dt.date) -> str:
        touched = 0
        for path in _files(root, table, day):
            lines = pl.Series(path.read_text(encoding="utf-8").splitlines())
            changed = change(lines)
            touched += int((changed != lines).sum())
            path.write_text("\n".join(changed.to_list()) + "\n", encoding="utf-8")
        return f"{table} {day}: {touched:,} records changed"

    return fault


def _duplicates(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([frame, frame.head(max(1, frame.height // 20))])  # 5 % repeated


def _zero_amounts(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(paid_amt=pl.lit("0"))


def _unclaimed(frame: pl.DataFrame) -> pl.DataFrame:
    coupon = pl.col("discount_source").is_in(["store_coupon", "platform_coupon"])
    rank = pl.when(coupon).then(pl.int_range(pl.len())).otherwise(None)
    fake = (pl.lit(990_000_000) + rank).cast(pl.String)
    return frame.with_columns(source_id=pl.when(coupon & (rank.rank("ordinal") <= 5)).then(fake).otherwise("source_id"))


def _volume_drop(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.int_range(pl.len()) % 5 == 0)  # keep 20 %


def _late(frame: pl.DataFrame) -> pl.DataFrame:
    shifted = (pl.col("pay_time").str.to_datetime("%Y-%m-%d %H:%M:%S") - pl.duration(days=3)).dt.strftime(
        "%Y-%m-%d %H:%M:%S")
    pick = pl.int_range(pl.len()) % 5 == 0  # 20 % of the lines
    return frame.with_columns(pay_time=pl.when(pick).then(shifted).otherwise("pay_time"))


def _discount_over_threshold(frame: pl.DataFrame) -> pl.DataFrame:
    target = (pl.col("threshold_amount").cast(pl.Int64) > 0).arg_true().first()
    hit = pl.int_range(pl.len()) == target
    over = (pl.col("threshold_amount").cast(pl.Int64) + 100).cast(pl.String)
    return frame.with_columns(discount_amount=pl.when(hit).then(over).otherwise("discount_amount"))


DISCOUNT = re.compile(r'"discount":\{"\$numberDecimal":"[0-9.]+"\}')


def _mongo_disagrees(lines: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"line": lines})
    last = pl.int_range(pl.len()) == pl.len() - 1  # the template's latest change of the file
    changed = pl.col("line").str.replace(DISCOUNT.pattern, '"discount":{"$$numberDecimal":"0.01"}')
    return frame.select(pl.when(last).then(changed).otherwise(pl.col("line"))).to_series()


def _missing_source(root: Path, day: dt.date) -> str:
    folder = day_folder(root, REFUNDS, day)
    shutil.rmtree(folder)
    return f"{folder} removed"


def _mongo_first_file(change):
    def fault(root: Path, day: dt.date) -> str:
        last = _files(root, TEMPLATE_MONGO, day)[-1]  # the last hour with changes
        lines = pl.Series(last.read_text(encoding="utf-8").splitlines())
        last.write_text("\n".join(change(lines).to_list()) + "\n", encoding="utf-8")
        return f"{TEMPLATE_MONGO} {day}: last record of {last.name} changed"

    return fault


FAULTS: dict[str, tuple[str, Callable[[Path, dt.date], str]]] = {
    "duplicate_records": ("5 % of the day's order lines landed twice", _csv_fault(ORDER_LINES, _duplicates)),
    "missing_source": ("the refund export of the day never landed", _missing_source),
    "zero_amounts": ("every order line's paid amount zeroed", _csv_fault(ORDER_LINES, _zero_amounts)),
    "unclaimed_coupon_uses": ("five coupon discounts point at coupons never claimed", _csv_fault(DISCOUNTS, _unclaimed)),
    "volume_drop": ("80 % of the day's goods visits lost", _csv_fault(VISITS, _volume_drop)),
    "renamed_field": ("claim_channel renamed claim_chanel in the Mongo claimed coupons",
                      _jsonl_fault(GOODS_COUPON, lambda s: s.str.replace('"claim_channel":', '"claim_chanel":', literal=True))),
    "late_data": ("20 % of the day's order lines paid three days earlier than they landed", _csv_fault(ORDER_LINES, _late)),
    "discount_over_threshold": ("a template whose discount exceeds its threshold (MySQL dump)",
                                _csv_fault(TEMPLATE_MYSQL, _discount_over_threshold)),
    "mongo_mysql_disagree": ("the Mongo copy of a template changed on the day disagrees with MySQL",
                             _mongo_first_file(_mongo_disagrees)),
}


def inject(kind: str, root: Path, day: dt.date) -> str:
    if kind not in FAULTS:
        raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULTS)}")
    return FAULTS[kind][1](root, day)
