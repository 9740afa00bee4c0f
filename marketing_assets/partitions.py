"""The one daily partitioning of the whole graph: Asia/Shanghai calendar days."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from dagster import DailyPartitionsDefinition

from marketing_assets import config

TIMEZONE = config.TIMEZONE
#: the first partition when neither MARKETING_PARTITIONS_START nor the persisted file says
DEFAULT_START = "2024-01-01"


def _iso_day(value: str, source: str) -> str:
    try:
        return datetime.date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise ValueError(f"the partitions start from {source} is not a YYYY-MM-DD day: {value!r}") from exc


def resolve_start(environ=os.environ, start_file: Path | None = None) -> str:
    """The first partition day: ``MARKETING_PARTITIONS_START``, else the day `make demo`
    persisted in ``$DAGSTER_HOME/partitions_start``, else 2024-01-01. Read once, when the
    definitions load."""
    value = environ.get(config.PARTITIONS_START_ENV)
    if value:
        return _iso_day(value, config.PARTITIONS_START_ENV)
    path = start_file if start_file is not None else config.partitions_start_file()
    if path is not None and path.is_file():
        return _iso_day(path.read_text(), str(path))
    return DEFAULT_START


FIRST_DAY = resolve_start()

DAILY = DailyPartitionsDefinition(start_date=FIRST_DAY, timezone=TIMEZONE)


class PartitionWindowError(ValueError):
    """A run's window holds a day that is not a partition, or no day at all."""


def partition_days(context) -> list[datetime.date]:
    """The days (Asia/Shanghai dates) a run of a daily-partitioned asset covers: one day or
    the whole range of a single-run backfill. Raises before anything is read or written
    when the window is empty or holds a day that is not a partition (before the start, or
    today and later: a day is a partition once it has ended in Asia/Shanghai)."""
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    days = [first + datetime.timedelta(days=i) for i in range((end - first).days)]
    if not days:
        raise PartitionWindowError(f"the run's partition window {window.start}..{window.end} holds no day")
    outside = [d.isoformat() for d in days if not DAILY.has_partition_key(d.isoformat())]
    if outside:
        raise PartitionWindowError(
            f"the run's window {days[0]}..{days[-1]} holds days that are not partitions of "
            f"{DAILY.start.date()}..{DAILY.get_last_partition_key()}: {', '.join(outside)}"
        )
    return days
