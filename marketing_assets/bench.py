"""Benchmarks that print figures (never asserted by tests).

``python -m marketing_assets.bench ods --landing DIR --start 2025-06-01 [--days 1] --db PATH``
loads landed days into the ODS layer (every ODS asset, one run);
``python -m marketing_assets.bench derived --start 2025-06-01 [--days 1] --db PATH``
builds every table above ODS (DW, DIM, DWD, DM) from ODS days already in ``PATH``.
Each prints the whole process time, peak memory and rows per second. Simulator figures
come from ``python -m marketing_assets.sim`` itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time
import warnings
from pathlib import Path

from dagster import BetaWarning, materialize

warnings.filterwarnings("ignore", category=BetaWarning)

from marketing_assets.definitions import all_assets, derived_assets  # noqa: E402
from marketing_assets.landing.resource import LandingResource  # noqa: E402
from marketing_assets.storage import WarehouseIOManager, WarehouseResource  # noqa: E402



def _process_seconds() -> float:
    """Seconds since this process started (imports included), from /proc on Linux."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")

ODS_ASSETS = [a for a in all_assets if a.key.path[0] == "redods"]


def _run(label: str, assets, resources: dict, start: dt.date, days: int, db: Path) -> int:
    last = start + dt.timedelta(days=days - 1)
    began = time.perf_counter()
    result = materialize(
        assets,
        resources=resources,
        tags={
            "dagster/asset_partition_range_start": start.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
        },
    )
    elapsed = time.perf_counter() - began
    rows = {}
    for event in result.get_asset_materialization_events():
        m = event.materialization
        if "dagster/row_count" in m.metadata:
            # one event per partition, each with its own day's count
            key = m.asset_key.to_user_string()
            rows[key] = rows.get(key, 0) + m.metadata["dagster/row_count"].value
    total = sum(rows.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    for key, n in sorted(rows.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {key:<80} {n:>12,}")
    print(
        f"{label} {start}..{last}: {total:,} rows written in {elapsed:.1f}s "
        f"({total / elapsed:,.0f} rows/s); whole process "
        f"{_process_seconds():.1f}s, peak memory {peak:.2f} GiB; "
        f"warehouse {db.stat().st_size / 2**20:,.1f} MiB"
    )
    return total


def bench_ods(landing: Path, start: dt.date, days: int, db: Path) -> None:
    resources = {
        "io_manager": WarehouseIOManager(database=str(db)),
        "warehouse": WarehouseResource(database=str(db)),
        "landing": LandingResource(root=str(landing)),
    }
    landed = sum(p.stat().st_size for p in landing.rglob("part-*") if any(
        f"dt={(start + dt.timedelta(days=i)).isoformat()}" in p.parts for i in range(days)))
    print(f"landed: {landed / 2**20:,.1f} MiB")
    _run("ODS load", ODS_ASSETS, resources, start, days, db)


def bench_derived(start: dt.date, days: int, db: Path) -> None:
    resources = {
        "io_manager": WarehouseIOManager(database=str(db)),
        "warehouse": WarehouseResource(database=str(db)),
    }
    _run("DW/DIM/DWD/DM build", derived_assets, resources, start, days, db)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m marketing_assets.bench")
    sub = parser.add_subparsers(dest="what", required=True)
    ods = sub.add_parser("ods", help="load landed days into every ODS table")
    ods.add_argument("--landing", type=Path, required=True)
    derived = sub.add_parser("derived", help="build every table above ODS from stored ODS days")
    for p in (ods, derived):
        p.add_argument("--start", type=dt.date.fromisoformat, required=True)
        p.add_argument("--days", type=int, default=1)
        p.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    if args.what == "ods":
        bench_ods(args.landing, args.start, args.days, args.db)
    else:
        bench_derived(args.start, args.days, args.db)


if __name__ == "__main__":
    main()
