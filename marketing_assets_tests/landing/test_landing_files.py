"""Which files of a landing day are read: names the loader ignores, links out of the landing
root, and lines too long to parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketing_assets.config import DUCKDB_MEMORY_ENV
from marketing_assets.landing.files import (
    MAX_LINE_ENV,
    OUTSIDE_ROOT,
    LandingOutsideRootError,
    data_files,
)
from marketing_assets.landing.ingest import ingest_day
from marketing_assets_tests.landing.conftest import CSV_ITEM, DAY, MONGO, land, order

#: every rule holds on both read paths (see ``conftest.ods_path``)
pytestmark = pytest.mark.usefixtures("ods_path")

FOLDER = f"{MONGO.table}/dt=2025-06-02"


# ---- files the loader does not read ------------------------------------------------------
def test_ignored_files_are_listed_not_read(root):
    land(root, MONGO, DAY, order(1) + "\n")
    land(root, MONGO, DAY, order(2) + "\n", name="part-00002.CSV")  # upper case: not a part
    land(root, MONGO, DAY, "see the wiki\n", name="README.txt")
    land(root, MONGO, DAY, b"\x00\x01", name=".DS_Store")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert r.files == [f"{FOLDER}/part-00000.jsonl"]
    assert r.ignored_files == [
        f"{FOLDER}/.DS_Store",
        f"{FOLDER}/README.txt",
        f"{FOLDER}/part-00002.CSV",
    ]
    assert r.quarantine.height == 0


# ---- nothing outside the landing root is read --------------------------------------------
@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def test_a_file_linked_outside_the_root_is_not_read_and_is_quarantined_without_contents(
    root, outside
):
    secret = outside / "secrets.jsonl"
    secret.write_text("password=hunter2\n" + order(7) + "\n")
    land(root, MONGO, DAY, order(1) + "\n")
    (root / FOLDER / "part-00001.jsonl").symlink_to(secret)
    shared = root / "_shared" / "orders.jsonl"  # a link inside the root is read
    shared.parent.mkdir()
    shared.write_text(order(2) + "\n")
    (root / FOLDER / "part-00002.jsonl").symlink_to(shared)
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1, 2]
    assert r.files == [f"{FOLDER}/part-00000.jsonl", f"{FOLDER}/part-00002.jsonl"]
    assert r.quarantine.select("file", "line", "raw", "reason").rows() == [
        (f"{FOLDER}/part-00001.jsonl", None, "", OUTSIDE_ROOT)
    ]
    read, ignored = data_files(root / FOLDER)
    assert [p.name for p in read] == ["part-00000.jsonl", "part-00002.jsonl"]
    assert ignored == ["part-00001.jsonl"]


def test_a_day_folder_linked_outside_the_root_is_refused(root, outside):
    land(outside, MONGO, DAY, order(1) + "\n" + order(2) + "\n")  # a valid day, elsewhere
    (root / MONGO.table).mkdir(parents=True)
    (root / FOLDER).symlink_to(outside / FOLDER, target_is_directory=True)
    with pytest.raises(LandingOutsideRootError, match="resolves outside the landing root"):
        ingest_day(MONGO, root, DAY)
    assert data_files(root / FOLDER) == ([], [])


def test_a_table_folder_linked_outside_the_root_is_refused(root, outside):
    land(outside, MONGO, DAY, order(1) + "\n")
    root.mkdir()
    (root / MONGO.table).symlink_to(outside / MONGO.table, target_is_directory=True)
    with pytest.raises(LandingOutsideRootError, match=str(root / FOLDER)):
        ingest_day(MONGO, root, DAY)


# ---- lines too long to parse -------------------------------------------------------------
def test_a_15_mib_line_is_quarantined_and_the_rest_of_the_day_loads(root, monkeypatch):
    # the memory a DuckDB of the demo gives one parse: the whole day failed with
    # OutOfMemoryException before
    monkeypatch.setenv(DUCKDB_MEMORY_ENV, "256MB")
    big = order(2).replace('"note":null', '"note":"' + "x" * (15 * 1024 * 1024) + '"')
    land(root, MONGO, DAY, "\n".join([order(1), big, order(3)]) + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1, 3]
    q = r.quarantine.row(0, named=True)
    assert r.quarantine.height == 1 and q["line"] == 2
    assert q["reason"] == (
        f"line of {len(big)} bytes over the limit of 4194304 bytes: not parsed "
        "(raw keeps its first 1024 bytes)"
    )
    assert q["raw"] == big[:1024]
    assert r.lines == 3


def test_the_line_limit_follows_the_environment_and_cuts_whole_characters(root, monkeypatch):
    monkeypatch.setenv(MAX_LINE_ENV, "2048")
    at_limit = order(1).replace('"note":null', '"note":"' + "a" * (2048 - len(order(1)) + 2) + '"')
    assert len(at_limit.encode()) == 2048
    # "é" is two bytes: the 1024th byte of this line is the first half of one (83 bytes
    # before the first é), so the prefix ends a byte earlier
    over = order(2).replace('"note":null', '"note":"xy' + "é" * 1500 + '"')
    land(root, MONGO, DAY, at_limit + "\n" + over + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    raw = r.quarantine["raw"][0]
    assert over.startswith(raw) and len(raw.encode()) == 1023
    assert r.quarantine["reason"][0].startswith(
        f"line of {len(over.encode())} bytes over the limit of 2048 bytes"
    )


def test_an_over_long_csv_line_is_quarantined(root, monkeypatch):
    monkeypatch.setenv(MAX_LINE_ENV, "2048")
    land(root, CSV_ITEM, DAY, f"id,name\n1,a\n2,{'b' * 3000}\n3,c\n", name="part-00000.csv")
    r = ingest_day(CSV_ITEM, root, DAY)
    assert r.frame.select("item_id", "name").rows() == [(1, "a"), (3, "c")]
    assert r.quarantine["line"].to_list() == [3]
    assert r.quarantine["reason"][0].startswith("line of 3002 bytes over the limit of 2048 bytes")
