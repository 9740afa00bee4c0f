"""Run-time configuration from environment variables, with defaults under ``data/``.

Values are read when called (by resources at run time), never at import time, so a
``dagster dev`` started once follows the environment of the process that runs the step.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

#: the calendar of every partition, run window and "yesterday"
TIMEZONE = "Asia/Shanghai"

LANDING_DIR_ENV = "MARKETING_LANDING_DIR"
DUCKDB_PATH_ENV = "MARKETING_DUCKDB_PATH"


def landing_dir() -> Path:
    """Root of the landed source files: ``<root>/<ods table>/dt=YYYY-MM-DD/part-*``."""
    return Path(os.environ.get(LANDING_DIR_ENV) or DATA_DIR / "landing")


def duckdb_path() -> Path:
    """Path of the DuckDB warehouse file."""
    return Path(os.environ.get(DUCKDB_PATH_ENV) or DATA_DIR / "warehouse.duckdb")


DUCKDB_MEMORY_ENV = "MARKETING_DUCKDB_MEMORY_LIMIT"


MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for every connection (its default, 80 % of RAM, competes with
    polars in the same process; measured: a large day's ODS load ran out of 24 GiB)."""
    value = os.environ.get(DUCKDB_MEMORY_ENV) or "4GB"
    if not MEMORY_SIZE.match(value):
        raise ValueError(f"{DUCKDB_MEMORY_ENV} must be a size such as 4GB or 512MiB, got {value!r}")
    return value


#: bytes per unit of a size: DuckDB's convention (KB = 1000 B, KiB = 1024 B)
SIZE_UNITS = {
    "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
}


def size_bytes(value: str) -> int:
    """Bytes of a size such as ``4GB`` or ``512MiB`` (the forms ``MEMORY_SIZE`` accepts)."""
    match = MEMORY_SIZE.match(value)
    if not match:
        raise ValueError(f"not a size such as 4GB or 512MiB: {value!r}")
    return int(float(value[: match.start(2)]) * SIZE_UNITS[match.group(2)])


RUN_MEMORY_BUDGET_ENV = "MARKETING_RUN_MEMORY_BUDGET"
#: the polars frames of one chunk of a range run; with the process (~0.6 GiB: Dagster and
#: the definitions) and DuckDB's own working memory it keeps a run's peak near 4 GiB
DEFAULT_RUN_MEMORY_BUDGET = "1536MiB"


def run_memory_budget() -> int:
    """Bytes the estimated in-memory frames of one chunk of a derived table's range run may
    take (``MARKETING_RUN_MEMORY_BUDGET``, a size such as 1536MiB or 2GB): a range is cut
    into chunks of consecutive days that each stay under it (a chunk is at least one day)."""
    value = os.environ.get(RUN_MEMORY_BUDGET_ENV) or DEFAULT_RUN_MEMORY_BUDGET
    if not MEMORY_SIZE.match(value):
        raise ValueError(
            f"{RUN_MEMORY_BUDGET_ENV} must be a size such as 1536MiB or 2GB, got {value!r}"
        )
    budget = size_bytes(value)
    if budget < 1:
        raise ValueError(f"{RUN_MEMORY_BUDGET_ENV} must be more than 0 bytes, got {value!r}")
    return budget


CHUNK_MAX_DAYS_ENV = "MARKETING_RUN_CHUNK_MAX_DAYS"


def run_chunk_max_days() -> int:
    """The most days one chunk of a range run holds, however small its frames
    (``MARKETING_RUN_CHUNK_MAX_DAYS``, default 16): a chunk cuts each day's window out of
    its frames, so its work grows with the square of its days."""
    value = int(os.environ.get(CHUNK_MAX_DAYS_ENV) or 16)
    if value < 1:
        raise ValueError(f"{CHUNK_MAX_DAYS_ENV} must be at least 1, got {value}")
    return value


RETENTION_ENV = "MARKETING_SNAPSHOT_RETENTION_DAYS"


def snapshot_retention_days() -> int:
    """Partitions a snapshot or rolling-window table keeps (a lifecycle, as warehouse tables
    have): older ones are dropped when a newer day is written, except the days of the
    writing run's own range (``storage.retention_cutoff``). Aggregates and increments keep
    every partition."""
    value = int(os.environ.get(RETENTION_ENV) or 90)
    if value < 1:
        raise ValueError(f"{RETENTION_ENV} must be at least 1, got {value}")
    return value


ALERTS_LOG_ENV = "MARKETING_ALERTS_LOG"
ALERT_WEBHOOK_ENV = "MARKETING_ALERT_WEBHOOK"


def alerts_log() -> Path:
    """Where alerts go, one JSON line each: failed runs, landing folders that are not a
    valid day, tables that turn late."""
    return Path(os.environ.get(ALERTS_LOG_ENV) or DATA_DIR / "alerts.log")


REPORTS_DIR_ENV = "MARKETING_REPORTS_DIR"


def reports_dir() -> Path:
    """Where the report assets write their plots (PNG) and plotted numbers (CSV)."""
    return Path(os.environ.get(REPORTS_DIR_ENV) or DATA_DIR / "reports")


PARTITIONS_START_ENV = "MARKETING_PARTITIONS_START"
#: the file, inside the Dagster instance's home, where `make demo` persists the first day
#: of the partitions: every process that loads the definitions against that instance
#: (webserver, daemon, code server, CLI) reads the same start; `make clean-data` removes
#: it together with the instance whose partitions it describes
PARTITIONS_START_FILE = "partitions_start"


def partitions_start_file() -> Path | None:
    """``$DAGSTER_HOME/partitions_start``, or None when no instance home is set."""
    home = os.environ.get("DAGSTER_HOME")
    return Path(home) / PARTITIONS_START_FILE if home else None
