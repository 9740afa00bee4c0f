"""Finding a landed table-day and splitting its files into numbered lines.

Layout: ``<root>/<table>/dt=YYYY-MM-DD/part-*.{jsonl,csv}[.gz]``. A day folder holding
only the marker ``_EMPTY`` is a source that truly had no records that day.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

EMPTY_MARKER = "_EMPTY"
PART_PATTERN = re.compile(r"^part-[\w.-]*\.(jsonl|json|csv)(\.gz)?$")
HOUR_PATTERN = re.compile(r"^part-(\d{2})\b")


class LandingMissingError(FileNotFoundError):
    """A day's landing folder (or its data) is not there: the run must not invent data."""


@dataclass(frozen=True)
class LandedDay:
    table: str
    day: dt.date
    folder: Path
    files: tuple[Path, ...]
    empty_marker: bool

    def relative(self, path: Path, root: Path) -> str:
        return path.relative_to(root).as_posix()


def day_folder(root: Path, table: str, day: dt.date) -> Path:
    return root / table / f"dt={day.isoformat()}"


def locate(root: Path, table: str, day: dt.date) -> LandedDay:
    """The files landed for one table-day; raises with the missing path if none landed."""
    folder = day_folder(root, table, day)
    if not folder.is_dir():
        raise LandingMissingError(
            f"landing folder missing: {folder} — the export of {table} for {day} never "
            f"landed; land it (or an {EMPTY_MARKER} marker if the source had no records)"
        )
    files = tuple(sorted(p for p in folder.iterdir() if PART_PATTERN.match(p.name)))
    marker = (folder / EMPTY_MARKER).exists()
    if not files and not marker:
        raise LandingMissingError(
            f"no data files (part-*.jsonl|csv[.gz]) and no {EMPTY_MARKER} marker in {folder}"
        )
    return LandedDay(table, day, folder, files, marker)


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: not a readable gzip file ({exc})") from exc
    return data


def split_lines(data: bytes, file: str) -> tuple[pl.DataFrame, int]:
    """The non-blank lines of a file and the number of blank lines skipped.

    Columns: ``_src_file``, ``_src_line`` (1-based), ``raw`` (bytes, a trailing ``\\r``
    removed), ``_last_unterminated`` (the file's final line had no newline: a truncated
    write looks like this).
    """
    lines = data.split(b"\n")
    unterminated = lines[-1] != b""
    if not unterminated:
        lines = lines[:-1]
    frame = pl.DataFrame({"raw": pl.Series(lines, dtype=pl.Binary)}).with_columns(
        pl.lit(file).alias("_src_file"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_src_line"),
        ((pl.int_range(1, pl.len() + 1) == pl.len()) & pl.lit(unterminated)).alias(
            "_last_unterminated"
        ),
    )
    blank = pl.col("raw").is_in([b"", b"\r"])
    n_blank = int(frame.select(blank.sum()).item())
    frame = frame.filter(~blank).with_columns(
        pl.when(pl.col("raw").bin.ends_with(b"\r"))
        .then(pl.col("raw").bin.slice(0, pl.col("raw").bin.size() - 1))
        .otherwise(pl.col("raw"))
        .alias("raw")
    )
    return frame.select("_src_file", "_src_line", "raw", "_last_unterminated"), n_blank


def hour_of(file_name: str) -> int | None:
    match = HOUR_PATTERN.match(file_name)
    return int(match.group(1)) if match else None
