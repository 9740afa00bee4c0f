"""The executor of UI, schedule, sensor and CLI runs: in-process by default, a process per
step when a run's config asks for it, and the run lock either way."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import Definitions, asset, define_asset_job, execute_job, instance_for_test, reconstructable

from marketing_assets.storage.executor import build_executor

PIDS_ENV = "TEST_EXECUTOR_PIDS"


@asset
def first() -> None:
    with open(os.environ[PIDS_ENV], "a") as f:
        f.write(f"first {os.getpid()}\n")


@asset(deps=[first])
def second() -> None:
    with open(os.environ[PIDS_ENV], "a") as f:
        f.write(f"second {os.getpid()}\n")


def two_step_job():
    return Definitions(
        assets=[first, second], jobs=[define_asset_job("two")], executor=build_executor("in_process")
    ).resolve_job_def("two")


def _pids(path: Path) -> dict[str, int]:
    return {name: int(pid) for name, pid in (line.split() for line in path.read_text().splitlines())}


def test_a_run_picks_in_process_or_a_process_per_step_in_its_config(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKETING_DUCKDB_PATH", str(tmp_path / "w.duckdb"))  # the run lock's file
    monkeypatch.setenv("MARKETING_SERVING_DIR", str(tmp_path / "serving"))
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        default = tmp_path / "default.txt"
        monkeypatch.setenv(PIDS_ENV, str(default))
        with execute_job(reconstructable(two_step_job), instance=instance) as result:
            assert result.success
        assert _pids(default) == {"first": os.getpid(), "second": os.getpid()}  # this process

        per_step = tmp_path / "per_step.txt"
        monkeypatch.setenv(PIDS_ENV, str(per_step))
        config = {"execution": {"config": {"multiprocess": {"max_concurrent": 1}}}}
        with execute_job(reconstructable(two_step_job), instance=instance, run_config=config) as result:
            assert result.success
        pids = _pids(per_step)
        assert os.getpid() not in pids.values() and pids["first"] != pids["second"]
