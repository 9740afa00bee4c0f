"""A re-run of the same days over the same landing is byte-identical: every partition of
every table (rows as text, ordered; column names and types) and every report file."""

from __future__ import annotations

import time

import pytest

from marketing_assets_tests.full._support import copy_world, file_digests, run, table_digests

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("rest")]


def test_a_rerun_is_byte_identical_on_every_table_and_report_file(reference, tmp_path):
    tables, files = table_digests(reference.db), file_digests(reference.reports)
    world = copy_world(reference, tmp_path / "rerun")
    started = time.perf_counter()
    run(world)
    elapsed = time.perf_counter() - started
    again_tables, again_files = table_digests(world.db), file_digests(world.reports)
    n_tables = len({table for table, _ in tables})
    changed = sorted(k for k in tables.keys() | again_tables.keys() if tables.get(k) != again_tables.get(k))
    print(f"re-run in {elapsed:.0f} s: {n_tables} tables, {len(tables) - n_tables} partitions, "
          f"{len(files)} report files; differing: {changed[:10]}")
    assert n_tables >= 81 and len(files) == 4 * 4 * 2  # 4 reports x 4 days x (PNG, CSV)
    assert not changed
    assert again_files == files
