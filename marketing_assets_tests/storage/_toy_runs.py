"""A toy job for the run-lock tests: ``events`` (one row per day, value from the run) and
``totals`` (10 × the day's events, read through the I/O manager), both in the warehouse of
``MARKETING_DUCKDB_PATH``. Run as a script, it is one run in its own process:

    python -m marketing_assets_tests.storage._toy_runs MODE FIRST LAST VALUE

MODE ``executor``: ``execute_job`` on the job, whose executor is ``run_locked`` around the
executor ``TOY_EXECUTOR`` names (``in_process`` or ``multiprocess``), as the webserver's run
worker runs it; ``in_process``: ``materialize`` inside ``run_lock()``, then ``publish_run``,
as ``make demo`` does; ``unlocked``: ``materialize`` with no run lock (the code before).

Coordination through files, each optional (``TOY_WAIT_S`` bounds every wait):
``TOY_LOADED``: ``totals`` touches it once its input is loaded; ``TOY_WAIT_FOR``: ``totals``
waits for it before returning; ``TOY_START_AFTER``: ``events`` waits for it first;
``TOY_DONE``: touched when the run has ended; ``TOY_HANG``: ``events`` touches it and
sleeps; ``TOY_PROBE``: ``events`` writes ``held`` there if the run lock is held (by another
process: the run worker), else ``free``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import polars as pl
from dagster import (
    AssetIn,
    BackfillPolicy,
    DagsterInstance,
    Definitions,
    asset,
    define_asset_job,
    execute_job,
    in_process_executor,
    materialize,
    multiprocess_executor,
    reconstructable,
)

from marketing_assets.partitions import DAILY
from marketing_assets.storage import WarehouseIOManager
from marketing_assets.storage.executor import run_locked
from marketing_assets.storage.lock import run_lock
from marketing_assets.storage.publish import publish_run


def _wait_for(env: str) -> None:
    path = os.environ.get(env)
    deadline = time.monotonic() + float(os.environ.get("TOY_WAIT_S", "3"))
    while path and not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _touch(env: str) -> None:
    if os.environ.get(env):
        Path(os.environ[env]).touch()


def _days(context) -> list[dt.date]:
    return [dt.date.fromisoformat(key) for key in context.partition_keys]


META = {"partition_expr": "dt"}


@asset(
    key=["mkt", "events"],
    partitions_def=DAILY,
    metadata=META,
    backfill_policy=BackfillPolicy.single_run(),
)
def events(context) -> pl.DataFrame:
    _wait_for("TOY_START_AFTER")
    if os.environ.get("TOY_PROBE"):
        try:
            with run_lock(timeout_s=0):
                held = "free"
        except TimeoutError:
            held = "held"
        Path(os.environ["TOY_PROBE"]).write_text(held)
    if os.environ.get("TOY_HANG"):
        _touch("TOY_HANG")
        time.sleep(120)
    days = _days(context)
    return pl.DataFrame({"dt": days, "value": [int(os.environ["TOY_VALUE"])] * len(days)})


@asset(
    key=["mkt", "totals"],
    ins={"events": AssetIn(["mkt", "events"])},
    partitions_def=DAILY,
    metadata=META,
    backfill_policy=BackfillPolicy.single_run(),
)
def totals(events: pl.DataFrame) -> pl.DataFrame:
    _touch("TOY_LOADED")
    _wait_for("TOY_WAIT_FOR")
    return events.select("dt", total=pl.col("value") * 10)


INNER = {
    "in_process": in_process_executor,
    "multiprocess": multiprocess_executor.configured({"max_concurrent": 1}),
}


def toy_job():
    defs = Definitions(
        assets=[events, totals],
        jobs=[define_asset_job("toy_job")],
        resources={"io_manager": WarehouseIOManager()},
        executor=run_locked(INNER[os.environ.get("TOY_EXECUTOR", "in_process")]),
    )
    return defs.resolve_job_def("toy_job")


def main(mode: str, first: str, last: str) -> dict:
    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
    started = time.time()
    with DagsterInstance.get() as instance:
        if mode == "executor":
            with execute_job(reconstructable(toy_job), instance=instance, tags=tags) as result:
                success, run_id = result.success, result.run_id
        else:
            resources = {"io_manager": WarehouseIOManager()}
            if mode == "in_process":
                with run_lock():
                    result = materialize([events, totals], instance=instance, tags=tags, resources=resources)
                    publish_run(instance, result.run_id)
            else:
                result = materialize([events, totals], instance=instance, tags=tags, resources=resources)
            success, run_id = result.success, result.run_id
    _touch("TOY_DONE")
    return {"success": success, "run_id": run_id, "started": started, "ended": time.time()}


if __name__ == "__main__":
    os.environ["TOY_VALUE"] = sys.argv[4]
    print(json.dumps(main(*sys.argv[1:4])), flush=True)
