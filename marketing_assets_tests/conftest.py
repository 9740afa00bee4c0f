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

import os
import shutil
import tempfile
from pathlib import Path

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


def pytest_unconfigure() -> None:
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    for folder in _folder:
        shutil.rmtree(folder, ignore_errors=True)
