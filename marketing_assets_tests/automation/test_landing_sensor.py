"""The landing sensor's plan (hand cases) and its evaluation on real landing folders:
days that are not partitions yet, a day completing late, a misnamed folder, stray files."""

import datetime as dt
import json
import os
import shutil
import zoneinfo

import pytest
from dagster import DagsterInstance, build_sensor_context, partition_loading_context

from marketing_assets.automation.sensors import STALE, TABLES, landing_sensor, plan_runs, read_cursor
from marketing_assets.landing.resource import LandingResource
from marketing_assets_tests.conftest import copy_days

D1, D2, D3, D4, D5 = (dt.date(2025, 6, i) for i in range(1, 6))
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: 2025-06-06 10:00 in Shanghai: the last partition is 2025-06-05
AFTER_D5 = dt.datetime(2025, 6, 6, 10, tzinfo=SHANGHAI)


def _ranges(requests):
    return [(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"]) for r in requests]


def _fp(*days, **changed):
    prints = {d.isoformat(): f"fp{d.day}" for d in days}
    return prints | {dt.date(2025, 6, int(k[1:])).isoformat(): v for k, v in changed.items()}


# -- plan_runs: hand cases ---------------------------------------------------------------

def test_a_day_completing_late_in_the_tick_a_later_day_changed_is_run():
    """The issue's case: the cursor holds D1 and D3, D2 completes and D3 is re-landed in
    the same tick: one run from D2 (the earliest newly complete or changed day) to D3."""
    cursor = _fp(D1, D3)
    requests, seen = plan_runs([D1, D2, D3], _fp(D1, D2, D3, d3="fp3b"), cursor, loaded=set())
    assert _ranges(requests) == [("2025-06-02", "2025-06-03")]
    assert requests[0].tags["marketing/trigger"] == "restatement"
    assert seen == {"2025-06-01": "fp1", "2025-06-02": "fp2", "2025-06-03": "fp3b"}
    # D2 alone completing late (D3 unchanged) restates D3 as well: its windows hold D2
    requests, _ = plan_runs([D1, D2, D3], _fp(D1, D2, D3), cursor, loaded=set())
    assert _ranges(requests) == [("2025-06-02", "2025-06-03")]


def test_a_gap_splits_the_run_and_the_days_after_it_run_next():
    """D3 missing: a change of D1 runs D1..D2 now; D4..D5 are marked stale and are the
    next evaluation's run; then nothing is left."""
    landed = _fp(D1, D2, D4, D5)
    requests, seen = plan_runs([D1, D2, D4, D5], _fp(D1, D2, D4, D5, d1="fp1b"), landed, loaded=set())
    assert _ranges(requests) == [("2025-06-01", "2025-06-02")]
    assert seen == {"2025-06-01": "fp1b", "2025-06-02": "fp2", "2025-06-04": STALE, "2025-06-05": STALE}
    prints = _fp(D1, D2, D4, D5, d1="fp1b")
    requests, seen = plan_runs([D1, D2, D4, D5], prints, seen, loaded=set())
    assert _ranges(requests) == [("2025-06-04", "2025-06-05")]
    assert seen == prints
    assert plan_runs([D1, D2, D4, D5], prints, seen, loaded=set())[0] == []
    # D3 completes: D3 and every later day
    requests, _ = plan_runs([D1, D2, D3, D4, D5], _fp(D1, D2, D3, D4, D5, d1="fp1b"), seen, loaded=set())
    assert _ranges(requests) == [("2025-06-03", "2025-06-05")]


def test_the_same_range_restated_again_after_another_change_gets_a_new_run_key():
    """Dagster drops a run request whose key already ran: D3 (after a gap) restated a
    second time because D1 changed again, its own files unchanged, needs a new key."""
    first, _ = plan_runs([D1, D3], _fp(D1, D3, d1="fp1b"), {"2025-06-01": "fp1b", "2025-06-03": STALE}, set())
    second, _ = plan_runs([D1, D3], _fp(D1, D3, d1="fp1c"), {"2025-06-01": "fp1c", "2025-06-03": STALE}, set())
    assert _ranges(first) == _ranges(second) == [("2025-06-03", "2025-06-03")]
    assert first[0].run_key != second[0].run_key


def test_loaded_days_are_adopted_unless_an_earlier_day_must_run():
    loaded = {"2025-06-02", "2025-06-03"}
    requests, seen = plan_runs([D1, D2, D3], _fp(D1, D2, D3), {}, loaded=loaded)
    assert _ranges(requests) == [("2025-06-01", "2025-06-03")]  # D1 never loaded: D2, D3 restated
    assert requests[0].tags["marketing/trigger"] == "restatement"
    requests, seen = plan_runs([D2, D3], _fp(D2, D3), {}, loaded=loaded)
    assert requests == [] and seen == _fp(D2, D3)


# -- the sensor on real landing folders ---------------------------------------------------

@pytest.fixture(scope="module")
def three_days(tiny_landing, tmp_path_factory):
    return copy_days(tiny_landing, tmp_path_factory.mktemp("landing3") / "landing", D1, D3)


@pytest.fixture
def landing(three_days, tmp_path):
    root = tmp_path / "landing"
    shutil.copytree(three_days, root)
    return root


def _evaluate(root, cursor=None, instance=None, now=AFTER_D5):
    context = build_sensor_context(
        cursor=cursor, instance=instance or DagsterInstance.ephemeral(),
        resources={"landing": LandingResource(root=str(root))},
    )
    with partition_loading_context(effective_dt=now):
        return landing_sensor(context)


def _relanded(path):
    """Re-land a file: same bytes, a later modification time."""
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))


def test_days_that_are_not_partitions_yet_wait(landing):
    """On 2025-06-02 at 12:00 in Shanghai, the landed 06-02 (today) and 06-03 (tomorrow)
    are not partitions: only 06-01 runs. After midnight, 06-02 runs; 06-03 still waits."""
    noon_d2 = dt.datetime(2025, 6, 2, 12, tzinfo=SHANGHAI)
    result = _evaluate(landing, now=noon_d2)
    assert _ranges(result.run_requests) == [("2025-06-01", "2025-06-01")]
    assert set(read_cursor(result.cursor)[0]) == {"2025-06-01"}
    assert _evaluate(landing, result.cursor, now=noon_d2.replace(hour=23)).run_requests == []
    after_midnight = _evaluate(landing, result.cursor, now=dt.datetime(2025, 6, 3, 0, 5, tzinfo=SHANGHAI))
    assert _ranges(after_midnight.run_requests) == [("2025-06-02", "2025-06-02")]
    assert after_midnight.run_requests[0].tags["marketing/trigger"] == "landing"


def test_a_day_completing_late_is_run_with_every_later_day(landing):
    """D2 lacks one source: D1 runs, then D3 (after the gap). D2's source lands while a
    corrected D3 file is re-landed: one run D2..D3."""
    missing = landing / TABLES[0] / "dt=2025-06-02"
    aside = landing.parent / "aside"
    shutil.move(missing, aside)
    first = _evaluate(landing)
    assert _ranges(first.run_requests) == [("2025-06-01", "2025-06-01")]
    second = _evaluate(landing, first.cursor)
    assert _ranges(second.run_requests) == [("2025-06-03", "2025-06-03")]
    assert _evaluate(landing, second.cursor).run_requests == []
    shutil.move(aside, missing)
    _relanded(next((landing / TABLES[1] / "dt=2025-06-03").glob("part-*")))
    late = _evaluate(landing, second.cursor)
    [request] = late.run_requests
    assert _ranges([request]) == [("2025-06-02", "2025-06-03")]
    assert request.tags["marketing/trigger"] == "restatement"
    assert _evaluate(landing, late.cursor).run_requests == []


def test_a_misnamed_folder_is_reported_once_and_the_valid_days_go_on(landing, alerts):
    log, received = alerts
    (landing / TABLES[0] / "dt=2025-13-40").mkdir()
    (landing / TABLES[0] / "dt=2025-13-40" / "part-00000.jsonl").write_text("{}\n")
    result = _evaluate(landing)
    assert _ranges(result.run_requests) == [("2025-06-01", "2025-06-03")]
    [line] = log.read_text().splitlines()
    alert = json.loads(line)
    assert alert["kind"] == "landing_folder" and alert["folders"] == [f"{TABLES[0]}/dt=2025-13-40"]
    assert received == [alert]
    # reported once: the next evaluations do not alert again
    again = _evaluate(landing, result.cursor)
    assert again.run_requests == [] and len(log.read_text().splitlines()) == 1


@pytest.mark.parametrize("name", ["README.txt", ".DS_Store", "part-00002.CSV"])
def test_a_file_the_loader_ignores_does_not_restate_the_day_a_changed_part_does(landing, name):
    result = _evaluate(landing)
    folder = landing / TABLES[0] / "dt=2025-06-02"
    (folder / name).write_text("ignored\n")
    again = _evaluate(landing, result.cursor)
    assert again.run_requests == []
    part = next(folder.glob("part-*.jsonl"))
    part.write_bytes(part.read_bytes() + b"\n")
    assert _ranges(_evaluate(landing, again.cursor).run_requests) == [("2025-06-02", "2025-06-03")]
