"""Tests write into temporary folders only (issue 11, item 9): the root conftest points
every path the pipeline writes at a temporary folder, whatever the shell exported."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import materialize

from marketing_assets import config
from marketing_assets.serving import SERVING_DIR_ENV
from marketing_assets.reports.assets import METRICS, report_assets
from marketing_assets_tests.reports._hand import D, platform_metrics, warehouse


def _outside_checkout(path: Path) -> bool:
    return not path.resolve().is_relative_to(config.PROJECT_ROOT)


def test_every_default_path_is_outside_the_checkout():
    paths = [config.reports_dir(), config.alerts_log(), config.duckdb_path(), config.landing_dir(),
             Path(os.environ["DAGSTER_HOME"]), Path(os.environ[SERVING_DIR_ENV])]
    assert all(_outside_checkout(p) for p in paths), paths


def test_a_report_run_with_the_default_config_writes_nothing_under_data(tmp_path):
    wh = warehouse(tmp_path / "wh.duckdb", {METRICS: platform_metrics([D])})
    board = next(a for a in report_assets if a.key.path[-1] == "platform_board")
    result = materialize([board], resources={"warehouse": wh}, partition_key=D.isoformat())
    png = Path(result.get_asset_materialization_events()[0].materialization.metadata["png"].value)
    assert png.is_file() and _outside_checkout(png) and not png.resolve().is_relative_to(config.DATA_DIR)
