"""Shared parts of the slow suites (`make test-full`): a tiny simulated world in a temporary
folder, the main job run over it in a subprocess, digests of every table and report file,
and the webserver on 127.0.0.1."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from marketing_assets.sim.run import simulate

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIRST, DAYS = "2025-06-01", 4
LAST = "2025-06-04"
DAY_KEYS = ["2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04"]
RUN_TIMEOUT_S = 900


@dataclass(frozen=True)
class World:
    """The folders of one pipeline deployment: landing, warehouse, instance, reports."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def db(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def alerts(self) -> Path:
        return self.root / "alerts.log"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every process of this world (nothing points into data/)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MARKETING_", "DAGSTER_"))}
        env.update(
            DAGSTER_HOME=str(self.home),
            MARKETING_LANDING_DIR=str(self.landing),
            MARKETING_DUCKDB_PATH=str(self.db),
            MARKETING_REPORTS_DIR=str(self.reports),
            MARKETING_ALERTS_LOG=str(self.alerts),
            MARKETING_SERVING_DIR=str(self.root / "serving"),
            MARKETING_PARTITIONS_START=FIRST,
            PYTHONPATH=str(PROJECT),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env


def land(world: World, days: int = DAYS) -> World:
    """The tiny world's landing files of FIRST and the following days."""
    import datetime as dt

    simulate("tiny", dt.date.fromisoformat(FIRST), days, world.landing)
    return world


def copy_world(src: World, dst_root: Path, *, landing: bool = True) -> World:
    """A copy of a world whose runs have ended (the warehouse file is closed)."""
    dst = World(dst_root)
    dst_root.mkdir(parents=True, exist_ok=True)
    if landing:
        shutil.copytree(src.landing, dst.landing)
    for path in src.root.glob("warehouse.duckdb*"):
        if not path.name.endswith(".lock"):
            shutil.copy(path, dst_root / path.name)
    if src.reports.exists():
        shutil.copytree(src.reports, dst.reports)
    if src.home.exists():
        shutil.copytree(src.home, dst.home)
    return dst


def start_run(world: World, first: str = FIRST, last: str = LAST, **env: str) -> subprocess.Popen:
    """The main job over first..last as one range run, in a process group of its own."""
    world.home.mkdir(parents=True, exist_ok=True)
    log_path = world.root / f"run-{time.time_ns()}.err"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "marketing_assets_tests.full._runner", first, last],
            cwd=PROJECT,
            env=world.env(**env),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
    proc.log_path = log_path  # its stderr
    return proc


def run(world: World, first: str = FIRST, last: str = LAST, **env: str) -> list[str]:
    """Run to the end; the lines it printed. Fails the test when the run fails."""
    proc = start_run(world, first, last, **env)
    out, _ = proc.communicate(timeout=RUN_TIMEOUT_S)
    lines = out.splitlines()
    if proc.returncode != 0:
        err = proc.log_path.read_text()[-4000:]
        raise AssertionError(f"run {first}..{last} exited {proc.returncode}: {lines[-5:]}\n{err}")
    assert lines[-1].startswith("RUN success"), lines[-5:]
    return lines


def kill_group(proc: subprocess.Popen) -> None:
    """kill -9 the process group of ``proc`` and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def tables(db: Path) -> list[str]:
    """The stored tables (not the views of interval tables, which read them)."""
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as conn:
        return [
            name
            for (name,) in conn.sql(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]


def table_digests(db: Path) -> dict[tuple[str, str], tuple[int, str]]:
    """(table, dt) -> (rows, md5 of the rows as text, ordered): every partition of every
    table, read straight from the file (not through the code under test); ``(table,
    "columns")`` holds the column names and types."""
    digests: dict[tuple[str, str], tuple[int, str]] = {}
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as conn:
        names = conn.sql(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1"
        ).fetchall()
        for (table,) in names:
            columns = conn.sql(f"DESCRIBE {table}").fetchall()
            digests[(table, "columns")] = (len(columns), hashlib.md5(repr(columns).encode()).hexdigest())
            rows = conn.sql(
                f"SELECT strftime(dt, '%Y-%m-%d'), count(*), "
                f"md5(string_agg(CAST(r AS VARCHAR), chr(10) ORDER BY CAST(r AS VARCHAR))) "
                f"FROM {table} r GROUP BY ALL"
            ).fetchall()
            for day, n, digest in rows:
                digests[(table, day)] = (n, digest)
    return digests


def file_digests(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every report file under ``folder`` (a ``.<name>.partial``
    left by a kill mid-write is not a report file: the next write of ``<name>`` replaces it)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not (p.name.startswith(".") and p.name.endswith(".partial"))
    }


@contextlib.contextmanager
def webserver(world: World, port: int) -> Iterator[tuple[str, subprocess.Popen]]:
    """`dagster dev` on 127.0.0.1:``port`` over ``world``; yields its base URL and process
    (the leader of its process group); the whole
    process group (webserver, daemon, code server) is killed afterwards."""
    log = (world.root / f"webserver-{port}.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
        cwd=PROJECT,
        env=world.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, (world.root / f"webserver-{port}.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the webserver did not answer in 240 s"
            time.sleep(1)
        _wait_for_code_location(base, deadline)
        yield base, proc
    finally:
        kill_group(proc)
        log.close()


def graphql(base: str, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


LOCATIONS = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def _wait_for_code_location(base: str, deadline: float) -> None:
    """The code location has loaded (the webserver answers before it has)."""
    while True:
        entries = graphql(base, LOCATIONS)["workspaceOrError"]["locationEntries"]
        kinds = [e["locationOrLoadError"] and e["locationOrLoadError"]["__typename"] for e in entries]
        assert "PythonError" not in kinds, entries
        if entries and all(k == "RepositoryLocation" for k in kinds):
            return
        assert time.monotonic() < deadline, f"the code location did not load: {entries}"
        time.sleep(1)
