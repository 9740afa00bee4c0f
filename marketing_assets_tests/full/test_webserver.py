"""The UI over a range run of 4 days, as a user reaches it: the webserver listens on 127.0.0.1
only; its GraphQL (what the UI reads) shows every partitioned check Passed on each of the 4
days, per-day row counts and per-day report plots; a headless Chromium renders the Checks
page and the asset graph."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest

from marketing_assets_tests.full._support import DAY_KEYS, copy_world, graphql, webserver

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("rest")]

PORT = 3102
SELLER_TABLE = ["redcdm", "dm_ecm_trd_mkt_coupon_sellerid_nd_di"]
REPORTS = ["platform_board", "merchant_board", "growth_funnel", "campaign_monitor"]


@pytest.fixture(scope="module")
def served(reference, tmp_path_factory):
    """The webserver over a copy of the reference world (its instance holds the range run)."""
    world = copy_world(reference, tmp_path_factory.mktemp("served"), landing=False)
    with webserver(world, PORT) as (base, proc):
        yield world, base, proc


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "pid (comm)": state ppid pgrp ...
            pids.append(int(stat.parent.name))
    return pids


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _listening() -> list[tuple[str, int, str]]:
    """(local address, port, inode) of every listening TCP socket of this machine."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == "0A":  # LISTEN
                assert len(address) == width
                found.append((address, int(port, 16), fields[9]))
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}


def test_the_webserver_listens_on_127_0_0_1_only(served):
    _, _, proc = served
    listening = _listening()
    on_port = {address for address, port, _ in listening if port == PORT}
    assert on_port == {"0100007F"}, on_port  # 127.0.0.1, not 0.0.0.0 nor ::
    inodes = set().union(*(_socket_inodes(pid) for pid in _group_pids(proc.pid)))
    ours = sorted((address, port) for address, port, inode in listening if inode in inodes)
    print(f"sockets listening in the webserver's process group: {ours}")
    assert (("0100007F", PORT)) in ours
    assert all(address in LOOPBACK for address, _ in ours), ours  # the code server too


CHECKS = """
{ assetNodes { assetKey { path } assetChecksOrError { __typename ... on AssetChecks { checks {
    name partitionDefinition { name }
    partitionStatuses { __typename
      ... on AssetCheckTimePartitionStatuses { ranges { startKey endKey status } }
      ... on AssetCheckDefaultPartitionStatuses { succeededPartitions failedPartitions
            inProgressPartitions skippedPartitions executionFailedPartitions } } } } } } }
"""

MATERIALIZATIONS = """
query ($path: [String!]!, $partitions: [String!]) {
  assetOrError(assetKey: {path: $path}) { ... on Asset {
    assetMaterializations(partitions: $partitions) { partition timestamp runId
      metadataEntries { label __typename
        ... on IntMetadataEntry { intValue } ... on PathMetadataEntry { path }
        ... on MarkdownMetadataEntry { mdStr } } } } } }
"""

DEFAULT_FIELDS = {"succeededPartitions": "SUCCEEDED", "failedPartitions": "FAILED",
                  "inProgressPartitions": "IN_PROGRESS", "skippedPartitions": "SKIPPED",
                  "executionFailedPartitions": "EXECUTION_FAILED"}


def _day_statuses(statuses: dict | None) -> dict[str, str]:
    """Status per demo day of one check, as the Checks → Partitions tab reads it."""
    if statuses is None:
        return {}
    if statuses["__typename"] == "AssetCheckDefaultPartitionStatuses":
        return {k: status for field, status in DEFAULT_FIELDS.items() for k in statuses[field] if k in DAY_KEYS}
    days = {}
    for r in statuses["ranges"]:
        first, last = dt.date.fromisoformat(r["startKey"]), dt.date.fromisoformat(r["endKey"])
        for key in DAY_KEYS:
            if first <= dt.date.fromisoformat(key) <= last:
                days[key] = r["status"]
    return days


def _latest_per_partition(base: str, path: list[str]) -> dict[str, dict]:
    events = graphql(base, MATERIALIZATIONS, {"path": path, "partitions": DAY_KEYS})
    latest: dict[str, dict] = {}
    for event in events["assetOrError"]["assetMaterializations"]:
        key = event["partition"]
        if key not in latest or float(event["timestamp"]) > float(latest[key]["timestamp"]):
            latest[key] = event
    return {
        key: {m["label"]: m.get("intValue", m.get("path", m.get("mdStr"))) for m in e["metadataEntries"]}
        for key, e in latest.items()
    }


def test_graphql_every_partitioned_check_passed_on_each_day_and_metadata_is_per_day(served):
    world, base, _ = served
    nodes = graphql(base, CHECKS)["assetNodes"]
    checks, unpartitioned, tally = {}, [], {}
    for node in nodes:
        answer = node["assetChecksOrError"]
        assert answer["__typename"] == "AssetChecks", answer
        for check in answer["checks"]:
            name = f"{'/'.join(node['assetKey']['path'])}:{check['name']}"
            if check["partitionDefinition"] is None:
                unpartitioned.append(name)
                continue
            checks[name] = _day_statuses(check["partitionStatuses"])
            for key in DAY_KEYS:
                status = checks[name].get(key, "NONE")
                tally[status] = tally.get(status, 0) + 1
    print(f"partitioned checks: {len(checks)}; check-partitions over {len(DAY_KEYS)} days by status: {tally}; "
          f"unpartitioned checks: {unpartitioned}")
    not_passed = {n: s for n, s in checks.items() if [s.get(k) for k in DAY_KEYS] != ["SUCCEEDED"] * 4}
    print(f"checks not Passed on every day: {len(not_passed)}; e.g. {dict(list(not_passed.items())[:5])}")
    problems = [f"{len(not_passed)} of {len(checks)} partitioned checks are not Passed on all 4 days"] if not_passed else []

    seller = _latest_per_partition(base, SELLER_TABLE)
    with duckdb.connect(str(world.db), read_only=True) as conn:
        counts = dict(conn.sql(f"SELECT strftime(dt, '%Y-%m-%d'), count(*) FROM {'.'.join(SELLER_TABLE)} "
                               "GROUP BY 1").fetchall())
    shown = {k: seller.get(k, {}).get("dagster/row_count") for k in DAY_KEYS}
    print(f"seller table rows per day: stored {counts}, dagster/row_count shown {shown}")
    if shown != {k: counts.get(k, 0) for k in DAY_KEYS}:
        problems.append(f"seller table row counts shown {shown} != stored {counts}")

    for report in REPORTS:
        per_day = _latest_per_partition(base, ["reports", report])
        plots = {k: Path(per_day.get(k, {}).get("png") or "").name for k in DAY_KEYS}
        titles = {k: re.findall(r"20\d\d-\d\d-\d\d", (per_day.get(k, {}).get("report") or "")[:400]) for k in DAY_KEYS}
        print(f"{report}: png per partition {plots}; days in the report title {titles}")
        if any(plots[k] != f"{k}.png" or titles[k][:1] != [k] for k in DAY_KEYS):
            problems.append(f"{report}: a partition shows another day's plot: {plots} {titles}")
    assert checks, "no partitioned check"
    assert not problems, problems


def test_a_headless_chromium_renders_the_checks_page_and_the_asset_graph(served):
    _, base, _ = served
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is not installed (apt-get install -y chromium)"
    # kept after the session (pytest prunes old basetemps): the paths are printed to look at
    shots = Path(tempfile.mkdtemp(prefix="marketing-full-screenshots-"))
    # the first-visit "Join the Dagster community" dialog would cover the page: mark it seen,
    # as its Skip button does
    assert graphql(base, "mutation { setNuxSeen }")["setNuxSeen"] is True
    pages = {
        "checks": f"{base}/assets/{'/'.join(SELLER_TABLE)}?view=checks",
        "graph": f"{base}/asset-groups",
    }
    for name, url in pages.items():
        shot = shots / f"{name}.png"
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=1600,1000", "--virtual-time-budget=20000",
             f"--user-data-dir={shots / 'profile'}", f"--screenshot={shot}", url],
            check=True, capture_output=True, timeout=180,
        )
        size = shot.stat().st_size
        print(f"screenshot of {url}: {shot} ({size:,} bytes)")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and size > 30_000, size
