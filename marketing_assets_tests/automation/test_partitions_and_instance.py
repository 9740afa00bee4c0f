"""The partitions' start (environment, then the file `make demo` persists, then the
default), a run window that holds no partition, and the instance `make demo` writes."""

import datetime as dt
import json
import logging
import socket
import subprocess
import sys
import types
import zoneinfo

import pytest
import yaml
from dagster import DagsterRunStatus, TimeWindow
from dagster._core.storage.tags import GRPC_INFO_TAG
from dagster._core.test_utils import create_run_for_test
from dagster._daemon.monitoring.run_monitoring import monitor_started_run

from marketing_assets import config, demo
from marketing_assets.automation.run_launcher import HOST_TAG, PID_TAG, process_tags
from marketing_assets.partitions import DEFAULT_START, PartitionWindowError, partition_days, resolve_start

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_the_start_comes_from_the_environment_then_the_persisted_file_then_the_default(tmp_path):
    persisted = tmp_path / "partitions_start"
    env = {config.PARTITIONS_START_ENV: "2025-06-01"}
    assert resolve_start({}, start_file=persisted) == DEFAULT_START == "2024-01-01"
    persisted.write_text("2025-05-20\n")
    assert resolve_start({}, start_file=persisted) == "2025-05-20"
    assert resolve_start(env, start_file=persisted) == "2025-06-01"
    persisted.write_text("20 May\n")
    with pytest.raises(ValueError, match="not a YYYY-MM-DD day: '20 May"):
        resolve_start({}, start_file=persisted)


def test_every_process_of_the_instance_reads_the_start_demo_persisted(tmp_path, monkeypatch):
    """`persist_start` writes $DAGSTER_HOME/partitions_start; a fresh interpreter (as the
    webserver, the daemon or a code server would be) with that DAGSTER_HOME starts the
    partitions there."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(config.PARTITIONS_START_ENV, raising=False)
    assert demo.persist_start(dt.date(2025, 6, 3)) == "2025-06-03"
    assert demo.persist_start(dt.date(2025, 6, 5)) == "2025-06-03"  # an earlier start stays
    assert (tmp_path / "home" / "partitions_start").read_text() == "2025-06-03\n"
    out = subprocess.run(
        [sys.executable, "-c", "from marketing_assets.partitions import DAILY; print(DAILY.start.date())"],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "2025-06-03"


def test_importing_the_demo_does_not_load_the_partitions():
    """demo.py persists the start before anything reads it: importing it loads neither the
    definitions nor the partitions."""
    code = "import sys, marketing_assets.demo; print(sorted(m for m in sys.modules if m in ('marketing_assets.partitions', 'marketing_assets.definitions')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _context(first: dt.date, end: dt.date):
    start = dt.datetime.combine(first, dt.time(), SHANGHAI)
    return types.SimpleNamespace(partition_time_window=TimeWindow(start, dt.datetime.combine(end, dt.time(), SHANGHAI)))


def test_a_window_outside_the_partitions_or_empty_fails_before_anything_is_read():
    today = dt.datetime.now(SHANGHAI).date()
    yesterday = today - dt.timedelta(days=1)
    assert partition_days(_context(yesterday, today)) == [yesterday]
    with pytest.raises(PartitionWindowError, match=f"not partitions .*: {today}, {today + dt.timedelta(days=1)}"):
        partition_days(_context(yesterday, today + dt.timedelta(days=2)))
    with pytest.raises(PartitionWindowError, match="holds no day"):
        partition_days(_context(yesterday, yesterday))
    with pytest.raises(PartitionWindowError, match="not partitions"):
        partition_days(_context(dt.date(1999, 12, 31), dt.date(2000, 1, 1)))


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_instance_fails_a_started_run_whose_process_is_gone(tmp_path, monkeypatch):
    """The yaml `make demo` writes (an older one without monitoring is rewritten) loads as an
    instance with run monitoring on; one monitoring pass fails a STARTED run whose process
    or code server is gone and leaves a live one STARTED."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # an older demo's
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with demo.ensure_instance() as instance:
        assert instance.run_monitoring_enabled and instance.run_monitoring_poll_interval_seconds == 30
        runs = {
            "killed": {PID_TAG: str(_dead_pid()), HOST_TAG: socket.gethostname()},
            "alive": process_tags(),
            "server_gone": {GRPC_INFO_TAG: json.dumps({"host": "127.0.0.1", "port": _free_port()})},
            "untagged": {},
        }
        ids = {name: create_run_for_test(instance, job_name="daily_job", status=DagsterRunStatus.STARTED,
                                         tags=tags).run_id for name, tags in runs.items()}
        for record in instance.get_run_records():
            monitor_started_run(instance, None, record, logging.getLogger("test"))
        status = {name: instance.get_run_by_id(run_id).status for name, run_id in ids.items()}
    assert status == {"killed": DagsterRunStatus.FAILURE, "alive": DagsterRunStatus.STARTED,
                      "server_gone": DagsterRunStatus.FAILURE, "untagged": DagsterRunStatus.STARTED}
    assert yaml.safe_load((home / "dagster.yaml").read_text())["run_monitoring"]["enabled"] is True
