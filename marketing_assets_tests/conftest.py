"""Every test writes into temporary folders only (issue 11, item 9).

The warehouse, the landing root, the reports, the alerts log, the serving copy and the
Dagster instance's home point at one temporary folder per test process, whatever the shell
exported (`make test` exports DAGSTER_HOME and the warehouse paths of `data/`), and no
alert webhook is called unless a test sets one. They are set when pytest
configures, before the test modules are imported and before any session or module fixture
runs: ``marketing_assets.partitions`` reads ``$DAGSTER_HOME`` at import, and module
fixtures run report assets before any function fixture could. A test that needs its own
folder sets it with ``monkeypatch.setenv``, which overrides this one for that test.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from marketing_assets import config
from marketing_assets.serving import SERVING_DIR_ENV

_saved: dict[str, str | None] = {}
_folder: list[Path] = []


def temporary_environment(folder: Path) -> dict[str, str]:
    """The environment that puts every file the pipeline writes under ``folder``."""
    return {
        config.REPORTS_DIR_ENV: str(folder / "reports"),
        config.ALERTS_LOG_ENV: str(folder / "alerts.log"),
        config.DUCKDB_PATH_ENV: str(folder / "warehouse.duckdb"),
        config.LANDING_DIR_ENV: str(folder / "landing"),
        SERVING_DIR_ENV: str(folder / "serving"),
        "DAGSTER_HOME": str(folder / "dagster_home"),
        config.ALERT_WEBHOOK_ENV: "",
        # the tests' days (2025-06 …) are partitions whatever the shell or data/ says
        config.PARTITIONS_START_ENV: "2024-01-01",
    }


def pytest_configure() -> None:
    folder = Path(tempfile.mkdtemp(prefix="marketing-tests-"))
    (folder / "dagster_home").mkdir()
    _folder.append(folder)
    for name, value in temporary_environment(folder).items():
        _saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules marked ``slow`` first, each in collection order: xdist (``--dist
    loadfile --no-loadscope-reorder``) hands files out in this order, so a long module does
    not start last and leave one worker alone at the end (measured: 251 s with the
    end-to-end module last, of 499 s of tests on two workers)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_unconfigure() -> None:
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    for folder in _folder:
        shutil.rmtree(folder, ignore_errors=True)


#: the one simulated landing of a session: the tiny world from TINY_START (618's presale
#: before its sale), TINY_DAYS days, the default seed
TINY_START, TINY_DAYS = dt.date(2025, 5, 29), 9


def copy_days(landing: Path, dest: Path, first: dt.date, last: dt.date) -> Path:
    """A copy of the days ``first``..``last`` of ``landing`` (every source's ``dt=``
    folders of those days, nothing else) under ``dest``; returns ``dest``."""
    days = {f"dt={(first + dt.timedelta(days=i)).isoformat()}" for i in range((last - first).days + 1)}
    for table in sorted(p for p in landing.iterdir() if p.is_dir()):
        for folder in sorted(table.iterdir()):
            if folder.name in days:
                shutil.copytree(folder, dest / table.name / folder.name)
    dest.mkdir(parents=True, exist_ok=True)
    return dest


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory) -> Path:
    """The session's simulated landing, built once and shared by the xdist workers (the
    first builds it under a file lock, the others wait for it). Read only: a test that
    changes files works on ``copy_days`` of it."""
    from marketing_assets.sim.run import simulate

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # xdist: one basetemp per worker under a common parent
    root = shared / "tiny_landing"
    with (shared / "tiny_landing.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "tiny_landing.done"
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            simulate("tiny", TINY_START, TINY_DAYS, root)
            done.touch()
    return root
