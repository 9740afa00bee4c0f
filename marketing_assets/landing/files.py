"""Finding a landed table-day and splitting its files into numbered lines.

Layout: ``<root>/<table>/dt=YYYY-MM-DD/part-*.{jsonl,csv}[.gz]``. A day folder holding
only the marker ``_EMPTY`` is a source that truly had no records that day.

Names are matched exactly (lower-case suffixes, as the exporters write them): any other
file of a day folder (``part-00002.CSV``, ``README.txt``, ``.DS_Store``) is not read and is
listed as ignored in the materialisation metadata, never dropped silently.

Nothing outside the landing root is read: a day folder (or table folder) that resolves
outside the root is refused with ``LandingOutsideRootError``; a data file that is a link
resolving outside the root is not read and becomes a quarantine row (no contents).

A line longer than ``max_line_bytes()`` is not parsed: it keeps only its first
``RAW_PREFIX_BYTES`` bytes and goes to the quarantine with its size as the reason.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import os
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

EMPTY_MARKER = "_EMPTY"
PART_PATTERN = re.compile(r"^part-[\w.-]*\.(jsonl|json|csv)(\.gz)?$")
HOUR_PATTERN = re.compile(r"^part-(\d{2})\b")

MAX_LINE_ENV = "MARKETING_MAX_LINE_BYTES"
#: a landed line longer than this is quarantined unparsed (override: $MARKETING_MAX_LINE_BYTES)
MAX_LINE_BYTES = 4 * 1024 * 1024
#: how much of an over-long line the quarantine keeps in ``raw``
RAW_PREFIX_BYTES = 1024
OUTSIDE_ROOT = "link outside the landing root: not read"


class LandingMissingError(FileNotFoundError):
    """A day's landing folder (or its data) is not there: the run must not invent data."""


class LandingOutsideRootError(LandingMissingError):
    """A day's folder resolves outside the landing root (a link): it is never read."""


@dataclass(frozen=True)
class LandedDay:
    table: str
    day: dt.date
    folder: Path
    files: tuple[Path, ...]
    empty_marker: bool
    #: names in the folder that are not read (not a data file name, or a link outside the root)
    ignored: tuple[str, ...] = ()
    #: data files that are links resolving outside the landing root (not read)
    outside_root: tuple[Path, ...] = ()

    def relative(self, path: Path, root: Path) -> str:
        return path.relative_to(root).as_posix()


def max_line_bytes() -> int:
    """The longest landed line that is parsed, read from the environment when called."""
    value = int(os.environ.get(MAX_LINE_ENV) or MAX_LINE_BYTES)
    if value < RAW_PREFIX_BYTES:
        raise ValueError(f"{MAX_LINE_ENV} must be at least {RAW_PREFIX_BYTES}, got {value}")
    return value


def day_folder(root: Path, table: str, day: dt.date) -> Path:
    return root / table / f"dt={day.isoformat()}"


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links resolved, lies inside the resolved landing ``root``."""
    return path.resolve().is_relative_to(root.resolve())


def _split(folder: Path) -> tuple[list[Path], list[Path], list[str]]:
    """(data files inside the root, data files linked outside it, names ignored).

    ``folder`` is ``<root>/<table>/dt=…``: the root is two levels up.
    """
    root = folder.parent.parent
    read, outside, ignored = [], [], []
    for path in sorted(folder.iterdir()):
        if PART_PATTERN.match(path.name) and path.is_file():
            (read if inside(path, root) else outside).append(path)
        elif path.name != EMPTY_MARKER:
            ignored.append(path.name)
    return read, outside, ignored


def data_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The files of a day folder the loader reads (sorted), and the names it ignores.

    The one definition of "what the loader reads": the landing sensor's fingerprint and
    the ODS load both use it, so a file the loader ignores never changes a fingerprint.
    A folder resolving outside the landing root reads nothing (and is not listed); a data
    file linked outside it is among the ignored names.
    """
    if not inside(folder, folder.parent.parent):
        return [], []  # not even listed: ``locate`` refuses the folder, naming it
    read, outside, ignored = _split(folder)
    return read, sorted([*ignored, *(p.name for p in outside)])


def locate(root: Path, table: str, day: dt.date) -> LandedDay:
    """The files landed for one table-day; raises with the missing path if none landed."""
    folder = day_folder(root, table, day)
    if not folder.is_dir():
        raise LandingMissingError(
            f"landing folder missing: {folder} — the export of {table} for {day} never "
            f"landed; land it (or an {EMPTY_MARKER} marker if the source had no records)"
        )
    if not inside(folder, root):
        raise LandingOutsideRootError(
            f"{folder} resolves outside the landing root {root} (a link): not read; land "
            f"the files in the day folder itself"
        )
    read, outside, ignored = _split(folder)
    marker = (folder / EMPTY_MARKER).exists()
    if not read and not outside and not marker:
        raise LandingMissingError(
            f"no data files (part-*.jsonl|csv[.gz]) and no {EMPTY_MARKER} marker in {folder}"
            + (f" (ignored: {', '.join(ignored)})" if ignored else "")
        )
    return LandedDay(
        table, day, folder, tuple(read), marker, tuple(ignored), tuple(outside)
    )


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: not a readable gzip file ({exc})") from exc
    return data


def _utf8_prefix(line: bytes, size: int) -> bytes:
    """The first ``size`` bytes of ``line``, shortened to whole UTF-8 characters if it can."""
    cut = line[:size]
    for back in range(4):
        try:
            cut[: len(cut) - back].decode()
        except UnicodeDecodeError:
            continue
        return cut[: len(cut) - back]
    return cut


def split_lines(data: bytes, file: str) -> tuple[pl.DataFrame, int]:
    """The non-blank lines of a file and the number of blank lines skipped.

    Columns: ``_src_file``, ``_src_line`` (1-based), ``raw`` (bytes, a trailing ``\\r``
    removed), ``_last_unterminated`` (the file's final line had no newline: a truncated
    write looks like this), ``_line_reject`` (the reason of a line over
    ``max_line_bytes()``, whose ``raw`` keeps only its first ``RAW_PREFIX_BYTES``; else null).
    A UTF-8 byte order mark at the start of the file is not part of its first line.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    lines = data.split(b"\n")
    del data
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
    del lines
    blank = pl.col("raw").is_in([b"", b"\r"])
    n_blank = int(frame.select(blank.sum()).item())
    frame = frame.filter(~blank).with_columns(
        pl.when(pl.col("raw").bin.ends_with(b"\r"))
        .then(pl.col("raw").bin.slice(0, pl.col("raw").bin.size() - 1))
        .otherwise(pl.col("raw"))
        .alias("raw")
    )
    limit = max_line_bytes()
    size = pl.col("raw").bin.size()
    reason = pl.format(
        f"line of {{}} bytes over the limit of {limit} bytes: not parsed "
        f"(raw keeps its first {RAW_PREFIX_BYTES} bytes)",
        size,
    )
    frame = frame.with_columns(_line_reject=pl.when(size > limit).then(reason))
    over = frame["_line_reject"].is_not_null().arg_true()
    if len(over):  # only the few over-long lines (each is megabytes): keep their prefix
        raw = frame["raw"]
        prefixes = [_utf8_prefix(line, RAW_PREFIX_BYTES) for line in raw.gather(over)]
        frame = frame.with_columns(raw=raw.scatter(over, pl.Series(prefixes, dtype=pl.Binary)))
    return frame.select(
        "_src_file", "_src_line", "raw", "_last_unterminated", "_line_reject"
    ), n_blank


def hour_of(file_name: str) -> int | None:
    match = HOUR_PATTERN.match(file_name)
    return int(match.group(1)) if match else None
