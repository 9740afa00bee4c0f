"""`make demo`: simulate the demo world for the 14 days ending the day before yesterday
(Asia/Shanghai; ``DEMO_END=YYYY-MM-DD`` overrides), run the main job over them in ONE run on
the persistent Dagster instance, print a per-table summary, and the one command that lands
the next day (yesterday) by continuing the simulated world, for the landing sensor to run.

Run with DAGSTER_HOME set (the Makefile sets ``data/dagster_home``) so that the UI started
afterwards shows the partitions as materialised. Before the definitions are imported, the
first demo day is persisted as the partitions' start in ``$DAGSTER_HOME/partitions_start``
(``marketing_assets.partitions`` reads MARKETING_PARTITIONS_START, then that file), so the
webserver, the daemon, the code servers and the CLI all show the demo's days and no
"missing" ones. The instance's ``dagster.yaml`` is rewritten whenever its content differs
from ``DAGSTER_YAML`` (run monitoring: a run whose worker died ends as failed).
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

# Only `config` here: `marketing_assets.partitions` (and everything that imports it) reads
# the partitions' start when it is imported, so it is imported after `persist_start`.
from marketing_assets import config  # noqa: E402
from marketing_assets.automation.run_launcher import process_tags  # noqa: E402

DEMO_DAYS = 14
DEMO_SCALE = "demo"

DAGSTER_YAML = """\
# written by `make demo` (rewritten when it differs); the persistent instance behind `dagster dev`
telemetry:
  enabled: false
# Dagster's SQLite event log (the same files) with one open connection per database and
# synchronous=NORMAL: 100-130 ms per event with the stock storage on a busy disk (every
# connection closed checkpoints the WAL), a few ms with this one
event_log_storage:
  module: marketing_assets.storage.instance
  class: FastSqliteEventLogStorage
  config:
    base_dir: {home}/history/runs
# a run whose process died (killed, out of memory) must not stay STARTED forever: the
# monitoring daemon asks the launcher whether each STARTED run's process (in-process runs
# of `make demo`) or code server still runs it, and fails it when not (the failure alert
# then fires); a run that has not started within 3 minutes fails too
run_launcher:
  module: marketing_assets.automation.run_launcher
  class: MonitoredRunLauncher
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  max_resume_run_attempts: 0
  poll_interval_seconds: 30
"""


def ensure_instance() -> DagsterInstance:
    home = instance_home()
    home.mkdir(parents=True, exist_ok=True)
    path = home / "dagster.yaml"
    content = DAGSTER_YAML.format(home=home.resolve())
    if not path.exists() or path.read_text() != content:
        path.write_text(content)
    return DagsterInstance.get()


def instance_home() -> Path:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        sys.exit("DAGSTER_HOME is not set: run `make demo`, or export it to a folder")
    return Path(home)


def persist_start(first: dt.date) -> str:
    """Write the partitions' start for every process of this instance: the first demo day,
    or an earlier start already persisted (days materialised by an earlier demo stay
    partitions). MARKETING_PARTITIONS_START, when set, wins in every process; the demo's
    days must then be partitions of it. Returns the start in effect."""
    path = config.partitions_start_file()
    start = first
    if path.is_file():
        try:
            start = min(first, dt.date.fromisoformat(path.read_text().strip()))
        except ValueError:
            pass  # an unreadable file is replaced
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{start.isoformat()}\n")
    effective = os.environ.get(config.PARTITIONS_START_ENV) or start.isoformat()
    if dt.date.fromisoformat(effective) > first:
        sys.exit(f"{config.PARTITIONS_START_ENV}={effective} starts after the first demo day {first}: "
                 "unset it or move it earlier")
    return effective


def run_days(defs, instance: DagsterInstance, first: str, last: str):
    from marketing_assets.storage import publish_run, run_lock
    from marketing_assets.storage.connection import warehouse_session

    job = defs.resolve_job_def("daily_job")
    # the webserver's runs take the same lock (its executor holds it); a killed demo frees it;
    # one warehouse connection for the whole run, as the executor of the webserver's runs
    with run_lock(), warehouse_session():
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            tags={
                "dagster/asset_partition_range_start": first,
                "dagster/asset_partition_range_end": last,
                **process_tags(),  # run monitoring fails the run if this process is killed
            },
            raise_on_error=False,
        )
        # as the executor of the webserver's runs does: the serving copy of what the run
        # wrote (a failed run's committed partitions too)
        publish_run(instance, result.run_id)
    return result


def summary(defs, days: list[str]) -> str:
    """Rows per table and day (0 for a day stored empty), and the quarantine."""
    from marketing_assets.storage import WarehouseResource

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
        else dt.datetime.now(zoneinfo.ZoneInfo(config.TIMEZONE)).date() - dt.timedelta(days=2)
    )
    return [last - dt.timedelta(days=DEMO_DAYS - 1 - i) for i in range(DEMO_DAYS)]


def main() -> None:
    instance_home()
    days = demo_days()
    start = persist_start(days[0])
    # only now: the definitions read the partitions' start when they are imported
    from marketing_assets.definitions import defs
    from marketing_assets.funnel_summary import funnel_summary
    from marketing_assets.sim.run import simulate
    from marketing_assets.sim.state import default_state_dir
    from marketing_assets.storage import WarehouseResource

    instance = ensure_instance()
    print(f"partitions start at {start} (persisted in {config.partitions_start_file()})")
    root = config.landing_dir()
    started = time.perf_counter()
    state = default_state_dir(root)
    # the demo's window moves with the date: its days are always a new world, saved in
    # `state` so that the next day can be landed by continuing it
    reports = simulate(DEMO_SCALE, days[0], len(days), root, state=state, new_world=True)
    rows = sum(sum(r.rows.values()) for r in reports)
    size = sum(r.bytes for r in reports) / 2**20
    print(f"simulated the {DEMO_SCALE} world {days[0]}..{days[-1]} under {root}: "
          f"{rows:,} rows, {size:,.1f} MiB in {time.perf_counter() - started:.1f}s")
    first, last = days[0].isoformat(), days[-1].isoformat()
    started = time.perf_counter()
    result = run_days(defs, instance, first, last)
    print(f"daily_job {first}..{last}: {'success' if result.success else 'FAILED'} "
          f"in {time.perf_counter() - started:.1f}s (run {result.run_id}), warehouse {config.duckdb_path()}")
    print(summary(defs, [d.isoformat() for d in days]))
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    print(f"asset checks: {len(evaluations)} evaluated, {len(failed)} failed")
    for e in failed:
        print(f"  FAILED {e.asset_key.to_user_string()} {e.check_name} ({e.severity.value}): "
              f"{ {k: v.value for k, v in e.metadata.items()} }")
    following = days[-1] + dt.timedelta(days=1)
    print(f"land {following} by continuing the simulated world (then start landing_sensor in the UI, "
          f"Automation tab, or `dagster sensor start landing_sensor`, and watch it run the day):\n"
          f"  {sys.executable} -m marketing_assets.sim --scale {DEMO_SCALE} --start {following} "
          f"--out {root} --state {state}")
    if not result.success:
        sys.exit(1)
    # a cohort old enough for its coupons to have been used, and the last day
    print(funnel_summary(WarehouseResource(), days[-7], days[-1]))
    print(funnel_summary(WarehouseResource(), days[-1], days[-1]))
    print(f"reports of {days[-1]}: {config.reports_dir()}/<report>/{days[-1]}.png")


if __name__ == "__main__":
    main()
