"""The reference world of the slow suites: the tiny world's 4 days landed, and the main job
run over them uninterrupted as ONE range run. Built once per session, shared by the xdist
workers (the first builds it under a file lock, the others wait for it); tests only copy it."""

from __future__ import annotations

import fcntl
import os
import time

import pytest

from marketing_assets_tests.full._support import PROJECT, World, land, run


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> World:
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # xdist: one basetemp per worker under a common parent
    world = World(shared / "reference")
    with (shared / "reference.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = world.root / "done"
        if not done.exists():
            world.root.mkdir(parents=True, exist_ok=True)
            land(world)
            started = time.perf_counter()
            run(world)
            done.write_text(f"{time.perf_counter() - started:.1f}\n")
        print(f"reference world {world.root}: uninterrupted run took {done.read_text().strip()} s")
    return world


def _data_files() -> dict[str, int]:
    data = PROJECT / "data"
    return {str(p.relative_to(data)): p.stat().st_mtime_ns for p in data.rglob("*") if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def nothing_written_into_data():
    """Every process of these suites runs on temporary folders: the checkout's data/ is
    the same after the session (a new setting defaulting to data/ would show up here)."""
    before = _data_files()
    yield
    after = _data_files()
    changed = sorted(k for k in after.keys() | before.keys() if after.get(k) != before.get(k))
    assert not changed, f"the slow suites wrote into {PROJECT / 'data'}: {changed[:10]}"
