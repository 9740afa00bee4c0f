"""`make demo`: land the sample (until the simulator exists), run the main job over its
days in ONE run on the persistent Dagster instance, and print a per-table summary.

Run with DAGSTER_HOME set (the Makefile sets ``data/dagster_home``) so that the UI started
afterwards shows the partitions as materialised.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

from dagster import BetaWarning, DagsterInstance

warnings.filterwarnings("ignore", category=BetaWarning)  # backfill_policy is "beta" in 1.13

from marketing_assets import sample  # noqa: E402
from marketing_assets.config import duckdb_path, landing_dir  # noqa: E402
from marketing_assets.definitions import defs  # noqa: E402
from marketing_assets.storage import WarehouseResource  # noqa: E402

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
    keys = sorted(defs.resolve_asset_graph().get_all_asset_keys())
    counts = {}
    for key in keys:
        schema, table = key.path
        rows = warehouse.query(
            f"SELECT strftime(dt, '%Y-%m-%d') AS dt, count(*) AS n FROM {schema}.{table} "
            "GROUP BY dt"
        )
        counts[f"{schema}.{table}"] = dict(rows.rows())
    width = max(len(name) for name in counts)
    lines = [f"{'table':<{width}} " + " ".join(f"{d:>10}" for d in days)]
    for name, per_day in counts.items():
        lines.append(f"{name:<{width}} " + " ".join(f"{per_day.get(d, 0):>10}" for d in days))
    quarantined = warehouse.query(
        "SELECT source_table, dt, reason, count(*) AS n FROM redods.quarantine "
        "GROUP BY ALL ORDER BY ALL"
    )
    lines.append(f"quarantined records: {quarantined['n'].sum()}")
    lines.extend(f"  {t} {d} {r}: {n}" for t, d, r, n in quarantined.rows())
    return "\n".join(lines)


def main() -> None:
    instance = ensure_instance()
    root = landing_dir()
    if not root.exists() or not any(root.iterdir()):
        sample.write_sample(root)
        print(f"landed the sample ({', '.join(sample.DAYS)}) under {root}")
    first, last = sample.DAYS[0], sample.DAYS[-1]
    started = time.perf_counter()
    result = run_days(instance, first, last)
    print(f"daily_job {first}..{last}: {'success' if result.success else 'FAILED'} "
          f"in {time.perf_counter() - started:.1f}s (run {result.run_id}), warehouse {duckdb_path()}")
    print(summary(list(sample.DAYS)))
    if not result.success:
        sys.exit(1)


if __name__ == "__main__":
    main()
