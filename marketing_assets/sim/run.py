"""Simulate the platform for consecutive days and land every source table's files.

With a ``state`` folder a run continues the world saved there when it starts on the day
after the last simulated day, and saves the world after its last day (``sim.state``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from marketing_assets.sim.config import ConfigSimulator
from marketing_assets.sim.demand import DemandSimulator
from marketing_assets.sim.exports import EXPORTS, ROWS_PER_FILE, day_folder
from marketing_assets.sim.state import WorldManifest, WorldStateError, load, read_manifest, save
from marketing_assets.sim.world import build_world
from marketing_assets.sim.writers import write_table_day

DEFAULT_SEED = 20250601


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
    state: Path | None = None,
    new_world: bool = False,
) -> list[DayReport]:
    """Land ``days`` days from ``start`` under ``out``; the same seed, scale and days give
    byte-identical files.

    Without ``state`` the world starts at ``start``. With it, a world saved there whose
    next day is ``start`` is continued (the files equal those of one longer run), else a
    new world starts at ``start`` (``new_world`` forces that); the world is saved there
    after the last day. Raises ``WorldStateError`` rather than start a new world in the
    middle of another: a ``start`` the saved world cannot continue from, or, without saved
    state, a landing root already holding the day before ``start``.
    """
    config, demand = _simulators(scale, start, Path(out), seed, state, new_world)
    reports = []
    for i in range(days):
        began = time.perf_counter()
        day = start + dt.timedelta(days=i)
        tables, live = config.day(day)
        tables.update(demand.day(day, live))
        missing = sorted(set(EXPORTS) - set(tables))
        unknown = sorted(set(tables) - set(EXPORTS))
        if missing or unknown:
            raise RuntimeError(f"simulator tables out of step with its exports: missing {missing}, unknown {unknown}")
        size = 0
        for table, frame in tables.items():
            export = EXPORTS[table]
            rows_per_file = None if export.hourly else ROWS_PER_FILE
            paths = write_table_day(export, frame, out, day, gzip=gzip, rows_per_file=rows_per_file)
            size += sum(p.stat().st_size for p in paths)
        report = DayReport(day, {t: f.height for t, f in sorted(tables.items())}, size, time.perf_counter() - began)
        reports.append(report)
        if on_day:
            on_day(report)
    if state is not None:
        manifest = WorldManifest(seed, scale, config.world.origin, start + dt.timedelta(days=days),
                                 str(Path(out).resolve()))
        save(state, manifest, (config, demand))
    return reports


def _simulators(
    scale: str, start: dt.date, out: Path, seed: int, state: Path | None, new_world: bool
) -> tuple[ConfigSimulator, DemandSimulator]:
    """The simulators to run ``start`` with: the saved world continued, or a new world."""
    saved = None if state is None or new_world else read_manifest(state)
    if saved is not None:
        if start == saved.next_day:
            if (saved.seed, saved.scale, saved.landing) != (seed, scale, str(out.resolve())):
                raise WorldStateError(
                    f"{state} continues the {saved.scale} world of seed {saved.seed} landed under "
                    f"{saved.landing}, not the {scale} world of seed {seed} under {out.resolve()}"
                )
            return load(state)
        if start != saved.origin:  # re-running a world from its origin is a new world
            raise WorldStateError(
                f"{state} holds the {saved.scale} world of seed {saved.seed} simulated from "
                f"{saved.origin} to {saved.next_day - dt.timedelta(days=1)}: continue it with "
                f"--start {saved.next_day}, re-run it with --start {saved.origin}, or start a new "
                f"world at {start} with --new-world"
            )
    elif state is not None and not new_world:
        before = start - dt.timedelta(days=1)
        if any(day_folder(out, table, before).is_dir() for table in EXPORTS):
            raise WorldStateError(
                f"{out} holds {before}, but {state} holds no simulator state to continue from: "
                f"a later --start continues a saved world only; start a new world at {start} "
                f"with --new-world"
            )
    world = build_world(seed, scale, start)
    return ConfigSimulator(world), DemandSimulator(world)
