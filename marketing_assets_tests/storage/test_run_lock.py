"""Whole runs that write the warehouse are serialised by the run lock.

Each run here is its own process (``_toy_runs``): run A writes events 1 for 06-01..06-02,
run B events 2 for 06-02..06-03, and ``totals`` is 10 × the day's events as the run read them.
The files of ``_toy_runs`` force the interleaving that two unserialised runs can have: A's
``totals`` has loaded its events and waits until B has ended; B's ``events`` waits until A's
``totals`` has loaded. Serialised, one of them waits in vain (3 s) and the runs end as one
after the other; unserialised, A stores totals of events that B has since replaced.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance

from marketing_assets import serving
from marketing_assets.config import DUCKDB_PATH_ENV
from marketing_assets.serving import SERVING_DIR_ENV
from marketing_assets.storage.lock import run_lock
from marketing_assets_tests.storage._support import D1, D2, D3, query

pytestmark = pytest.mark.slow

TOY = "marketing_assets_tests.storage._toy_runs"
ROOT = Path(__file__).resolve().parents[2]

# the two runs one after the other, worked out by hand: (dt, events.value, totals.total)
A_THEN_B = [(D1, 1, 10), (D2, 2, 20), (D3, 2, 20)]
B_THEN_A = [(D1, 1, 10), (D2, 1, 10), (D3, 2, 20)]
INTERLEAVED = [(D1, 1, 10), (D2, 2, 10), (D3, 2, 20)]  # D2's total is of A's events


def toy_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"
    if not home.exists():
        home.mkdir()
        # create the instance's SQLite storage once, here: two runs starting at once would
        # both create its tables and one would fail on the other's DDL
        DagsterInstance.from_config(str(home)).dispose()
    return {
        **os.environ,
        DUCKDB_PATH_ENV: str(tmp_path / "w.duckdb"),
        SERVING_DIR_ENV: str(tmp_path / "serving"),
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def start_run(env: dict, mode: str, first: str, last: str, value: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", TOY, mode, first, last, str(value)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(run: subprocess.Popen) -> dict:
    out, err = run.communicate(timeout=180)
    assert run.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def stored(db: Path) -> list[tuple]:
    return query(
        db,
        "SELECT e.dt, e.value, t.total FROM mkt.events e JOIN mkt.totals t USING (dt) ORDER BY dt",
    ).rows()


@pytest.mark.parametrize(
    "mode",
    [
        "executor",
        "in_process",
        pytest.param("unlocked", marks=pytest.mark.full),  # the control: the code before
    ],
)
def test_two_runs_at_once_end_as_one_after_the_other(mode, tmp_path):
    marks = {name: tmp_path / name for name in ("loaded", "b-done")}
    env = toy_env(tmp_path)
    run_a = start_run(
        {**env, "TOY_LOADED": str(marks["loaded"]), "TOY_WAIT_FOR": str(marks["b-done"])},
        mode, "2025-06-01", "2025-06-02", 1,
    )
    run_b = start_run(
        {**env, "TOY_START_AFTER": str(marks["loaded"]), "TOY_DONE": str(marks["b-done"])},
        mode, "2025-06-02", "2025-06-03", 2,
    )
    a, b = finish(run_a), finish(run_b)
    assert a["success"] and b["success"]
    rows = stored(tmp_path / "w.duckdb")
    if mode == "unlocked":  # the code before: the runs interleave and D2 is inconsistent
        assert rows == INTERLEAVED
        return
    assert rows in (A_THEN_B, B_THEN_A)
    # the serving copy was published by the later run and agrees with the warehouse
    reader = serving.connect(tmp_path / "serving")
    served = reader.sql(
        "SELECT e.dt, e.value, t.total FROM mkt.events e JOIN mkt.totals t USING (dt) ORDER BY dt"
    ).fetchall()
    assert served == rows
    manifest = serving.read_manifest(tmp_path / "serving")
    assert manifest["run_id"] in (a["run_id"], b["run_id"])
    assert sorted(manifest["tables"]) == ["mkt.events", "mkt.totals"]


def test_killed_run_does_not_block_the_next(tmp_path):
    db = tmp_path / "w.duckdb"
    hang = tmp_path / "hanging"
    run = start_run(toy_env(tmp_path, TOY_HANG=str(hang)), "executor", "2025-06-01", "2025-06-01", 1)
    try:
        deadline = time.monotonic() + 60
        while not hang.exists():
            assert run.poll() is None, run.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the run never reached its step"
            time.sleep(0.05)
        with pytest.raises(TimeoutError, match=r"run lock .*w\.duckdb\.run\.lock"):
            with run_lock(db, timeout_s=0.2):
                pass
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    started = time.monotonic()
    with run_lock(db, timeout_s=5):  # the kernel released it with the dead process
        waited = time.monotonic() - started
    assert waited < 1


@pytest.mark.full
def test_multiprocess_steps_run_under_the_run_workers_lock(tmp_path):
    probe = tmp_path / "probe"
    env = toy_env(tmp_path, TOY_EXECUTOR="multiprocess", TOY_PROBE=str(probe))
    result = finish(start_run(env, "executor", "2025-06-02", "2025-06-02", 3))
    assert result["success"]
    assert probe.read_text() == "held"  # seen from the step's own process
    assert stored(tmp_path / "w.duckdb") == [(D2, 3, 30)]
    assert serving.connect(tmp_path / "serving").sql("SELECT * FROM mkt.totals").fetchall() == [
        (D2, 30)
    ]
