"""`make demo`: simulate the demo world for the 14 days ending yesterday (Asia/Shanghai;
``DEMO_END=YYYY-MM-DD`` overrides), run the main job over them in ONE run on the persistent
Dagster instance, and print a per-table summary.

Run with DAGSTER_HOME set (the Makefile sets ``data/dagster_home``) so that the UI started
afterwards shows the partitions as materialised.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import warnings
import zoneinfo
from pathlib import Path

from dagster import BetaWarning, DagsterInstance

warnings.filterwarnings("ignore", category=BetaWarning)  # backfill_policy is "beta" in 1.13

from marketing_assets import config  # noqa: E402
from marketing_assets.config import duckdb_path, landing_dir  # noqa: E402
from marketing_assets.definitions import defs  # noqa: E402
from marketing_assets.funnel_summary import funnel_summary  # noqa: E402
from marketing_assets.partitions import TIMEZONE  # noqa: E402
from marketing_assets.sim.run import simulate  # noqa: E402
from marketing_assets.storage import WarehouseResource  # noqa: E402

DEMO_DAYS = 14
DEMO_SCALE = "demo"

DAGSTER_YAML = """\
# written by `make demo`; the persistent instance behind `dagster dev`
telemetry:
  enabled: false
"""


def ensure_instance() -> DagsterInstance:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        sys.exit("DAGSTER_HOME is not set: run `make demo`, or export it to a folder")
    Path(home).mkdir(parents=True, exist_ok=True)
    config = Path(home) / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return DagsterInstance.get()


def run_days(instance: DagsterInstance, first: str, last: str):
    job = defs.resolve_job_def("daily_job")
    return job.execute_in_process(
        instance=instance,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
    )


def summary(days: list[str]) -> str:
    """Rows per table and day (0 for a day stored empty), and the quarantine."""
    warehouse = WarehouseResource()
    keys = sorted(k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[0].startswith("red"))
    counts = {}
    for key in keys:
        schema, table = key.path
        rows = warehouse.query(
            f"SELECT strftime(dt, '%Y-%m-%d') AS dt, count(*) AS n FROM {schema}.{table} "
            "GROUP BY dt"
        )
        counts[f"{schema}.{table}"] = dict(rows.rows())
    width = max(len(name) for name in counts)
    lines = [f"{'table':<{width}} " + " ".join(f"{d[5:]:>7}" for d in days)]
    for name, per_day in counts.items():
        lines.append(f"{name:<{width}} " + " ".join(f"{per_day.get(d, 0):>7}" for d in days))
    quarantined = warehouse.query(
        "SELECT source_table, dt, reason, count(*) AS n FROM redods.quarantine "
        "GROUP BY ALL ORDER BY ALL"
    )
    lines.append(f"quarantined records: {quarantined['n'].sum()}")
    lines.extend(f"  {t} {d} {r}: {n}" for t, d, r, n in quarantined.rows())
    return "\n".join(lines)


def demo_days() -> list[dt.date]:
    end = os.environ.get("DEMO_END")
    last = (
        dt.date.fromisoformat(end)
        if end
        else dt.datetime.now(zoneinfo.ZoneInfo(TIMEZONE)).date() - dt.timedelta(days=1)
    )
    return [last - dt.timedelta(days=DEMO_DAYS - 1 - i) for i in range(DEMO_DAYS)]


def main() -> None:
    instance = ensure_instance()
    days = demo_days()
    root = landing_dir()
    started = time.perf_counter()
    reports = simulate(DEMO_SCALE, days[0], len(days), root)
    rows = sum(sum(r.rows.values()) for r in reports)
    size = sum(r.bytes for r in reports) / 2**20
    print(f"simulated the {DEMO_SCALE} world {days[0]}..{days[-1]} under {root}: "
          f"{rows:,} rows, {size:,.1f} MiB in {time.perf_counter() - started:.1f}s")
    first, last = days[0].isoformat(), days[-1].isoformat()
    started = time.perf_counter()
    result = run_days(instance, first, last)
    print(f"daily_job {first}..{last}: {'success' if result.success else 'FAILED'} "
          f"in {time.perf_counter() - started:.1f}s (run {result.run_id}), warehouse {duckdb_path()}")
    print(summary([d.isoformat() for d in days]))
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    print(f"asset checks: {len(evaluations)} evaluated, {len(failed)} failed")
    for e in failed:
        print(f"  FAILED {e.asset_key.to_user_string()} {e.check_name} ({e.severity.value}): "
              f"{ {k: v.value for k, v in e.metadata.items()} }")
    if not result.success:
        sys.exit(1)
    # a cohort old enough for its coupons to have been used, and the last day
    print(funnel_summary(WarehouseResource(), days[-7], days[-1]))
    print(funnel_summary(WarehouseResource(), days[-1], days[-1]))
    print(f"reports of {days[-1]}: {config.reports_dir()}/<report>/{days[-1]}.png")


if __name__ == "__main__":
    main()
