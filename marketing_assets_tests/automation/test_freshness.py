"""Freshness: the read tables carry the policy, and the sensor alerts once when a table
turns late (yesterday's partition not materialised by 09:00 Asia/Shanghai)."""

import datetime as dt
import json
import zoneinfo

from dagster import AssetKey, AssetMaterialization, DagsterInstance, build_sensor_context

from marketing_assets import config
from marketing_assets.automation.freshness import build_freshness_sensor, due_partition

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
APP, REPORT = AssetKey(["redapp", "app_x"]), AssetKey(["reports", "board_y"])


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour, minute, tzinfo=SHANGHAI)


def test_the_due_partition_is_yesterday_from_nine_in_shanghai():
    assert due_partition(_at(10, 8, 59)) == dt.date(2025, 6, 8)
    assert due_partition(_at(10, 9)) == dt.date(2025, 6, 9)
    assert due_partition(dt.datetime(2025, 6, 10, 1, 0, tzinfo=dt.UTC)) == dt.date(2025, 6, 9)  # 09:00 in Shanghai
    assert due_partition(dt.datetime(2025, 6, 10, 0, 59, tzinfo=dt.UTC)) == dt.date(2025, 6, 8)  # 08:59


def test_the_sensor_alerts_once_when_a_table_turns_late(alerts):
    log, received = alerts
    now = [_at(10, 8, 30)]
    sensor = build_freshness_sensor([APP, REPORT], clock=lambda: now[0])
    instance = DagsterInstance.ephemeral()

    def materialise(key, day):
        instance.report_runless_asset_event(AssetMaterialization(key, partition=f"2025-06-{day:02d}"))

    def tick(cursor):
        context = build_sensor_context(instance=instance, cursor=cursor)
        sensor(context)
        return context.cursor

    materialise(APP, 8), materialise(REPORT, 8), materialise(APP, 9)
    cursor = tick(None)  # 08:30: 06-08 is due, both have it
    assert json.loads(cursor)["late"] == [] and not log.exists()
    now[0] = _at(10, 9, 5)  # 06-09 is due: the report lacks it
    cursor = tick(cursor)
    [alert] = [json.loads(line) for line in log.read_text().splitlines()]
    assert (alert["kind"], alert["partition"], alert["late"]) == ("freshness", "2025-06-09", ["reports/board_y"])
    now[0] = _at(10, 9, 30)  # still late: no second alert
    cursor = tick(cursor)
    assert len(log.read_text().splitlines()) == 1
    materialise(REPORT, 9)  # late, then done: fresh again, no alert
    now[0] = _at(10, 10)
    cursor = tick(cursor)
    assert json.loads(cursor)["late"] == [] and len(log.read_text().splitlines()) == 1
    now[0] = _at(11, 9, 1)  # the next day nothing ran: both turn late, one alert naming both
    cursor = tick(cursor)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(a["partition"], a["late"]) for a in lines] == [
        ("2025-06-09", ["reports/board_y"]), ("2025-06-10", ["redapp/app_x", "reports/board_y"])]
    assert received == lines
    assert config.alerts_log() == log


def test_the_read_tables_carry_the_freshness_policy_and_it_adds_no_check():
    from marketing_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    fresh = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).freshness_policy}
    assert {"redapp/app_ecm_mkt_platform_metrics_1d_di", "reddm/dm_trd_user_metrics_day",
            "redcdm/dm_ecm_trd_mkt_coupon_sellerid_nd_di", "reports/platform_board"} <= fresh
    assert not any(k.startswith(("redods/", "redcdm/dwd_", "redcdm/dim_")) for k in fresh)
    assert not [k for k in graph.asset_check_keys if "fresh" in k.name]  # not an asset check
