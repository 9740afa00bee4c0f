"""No landed value and no environment value reaches SQL text; the alert body carries no
secret."""

from __future__ import annotations

import http.server
import json
import threading

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context

from marketing_assets_tests.full._support import FIRST, World, copy_world, land, start_run, table_digests

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("rest")]

PAYLOAD = "x'); DROP TABLE redods.quarantine; --"
SELLERS = "ods_trd_seller_info_df"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One day of the tiny world under a folder named like an injection (so every path the
    environment gives: landing, warehouse, instance, reports), whose seller dump carries the
    payload in a field of a good record and in a record that must be quarantined."""
    world = World(tmp_path_factory.mktemp("sec") / PAYLOAD)
    land(world, days=1)
    dump = world.landing / SELLERS / f"dt={FIRST}" / "part-00000.csv"
    header, first, *rest = dump.read_text().splitlines()
    assert header == "seller_id,shop_name,industry,is_self_operated,open_time"
    seller = first.split(",")
    seller[1] = PAYLOAD
    bad = f"{PAYLOAD},{PAYLOAD},home,not-a-flag,{PAYLOAD}"
    dump.write_text("\n".join([header, ",".join(seller), *rest, bad]) + "\n")
    proc = start_run(world, FIRST, FIRST)
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, (out[-2000:], proc.log_path.read_text()[-4000:])
    return world, seller[0]


def test_a_landed_value_and_the_paths_stay_data(hostile):
    world, seller_id = hostile
    with duckdb.connect(str(world.db), read_only=True) as conn:
        names = {t for (t,) in conn.sql("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}
        stored = conn.execute(f"SELECT seller_id FROM redods.{SELLERS} WHERE shop_name = ?", [PAYLOAD]).fetchall()
        quarantined = conn.execute(
            "SELECT source_table, raw FROM redods.quarantine WHERE contains(raw, ?)", [PAYLOAD]
        ).fetchall()
    print(f"{len(names)} tables; payload stored as shop_name of {stored}; quarantined: {quarantined}")
    assert "redods.quarantine" in names and len(names) >= 81
    assert stored == [(seller_id,)]
    assert [source for source, _ in quarantined] == [SELLERS]
    assert (world.reports / "merchant_board" / f"{FIRST}.png").is_file()


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_malicious_memory_limit_fails_clearly_leaves_the_tables_and_the_alert_has_no_secret(
    hostile, tmp_path, monkeypatch
):
    world = copy_world(hostile[0], tmp_path / "run")
    before = table_digests(world.db)
    limit = "1GB'; DROP TABLE redods.quarantine; --"
    secret = "tok-S3CRET-not-for-alerts"
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    webhook = f"http://alerter:hunter2-PASSWORD@127.0.0.1:{server.server_port}/hook"
    env = {"MARKETING_DUCKDB_MEMORY_LIMIT": limit, "MARKETING_API_TOKEN": secret,
           "MARKETING_ALERT_WEBHOOK": webhook}
    try:
        proc = start_run(world, FIRST, FIRST, **env)
        out, _ = proc.communicate(timeout=900)
        err = proc.log_path.read_text()
        assert proc.returncode == 1 and "RUN success" not in out
        errors = [line for line in err.splitlines() if "Error" in line and "memory" in line.lower()]
        print("the run's error:", errors[:1])
        assert errors  # refused as a value: nothing of it ran as SQL
        assert table_digests(world.db) == before

        # the failure alert of that run, with the run's environment
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("MARKETING_ALERTS_LOG", str(world.alerts))
        monkeypatch.setenv("DAGSTER_HOME", str(world.home))
        from marketing_assets.automation.sensors import run_failure_alert

        instance = DagsterInstance.get()
        (failed,) = [r for r in instance.get_runs() if r.is_failure]
        (event,) = [
            e.get_dagster_event()
            for e in instance.all_logs(failed.run_id, of_type=DagsterEventType.RUN_FAILURE)
        ]
        context = build_run_status_sensor_context(
            sensor_name="run_failure_alert", dagster_instance=instance, dagster_run=failed,
            dagster_event=event,
        ).for_run_failure()
        run_failure_alert(context)
    finally:
        server.shutdown()
    logged = world.alerts.read_text()
    assert len(_Hook.received) == 1, f"the webhook got {len(_Hook.received)} POSTs; alerts log: {logged}"
    (headers, body), = _Hook.received
    alert = json.loads(body)
    print(f"alert posted: {alert}; headers {headers}")
    assert alert["run_id"] == failed.run_id
    for value in ("hunter2-PASSWORD", "alerter", secret, limit, "DROP TABLE", webhook):
        assert value not in body.decode(), value
        assert value not in json.dumps(headers), value
    assert "hunter2-PASSWORD" not in logged and secret not in logged
    # a clear error names the setting it comes from
    assert any("MARKETING_DUCKDB_MEMORY_LIMIT" in line for line in errors), errors[:1]
