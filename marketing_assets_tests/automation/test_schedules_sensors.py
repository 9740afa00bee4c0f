"""The schedule, the landing sensor and the failure alert against real folders."""

import datetime as dt
import json
import os

import pytest
from dagster import (
    DagsterInstance,
    build_run_status_sensor_context,
    build_schedule_context,
    build_sensor_context,
    materialize,
    asset,
    DagsterEventType,
)

from marketing_assets.automation.landing_state import COMPLETE_DIR, complete_days, fingerprint
from marketing_assets.automation.sensors import TABLES, landing_sensor, plan_runs, run_failure_alert
from marketing_assets.definitions import defs
from marketing_assets.landing.resource import LandingResource
from marketing_assets_tests.conftest import copy_days

D1, D2, D3 = dt.date(2025, 6, 1), dt.date(2025, 6, 2), dt.date(2025, 6, 3)


@pytest.fixture(scope="module")
def landing(tiny_landing, tmp_path_factory):
    """Two days of the session's simulated landing, copied: the tests re-land files."""
    return copy_days(tiny_landing, tmp_path_factory.mktemp("landing") / "landing", D1, D2)


def _evaluate(root, cursor=None, instance=None):
    context = build_sensor_context(
        cursor=cursor, instance=instance or DagsterInstance.ephemeral(),
        resources={"landing": LandingResource(root=str(root))},
    )
    return landing_sensor(context)


def _ranges(requests):
    return [(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"]) for r in requests]


def test_plan_runs_new_days_adopted_days_and_restatement():
    days = [D1, D2, D3]
    prints = {d.isoformat(): f"fp{d.day}" for d in days}
    requests, seen = plan_runs(days, prints, {}, loaded=set())
    assert _ranges(requests) == [("2025-06-01", "2025-06-03")]
    assert requests[0].run_key.startswith("landed:2025-06-01:2025-06-03:")
    assert requests[0].tags["marketing/trigger"] == "landing"
    assert seen == prints
    # nothing changed: nothing to run
    assert plan_runs(days, prints, seen, loaded=set())[0] == []
    # already loaded (the sensor just turned on): adopted, not run again
    requests, adopted = plan_runs(days, prints, {}, loaded={"2025-06-01", "2025-06-02", "2025-06-03"})
    assert requests == [] and adopted == seen
    # a corrected file re-landed for D2: D2 and every later day, one run
    changed = {**prints, "2025-06-02": "fp2b"}
    requests, _ = plan_runs(days, changed, seen, loaded=set())
    assert _ranges(requests) == [("2025-06-02", "2025-06-03")]
    assert requests[0].run_key.startswith("restate:2025-06-02:2025-06-03:")
    assert requests[0].tags["marketing/trigger"] == "restatement"


def test_sensor_on_real_landing_runs_once_then_restates_a_relanded_day(landing):
    result = _evaluate(landing)
    assert [r.tags["dagster/asset_partition_range_start"] for r in result.run_requests] == ["2025-06-01"]
    assert result.run_requests[0].tags["dagster/asset_partition_range_end"] == "2025-06-02"
    again = _evaluate(landing, cursor=result.cursor)
    assert again.run_requests == []
    # re-land a corrected file of D1
    part = next((landing / TABLES[0] / "dt=2025-06-01").glob("part-*"))
    part.write_bytes(part.read_bytes())
    os.utime(part, ns=(part.stat().st_atime_ns, part.stat().st_mtime_ns + 1_000_000_000))
    restated = _evaluate(landing, cursor=again.cursor)
    [request] = restated.run_requests
    assert request.run_key.startswith("restate:2025-06-01:2025-06-02:")
    assert (request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]) == (
        "2025-06-01", "2025-06-02")
    assert _evaluate(landing, cursor=restated.cursor).run_requests == []


def test_a_day_is_complete_only_with_every_source_or_the_marker(tmp_path, landing):
    root = tmp_path / "partial"
    for table in TABLES[1:]:  # one source missing
        (root / table / "dt=2025-06-01").mkdir(parents=True)
        (root / table / "dt=2025-06-01" / "_EMPTY").touch()
    assert complete_days(root, TABLES) == []
    result = _evaluate(root)
    assert result.run_requests == [] and "no complete landing day" in result.skip_reason.skip_message
    (root / COMPLETE_DIR / "dt=2025-06-01").mkdir(parents=True)
    assert complete_days(root, TABLES) == [D1]
    assert complete_days(landing, TABLES) == [D1, D2]
    assert fingerprint(landing, TABLES, D1) != fingerprint(landing, TABLES, D2)


def test_the_schedule_runs_yesterday_at_two_in_shanghai():
    # resolved with the definitions: the job's partitioning is inferred from its assets
    schedule = defs.resolve_schedule_def("daily_job_0200_shanghai")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    context = build_schedule_context(
        scheduled_execution_time=dt.datetime(2025, 6, 3, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2025-06-02"


def test_a_failed_run_writes_an_alert_line_and_posts_it(alerts):
    log, received = alerts

    @asset
    def broken():
        raise RuntimeError("the source was empty")

    instance = DagsterInstance.ephemeral()
    result = materialize([broken], instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="run_failure_alert", dagster_event=failure, dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()
    run_failure_alert(context)
    [line] = log.read_text().splitlines()
    alert = json.loads(line)
    assert alert["run_id"] == result.run_id and "broken" in alert["error"]
    assert received == [alert]
