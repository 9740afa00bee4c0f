"""kill -9 of a run at nine moments: nothing stored before is lost, no partition is ever
seen half-written, and the next run recovers by itself to the tables and report files of an
uninterrupted run.

The warehouse holds days 1..3 of the tiny world; each run restates day 3 and adds day 4 (what
the landing sensor starts when day 3 is re-landed and day 4 completes). The runs are chained:
each kill is followed by the next run, killed at the next moment, and the last run goes to
the end, so every run after the first starts on the warehouse a killed run left behind."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time

import duckdb
import pytest

from marketing_assets_tests.full._runner import KILL_ENV
from marketing_assets_tests.full._support import (
    LAST,
    copy_world,
    file_digests,
    kill_group,
    run,
    start_run,
    table_digests,
    tables,
)

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("kill")]

RESTATED, NEW = "2025-06-03", LAST


@dataclasses.dataclass(frozen=True)
class Moment:
    what: str
    #: killed from outside: this many seconds after ``step`` printed its start ...
    step: str | None = None
    delay_s: float = 0.0
    #: ... or by the run itself at an exact point (see _runner.py)
    inside: str | None = None


MOMENTS = [
    Moment("ODS load: parsing the landed files", step="redods__ods_trd_order_package_goods_di", delay_s=0.5),
    Moment("ODS write: quarantine rows inserted, not committed", inside="sql:INSERT INTO redods.quarantine BY NAME"),
    Moment("ODS write: rows inserted, not committed",
           inside="sql:INSERT INTO redods.ods_trd_order_discount_detail_di BY NAME"),
    Moment("snapshot write: rows inserted, not committed",
           inside="sql:INSERT INTO redods.ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df BY NAME"),
    Moment("a check running: ods_quality", step="ods_quality", delay_s=1.0),
    Moment("derived write: window deleted, nothing inserted",
           inside="sql:DELETE FROM redcdm.dm_ecm_trd_mkt_coupon_sellerid_nd_di WHERE"),
    Moment("derived write: rows inserted, not committed",
           inside="sql:INSERT INTO redapp.app_ecm_mkt_platform_metrics_1d_di BY NAME"),
    # report files are replaced whole (a temporary file, then a rename): killed while the
    # CSV's temporary file is written, the new PNG stands beside the old CSV
    Moment("report writing: PNG replaced, CSV not yet", inside="file:merchant_board/.2025-06-04.csv.partial"),
    Moment("a timer: 8 s after the first step started", step="*", delay_s=8.0),
]


def _kill_at(world, moment: Moment) -> list[str]:
    """Start the run, kill it at ``moment``; the lines it printed."""
    env = {KILL_ENV: moment.inside} if moment.inside else {}
    proc = start_run(world, RESTATED, NEW, **env)
    lines, timer = [], None
    try:
        for line in proc.stdout:
            lines.append(line.strip())
            started = line.startswith("STEP_START ") and (
                moment.step == "*" or line.split()[1] == moment.step
            )
            if moment.step and started and timer is None:
                timer = threading.Timer(moment.delay_s, kill_group, [proc])
                timer.start()
        proc.wait(timeout=60)
    finally:
        if timer is not None:
            timer.join()
        if proc.poll() is None:
            kill_group(proc)
    assert proc.returncode == -9, (moment.what, proc.returncode, lines[-3:])
    if moment.inside:
        assert lines[-1] == f"KILLING {moment.inside}", lines[-3:]
    else:
        assert timer is not None, f"{moment.step} never started"
    assert not any(line.startswith("RUN ") for line in lines), lines[-3:]
    return lines


def _holds_days_1_to_3(reference, root):
    """A copy of the reference world without day 4 (rows and report files): the warehouse
    as the run of days 1..3 left it."""
    world = copy_world(reference, root)
    shutil.rmtree(world.home)  # a fresh instance
    names = tables(world.db)
    with duckdb.connect(str(world.db)) as conn:
        for table in names:
            conn.execute(f"DELETE FROM {table} WHERE dt = DATE '{NEW}'")
    for path in world.reports.rglob(f"{NEW}.*"):
        path.unlink()
    return world


def test_kill_9_at_nine_moments_loses_nothing_and_the_next_run_recovers(reference, tmp_path):
    expected_tables, expected_files = table_digests(reference.db), file_digests(reference.reports)
    world = _holds_days_1_to_3(reference, tmp_path / "killed")
    before, files_before = table_digests(world.db), file_digests(world.reports)
    assert before == {k: v for k, v in expected_tables.items() if k[1] != NEW}
    for moment in MOMENTS:
        started = time.perf_counter()
        lines = _kill_at(world, moment)
        steps = [line.split()[1] for line in lines if line.startswith("STEP_START")]
        after = table_digests(world.db)
        # rows stored before the run are all there, unchanged (day 3: old rows == new rows)
        lost = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
        assert not lost, (moment.what, lost)
        # day 4 of a table is either absent or whole, never partial
        partial = {k: v for k, v in after.items() if k not in before and v != expected_tables.get(k)}
        assert not partial, (moment.what, partial)
        # a report file is the old one or the new one (never truncated)
        files = file_digests(world.reports)
        broken = {f: d for f, d in files.items() if d != expected_files.get(f)}
        assert not broken, (moment.what, broken)
        assert set(files_before) <= set(files)
        day4 = sorted({k[0] for k in after if k[1] == NEW})
        print(f"killed at {moment.what}: after {len(steps)} steps (last {steps[-1] if steps else '-'}), "
              f"{time.perf_counter() - started:.0f} s; {len(day4)} tables hold day 4 whole, "
              f"{sum(1 for f in files if NEW in f)} day-4 report files")
    started = time.perf_counter()
    run(world, RESTATED, NEW)
    print(f"the next run recovered in {time.perf_counter() - started:.0f} s")
    assert table_digests(world.db) == expected_tables
    assert file_digests(world.reports) == expected_files
