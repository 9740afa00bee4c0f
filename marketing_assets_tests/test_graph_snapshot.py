"""The lineage of `defs` against a committed snapshot (``graph_snapshot.json``): every asset
key with its partitions and backfill policy, each asset's deps with the partition mapping of
each dep (class and offsets), every check key with its blocking flag, and the job names.

A change to the graph fails here until the snapshot is updated on purpose:

    UPDATE_GRAPH_SNAPSHOT=1 .venv/bin/python -m pytest -n 0 marketing_assets_tests/test_graph_snapshot.py

then review ``git diff marketing_assets_tests/graph_snapshot.json`` and commit it with the
change. The rules that hold for every asset (daily partitions, single-run backfills, an
owner, a description and a layer; complete column lineage of the DM and APP metrics) are
asserted on the live graph below, so they do not depend on the snapshot being right.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from dagster import BackfillPolicy, TimeWindowPartitionMapping

from marketing_assets.definitions import defs
from marketing_assets.domains.tables import DERIVED_TABLES
from marketing_assets.partitions import DAILY

SNAPSHOT = Path(__file__).with_name("graph_snapshot.json")
UPDATE_ENV = "UPDATE_GRAPH_SNAPSHOT"


def _mapping(mapping) -> dict:
    out = {"class": type(mapping).__name__}
    if isinstance(mapping, TimeWindowPartitionMapping):
        out |= {"start_offset": mapping.start_offset, "end_offset": mapping.end_offset,
                "allow_nonexistent_upstream_partitions": mapping.allow_nonexistent_upstream_partitions}
    return out


def _partitions(node) -> str | None:
    if node.partitions_def is None:
        return None
    return "daily" if node.partitions_def == DAILY else type(node.partitions_def).__name__


def graph_snapshot() -> dict:
    """The live graph as plain JSON data, every list sorted."""
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "partitions": _partitions(node),
            "backfill_policy": str(node.backfill_policy.policy_type.value) if node.backfill_policy else None,
            "deps": {
                parent.to_user_string(): _mapping(graph.get_partition_mapping(key, parent))
                for parent in sorted(node.parent_keys, key=lambda k: k.to_user_string())
            },
        }
    checks = {
        f"{k.asset_key.to_user_string()}:{k.name}": {"blocking": graph.get_check_spec(k).blocking}
        for k in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name))
    }
    jobs = sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__"))
    return {"assets": assets, "checks": checks, "jobs": jobs}


def _dumps(snapshot: dict) -> str:
    """Indented JSON with each innermost object (a dep's mapping, a check) on one line."""
    text = json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False)
    flat = re.sub(r"\{\n\s+([^{}\[\]]*?)\n\s*\}",
                  lambda m: "{" + " ".join(line.strip() for line in m.group(1).splitlines()) + "}", text)
    assert json.loads(flat) == snapshot
    return flat + "\n"


def _differences(committed: dict, live: dict) -> list[str]:
    out = []
    for section in ("assets", "checks"):
        old, new = committed.get(section, {}), live[section]
        out += [f"{section}: added {k}" for k in sorted(new.keys() - old.keys())]
        out += [f"{section}: removed {k}" for k in sorted(old.keys() - new.keys())]
        for k in sorted(old.keys() & new.keys()):
            for field in sorted(old[k].keys() | new[k].keys()):
                was, now = old[k].get(field), new[k].get(field)
                if was == now:
                    continue
                if field == "deps":
                    was, now = was or {}, now or {}
                    out += [f"{k}: dep added {d} {json.dumps(now[d], sort_keys=True)}" for d in sorted(now.keys() - was.keys())]
                    out += [f"{k}: dep removed {d}" for d in sorted(was.keys() - now.keys())]
                    out += [f"{k}: dep {d} {json.dumps(was[d], sort_keys=True)} -> {json.dumps(now[d], sort_keys=True)}"
                            for d in sorted(was.keys() & now.keys()) if was[d] != now[d]]
                else:
                    out.append(f"{k}: {field} {json.dumps(was)} -> {json.dumps(now)}")
    if committed.get("jobs") != live["jobs"]:
        out.append(f"jobs: {committed.get('jobs')} -> {live['jobs']}")
    return out


def test_the_graph_matches_the_committed_snapshot():
    live = graph_snapshot()
    if os.environ.get(UPDATE_ENV):
        SNAPSHOT.write_text(_dumps(live))
        print(f"\n{SNAPSHOT} updated: review its git diff")
        return
    committed = json.loads(SNAPSHOT.read_text())
    diff = _differences(committed, live)
    assert not diff, (
        f"the graph differs from {SNAPSHOT.name} ({len(diff)} differences); if the change is meant, run "
        f"{UPDATE_ENV}=1 pytest -n 0 {Path(__file__).relative_to(Path(__file__).parents[1])}:\n"
        + "\n".join(diff[:40])
    )


def test_the_snapshot_holds_the_lineage_that_matters():
    """Hand-picked facts of the committed file, so that an update that loses them is seen
    in review: the quarantine fed by every landed source's day, the invariants' checks
    blocking (design: grain unique, used ≤ claimed ≤ triggered, amounts reconcile), the
    Mongo/MySQL agreement checks warnings, and the main job."""
    snap = json.loads(SNAPSHOT.read_text())
    quarantine = snap["assets"]["redods/quarantine"]["deps"]
    assert len(quarantine) == 36 and all(m["start_offset"] == m["end_offset"] == 0 for m in quarantine.values())
    blocking = {k.split(":")[1]: v["blocking"] for k, v in snap["checks"].items()}
    assert all(v for k, v in snap["checks"].items() if k.endswith(":grain_unique"))
    assert {name: blocking[name] for name in (
        "uses_were_claimed", "funnel_used_le_claimed_le_triggered", "seller_totals_reconcile",
        "price_minus_discounts_is_paid", "mongo_mysql_templates_agree", "mongo_mysql_claims_agree")} == {
        "uses_were_claimed": True, "funnel_used_le_claimed_le_triggered": True, "seller_totals_reconcile": True,
        "price_minus_discounts_is_paid": True, "mongo_mysql_templates_agree": False, "mongo_mysql_claims_agree": False}
    assert "daily_job" in snap["jobs"]


def test_every_asset_is_daily_single_run_owned_described_and_layered():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.partitions_def == DAILY, key
        assert node.backfill_policy == BackfillPolicy.single_run(), key
        assert node.owners == ["team:marketing-data"], key
        assert node.description and node.tags.get("layer"), key


def test_every_dm_and_app_metric_has_column_lineage_to_its_inputs():
    graph = defs.resolve_asset_graph()
    checked = 0
    for table in DERIVED_TABLES:
        if table.layer not in ("dm", "app"):
            continue
        lineage = graph.get(table.key).metadata["dagster/column_lineage"].deps_by_column
        metrics = [c for c, col in table.model.to_schema().columns.items()
                   if c != "dt" and str(col.dtype) in ("Int64", "Float64") and c not in table.grain]
        missing = [c for c in metrics if c not in lineage]
        assert not missing, (table.table, missing)
        for deps in lineage.values():
            assert all(d.asset_key in {up.asset_key for up in table.inputs.values()} for d in deps)
        checked += 1
    assert checked >= 16
