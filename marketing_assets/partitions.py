"""The one daily partitioning of the whole graph: Asia/Shanghai calendar days."""

from __future__ import annotations

import datetime

from dagster import DailyPartitionsDefinition

TIMEZONE = "Asia/Shanghai"
FIRST_DAY = "2024-01-01"

DAILY = DailyPartitionsDefinition(start_date=FIRST_DAY, timezone=TIMEZONE)


def partition_days(context) -> list[datetime.date]:
    """The days (Asia/Shanghai dates) a run of a daily-partitioned asset covers: one day or
    the whole range of a single-run backfill."""
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    return [first + datetime.timedelta(days=i) for i in range((end - first).days)]
