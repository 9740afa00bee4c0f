"""Benchmarks that print figures (never asserted by tests).

``python -m marketing_assets.bench ods --landing DIR --start 2025-06-01 [--days 1] --db PATH``
loads landed days into the ODS layer (every ODS asset, one run) and prints the whole
process time, peak memory and rows per second. Simulator figures come from
``python -m marketing_assets.sim`` itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
import warnings
from pathlib import Path

from dagster import BetaWarning, materialize

warnings.filterwarnings("ignore", category=BetaWarning)

from marketing_assets.definitions import all_assets  # noqa: E402
from marketing_assets.landing.resource import LandingResource  # noqa: E402
from marketing_assets.storage import WarehouseIOManager, WarehouseResource  # noqa: E402

PROCESS_START = time.perf_counter()


def bench_ods(landing: Path, start: dt.date, days: int, db: Path) -> None:
    last = start + dt.timedelta(days=days - 1)
    resources = {
        "io_manager": WarehouseIOManager(database=str(db)),
        "warehouse": WarehouseResource(database=str(db)),
        "landing": LandingResource(root=str(landing)),
    }
    began = time.perf_counter()
    result = materialize(
        all_assets,
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
            rows[m.asset_key.to_user_string()] = m.metadata["dagster/row_count"].value
    total = sum(rows.values())
    landed = sum(p.stat().st_size for p in landing.rglob("part-*") if any(
        f"dt={(start + dt.timedelta(days=i)).isoformat()}" in p.parts for i in range(days)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    for key, n in sorted(rows.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {key:<80} {n:>12,}")
    print(
        f"ODS load {start}..{last}: {total:,} rows from {landed / 2**20:,.1f} MiB landed in "
        f"{elapsed:.1f}s ({total / elapsed:,.0f} rows/s); whole process "
        f"{time.perf_counter() - PROCESS_START:.1f}s, peak memory {peak:.2f} GiB; "
        f"warehouse {db.stat().st_size / 2**20:,.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m marketing_assets.bench")
    sub = parser.add_subparsers(dest="what", required=True)
    ods = sub.add_parser("ods", help="load landed days into every ODS table")
    ods.add_argument("--landing", type=Path, required=True)
    ods.add_argument("--start", type=dt.date.fromisoformat, required=True)
    ods.add_argument("--days", type=int, default=1)
    ods.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    bench_ods(args.landing, args.start, args.days, args.db)


if __name__ == "__main__":
    main()
