"""Simulate the platform for consecutive days and land every source table's files."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from marketing_assets.domains.registry import SPECS_BY_TABLE
from marketing_assets.sim.config import ConfigSimulator
from marketing_assets.sim.demand import DemandSimulator
from marketing_assets.sim.world import build_world
from marketing_assets.sim.writers import write_table_day

DEFAULT_SEED = 20250601
#: large days are split into files of at most this many records (readers stay bounded)
ROWS_PER_FILE = 1_000_000


@dataclass
class DayReport:
    day: dt.date
    rows: dict[str, int]
    bytes: int
    seconds: float


def simulate(
    scale: str,
    start: dt.date,
    days: int,
    out: Path,
    *,
    seed: int = DEFAULT_SEED,
    gzip: bool = False,
    on_day: Callable[[DayReport], None] | None = None,
) -> list[DayReport]:
    """Land ``days`` days from ``start`` under ``out``. The world starts at ``start``: the
    same seed, scale, start and days give byte-identical files."""
    world = build_world(seed, scale, start)
    config, demand = ConfigSimulator(world), DemandSimulator(world)
    reports = []
    for i in range(days):
        began = time.perf_counter()
        day = start + dt.timedelta(days=i)
        tables, live = config.day(day)
        tables.update(demand.day(day, live))
        missing = sorted(set(SPECS_BY_TABLE) - set(tables))
        unknown = sorted(set(tables) - set(SPECS_BY_TABLE))
        if missing or unknown:
            raise RuntimeError(f"simulator tables out of step with the specs: missing {missing}, unknown {unknown}")
        size = 0
        for table, frame in tables.items():
            spec = SPECS_BY_TABLE[table]
            rows_per_file = None if spec.hourly else ROWS_PER_FILE
            paths = write_table_day(spec, frame, out, day, gzip=gzip, rows_per_file=rows_per_file)
            size += sum(p.stat().st_size for p in paths)
        report = DayReport(day, {t: f.height for t, f in sorted(tables.items())}, size, time.perf_counter() - began)
        reports.append(report)
        if on_day:
            on_day(report)
    return reports
