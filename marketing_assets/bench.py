"""``make bench`` / ``python -m marketing_assets.bench all``: the figures of issue 12, printed.

Every row runs in child processes started here, in temporary folders (nothing under
``data/``), and prints the whole-process wall time, CPU time (user + system), peak RSS,
rows per second where rows are written, and its target. ``ods`` also prints the ratio to the
DuckDB read floor measured in the same run (``landing.floor.read_floor``: DuckDB reading the
same files into tables once). Benchmarks print; no test asserts a time.

Rows (``python -m marketing_assets.bench ROW [ROW ...]``, ``all`` = every demo row):

* ``tiny_day``   one tiny day, whole graph, through ``dagster job execute`` (the job's own
  executor, the one a run launched from the UI, a schedule or a sensor gets);
* ``golden``     the 4-day tiny world, whole graph, one range run through the CLI;
* ``one_asset``  one asset through ``dagster asset materialize`` (after ``golden``): the
  steps the run executed are listed, so a check step that the selection did not ask for shows;
* ``demo``       ``python -m marketing_assets.demo`` (``make demo NO_UI=1`` after install);
* ``ui_backfill`` two new demo days backfilled from the UI: ``dagster dev`` (webserver and
  daemon) on 127.0.0.1, a partition backfill launched through its GraphQL, timed until the
  backfill has completed (after ``demo``, on its instance);
* ``ods``        one demo day through every ODS asset vs the read floor;
* ``derived``    the derived layer over a range of demo days in one run (peak memory);
* ``backfill``   a long demo backfill (``--days``, 365 by default) in one range run, which
  sets its own partitions start, then one day's derived cost re-run at day 30 and at the
  last day, and the derived bytes held per day; not part of ``all`` (it simulates a year
  first: ``--landing`` reuses one);
* ``large``      one large day (``SCALE=large``: about 5M executions), whole graph; not
  part of ``all``;
* ``tests``      ``make test``'s pytest command.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
GIB = 2**30
TINY_FIRST = dt.date(2025, 6, 1)
DEMO_FIRST = dt.date(2025, 6, 1)


@dataclass
class Figures:
    """One child process: wall and CPU seconds, peak RSS (GiB), exit status, its output."""

    wall: float
    cpu: float
    peak_gib: float
    returncode: int
    output: str = ""

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.wall + other.wall, self.cpu + other.cpu, max(self.peak_gib, other.peak_gib),
                       self.returncode or other.returncode, self.output + other.output)


@dataclass
class Row:
    what: str
    target: str
    figures: Figures | None = None
    rows: int | None = None
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.figures is None:
            measured = "not measured"
        else:
            f = self.figures
            measured = (f"wall {f.wall:,.1f} s, CPU {f.cpu:,.1f} s, peak {f.peak_gib:.2f} GiB"
                        + (f", {self.rows:,} rows, {self.rows / f.wall:,.0f} rows/s" if self.rows else "")
                        + ("" if f.returncode == 0 else f", FAILED (exit {f.returncode})"))
        extra = "".join(f"\n      {n}" for n in self.notes)
        return f"  {self.what:<58} {measured}\n      target: {self.target}{extra}"


def measure(cmd: Sequence[str], env: dict[str, str], cwd: Path = REPO, timeout: float | None = None) -> Figures:
    """Run ``cmd`` (its output captured) and return its figures, the wall from start to exit
    and the CPU and peak RSS of the process and its children (``wait4``)."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        deadline = None if timeout is None else began + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
            time.sleep(0.05)
        wall = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    # ru_maxrss of wait4 is the largest process of the tree that has been waited for
    return Figures(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024 / GIB, proc.returncode, text)


class Place:
    """A temporary folder with its own landing, warehouse, Dagster instance, reports."""

    def __init__(self, root: Path, start: dt.date, landing: Path | None = None):
        self.root = root
        self.start = start
        self.home = root / "dagster_home"
        #: an existing landing root (``--landing``): its days are read, not simulated again
        self.reused = landing is not None
        self.landing = landing or root / "landing"
        self.db = root / "warehouse.duckdb"
        self.home.mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)  # settings (MARKETING_EXECUTOR, budgets) pass through; paths are the place's
        env.update(
            DAGSTER_HOME=str(self.home),
            MARKETING_LANDING_DIR=str(self.landing),
            MARKETING_DUCKDB_PATH=str(self.db),
            MARKETING_REPORTS_DIR=str(self.root / "reports"),
            MARKETING_SERVING_DIR=str(self.root / "serving"),
            MARKETING_ALERTS_LOG=str(self.root / "alerts.log"),
            MARKETING_PARTITIONS_START=self.start.isoformat(),
            PYTHONWARNINGS="ignore",
            **extra,
        )
        return env

    def write_instance(self) -> None:
        from marketing_assets import demo

        (self.home / "dagster.yaml").write_text(demo.DAGSTER_YAML.format(home=self.home.resolve()))

    def simulate(self, scale: str, first: dt.date, days: int) -> Figures:
        if self.reused:
            return Figures(0.0, 0.0, 0.0, 0, "landing reused")
        return measure([PYTHON, "-m", "marketing_assets.sim", "--scale", scale, "--start", first.isoformat(),
                        "--days", str(days), "--out", str(self.landing)], self.env())

    def job(self, first: dt.date, last: dt.date, job: str = "daily_job", **env: str) -> Figures:
        tags = {"dagster/asset_partition_range_start": first.isoformat(),
                "dagster/asset_partition_range_end": last.isoformat()}
        return measure([str(BIN / "dagster"), "job", "execute", "-m", "marketing_assets.definitions",
                        "-j", job, "--tags", json.dumps(tags)], self.env(**env))

    def materialize(self, select: str, first: dt.date, last: dt.date) -> Figures:
        partition = ["--partition", first.isoformat()] if first == last else [
            "--partition-range", f"{first.isoformat()}...{last.isoformat()}"]
        return measure([str(BIN / "dagster"), "asset", "materialize", "-m", "marketing_assets.definitions",
                        "--select", select, *partition], self.env())

    def query(self, sql: str) -> list[tuple]:
        import duckdb

        with duckdb.connect(str(self.db), read_only=True) as conn:
            return conn.sql(sql).fetchall()

    def rows_written(self, first: dt.date, last: dt.date) -> int:
        """Rows of every warehouse table in the partitions ``first`` .. ``last``."""
        tables = self.query("SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name LIKE 'red%'")
        total = 0
        for schema, table in tables:
            total += self.query(f"SELECT count(*) FROM {schema}.{table} WHERE dt BETWEEN DATE '{first}' AND DATE '{last}'")[0][0]
        return total


@contextlib.contextmanager
def place(label: str, start: dt.date, keep: Path | None = None, landing: Path | None = None) -> Iterator[Place]:
    if keep is not None:
        root = keep / label
        root.mkdir(parents=True, exist_ok=True)
        yield Place(root, start, landing)
        return
    root = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
    try:
        yield Place(root, start, landing)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _steps(output: str) -> list[str]:
    """Step keys a run executed (from its STEP_START log lines)."""
    steps = []
    for line in output.splitlines():
        if " - STEP_START - " in line:
            parts = line.split(" - ")
            steps.append(parts[-3].strip() if len(parts) >= 3 else line)
    return steps


# ---- the rows ------------------------------------------------------------------------------
def bench_tiny_day(keep: Path | None) -> Row:
    row = Row("one tiny day, whole graph, as the UI launches it", "<= 60 s")
    with place("tiny_day", TINY_FIRST, keep) as p:
        p.write_instance()
        sim = p.simulate("tiny", TINY_FIRST, 1)
        row.figures = p.job(TINY_FIRST, TINY_FIRST)
        row.rows = p.rows_written(TINY_FIRST, TINY_FIRST) if row.figures.returncode == 0 else None
        row.notes.append(f"simulation (not counted) {sim.wall:.1f} s; steps run: {len(_steps(row.figures.output))}")
    return row


def bench_golden(keep: Path | None) -> list[Row]:
    first, last = TINY_FIRST, TINY_FIRST + dt.timedelta(days=3)
    golden = Row("the 4-day tiny world through the CLI, whole graph, one range run", "<= 2 min")
    one = Row("one asset through `dagster asset materialize`", "<= 8 s; the selection runs alone")
    with place("golden", TINY_FIRST, keep) as p:
        p.write_instance()
        p.simulate("tiny", first, 4)
        golden.figures = p.job(first, last)
        if golden.figures.returncode == 0:
            golden.rows = p.rows_written(first, last)
        from marketing_assets.domains.coupon.sellers import COUPON_SELLER

        asset = "/".join(COUPON_SELLER.key.path)
        one.figures = p.materialize(asset, last, last)
        steps = _steps(one.figures.output)
        one.notes.append(f"{asset} {last}: steps run {steps}")
    return [golden, one]


def bench_demo(keep: Path | None) -> list[Row]:
    demo = Row("`make demo NO_UI=1`, 14 demo days, after install", "<= 60 s")
    backfill = Row("2 new demo days, backfill from the UI (daemon tick included)", "<= 90 s")
    end = DEMO_FIRST + dt.timedelta(days=13)
    with place("demo", DEMO_FIRST, keep) as p:
        env = p.env(DEMO_END=end.isoformat())
        env.pop("MARKETING_PARTITIONS_START")  # the demo persists its own first day
        demo.figures = measure([PYTHON, "-m", "marketing_assets.demo"], env)
        for line in demo.figures.output.splitlines():
            if line.startswith(("simulated", "daily_job", "asset checks")):
                demo.notes.append(line.strip())
        if demo.figures.returncode == 0:
            demo.rows = p.rows_written(DEMO_FIRST, end)
            first = end + dt.timedelta(days=1)
            last = end + dt.timedelta(days=2)
            measure([PYTHON, "-m", "marketing_assets.sim", "--scale", "demo", "--start", DEMO_FIRST.isoformat(),
                     "--days", "16", "--out", str(p.landing)], env)
            backfill.figures, notes = ui_backfill(p, env, first, last)
            backfill.notes.extend(notes)
    return [demo, backfill]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(base: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"{base}/graphql", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:  # GraphQL's validation errors come as a 400
        raise RuntimeError(f"{error}: {error.read().decode(errors='replace')[:2000]}") from None
    if answer.get("errors"):
        raise RuntimeError(answer["errors"])
    return answer["data"]


LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
  }
}"""
BACKFILL_STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status numPartitions
      runs(limit: 100) { id status stats { ... on RunStatsSnapshot { stepsSucceeded stepsFailed } } } }
  }
}"""


JOB_ASSETS = """
query($selector: PipelineSelector!) {
  assetNodes(pipeline: $selector) { assetKey { path } }
}"""


def job_backfill_params(base: str, job: str, first: dt.date, last: dt.date) -> dict:
    """The ``launchPartitionBackfill`` parameters that the job page's "Materialize all" →
    partitions → "Launch backfill" sends (the UI's ``LaunchAssetChoosePartitionsDialog``
    with a job target): the job's partition set and its assets. Dagster runs such a job
    backfill as one run per range when every asset has a single-run backfill policy. (From
    the global asset graph the UI sends no partition set: an *asset* backfill, whose target
    takes every partition downstream of the chosen days, so a table reading a 600-day window
    is targeted on every later day up to today.)"""
    repo = _graphql(base, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }")
    node = repo["repositoriesOrError"]["nodes"][0]
    repository = {"repositoryLocationName": node["location"]["name"], "repositoryName": node["name"]}
    assets = _graphql(base, JOB_ASSETS, {"selector": {**repository, "pipelineName": job}})
    return {
        "selector": {"partitionSetName": f"{job}_partition_set", "repositorySelector": repository},
        "assetSelection": [{"path": a["assetKey"]["path"]} for a in assets["assetNodes"]],
        "partitionNames": [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)],
        "fromFailure": False,
        "tags": [],
    }


def ui_backfill(p: Place, env: dict[str, str], first: dt.date, last: dt.date) -> tuple[Figures, list[str]]:
    """Start ``dagster dev``, launch a backfill of ``daily_job`` over first..last as its job
    page does (``job_backfill_params``), and time it until the backfill has completed."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(p.root / "dagster_dev.log", "wb")
    server = subprocess.Popen([str(BIN / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port), "-w",
                               str(REPO / "workspace.yaml")], env=env, cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    notes = []
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                data = _graphql(base, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }")
                if data["repositoriesOrError"].get("nodes"):
                    break
            except Exception:  # not up yet
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"dagster dev did not answer on {base} within 300 s")
            time.sleep(1)
        params = job_backfill_params(base, "daily_job", first, last)
        began = time.perf_counter()
        cpu_before = _tree_cpu(server.pid)
        launched = _graphql(base, LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]
        if launched["__typename"] != "LaunchBackfillSuccess":
            raise RuntimeError(f"backfill not launched: {launched}")
        backfill_id = launched["backfillId"]
        status = None
        while time.perf_counter() - began < 3600:
            answer = _graphql(base, BACKFILL_STATUS, {"id": backfill_id})["partitionBackfillOrError"]
            status = answer["status"]
            if status in ("COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"):
                break
            time.sleep(1)
        wall = time.perf_counter() - began
        runs = answer.get("runs") or []
        notes.append(f"backfill {backfill_id}: {status}, {len(runs)} run(s): "
                     + ", ".join(f"{r['status']} {r['stats'].get('stepsSucceeded')} steps" for r in runs))
        figures = Figures(wall, _tree_cpu(server.pid) - cpu_before, 0.0, 0 if status.startswith("COMPLETED") and
                          all(r["status"] == "SUCCESS" for r in runs) else 1)
        notes.append("CPU is the dagster dev process tree's (webserver, daemon, code server, run workers)")
        return figures, notes
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        log.close()


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its live descendants (from /proc), plus their finished children."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    # walk the tree by parent pid
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(status.parent.name)
        stats[child] = fields
        children.setdefault(int(fields[1]), []).append(child)
    stack = [pid]
    while stack:
        current = stack.pop()
        if current in stats:
            f = stats[current]
            total += sum(int(x) for x in f[11:15]) / tick  # utime stime cutime cstime
        stack.extend(children.get(current, []))
    return total


def bench_ods(keep: Path | None) -> Row:
    row = Row("ODS load of one demo day vs DuckDB reading the same files once", "<= 2x the read floor")
    with place("ods", DEMO_FIRST, keep) as p:
        p.write_instance()
        p.simulate("demo", DEMO_FIRST, 1)
        day = DEMO_FIRST
        row.figures = p.materialize("key:redods/*", day, day)
        floor = measure([PYTHON, "-c", (
            "import datetime, sys, time; from pathlib import Path;"
            "from marketing_assets.landing.floor import read_floor;"
            f"r = read_floor(Path({str(p.landing)!r}), datetime.date.fromisoformat({day.isoformat()!r}), {str(p.root / 'floor.duckdb')!r});"
            "print('FLOOR', r.seconds, r.rows, r.bytes)")], p.env())
        if row.figures.returncode == 0:
            row.rows = p.rows_written(day, day)
        for line in floor.output.splitlines():
            if line.startswith("FLOOR"):
                _, seconds, rows, size = line.split()
                row.notes.append(
                    f"read floor: {float(seconds):.1f} s inside its process ({int(rows):,} rows, "
                    f"{int(size) / 2**20:,.1f} MiB), whole process {floor.wall:.1f} s; "
                    f"ratio ODS / floor (whole processes) {row.figures.wall / floor.wall:.2f}x")
        if floor.returncode:
            row.notes.append(f"read floor FAILED: {floor.output[-500:]}")
    return row


def bench_derived(keep: Path | None, days: int = 29) -> Row:
    row = Row(f"derived layer, demo world, range run of {days} days", "<= 4 GiB whatever the range")
    with place("derived", DEMO_FIRST, keep) as p:
        p.write_instance()
        last = DEMO_FIRST + dt.timedelta(days=days - 1)
        p.simulate("demo", DEMO_FIRST, days)
        ods = p.materialize("key:redods/*", DEMO_FIRST, last)
        row.notes.append(f"ODS first (not counted): {ods.wall:.1f} s, peak {ods.peak_gib:.2f} GiB")
        row.figures = p.materialize("key:redcdm/* or key:reddw/* or key:reddm/* or key:redapp/*", DEMO_FIRST, last)
        if row.figures.returncode == 0:
            row.rows = p.rows_written(DEMO_FIRST, last)
    return row


def _derived_bytes_per_day(p: Place, day: dt.date) -> int:
    """Estimated bytes the derived tables hold for ``day``: each table's storage blocks
    (256 KiB each, ``pragma_storage_info``) shared out by rows, times the day's rows."""
    total = 0.0
    for schema, table in p.query(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE schema_name IN ('reddw', 'redcdm', 'reddm', 'redapp')"
    ):
        on_day, rows = p.query(f"SELECT count(*) FILTER (WHERE dt = DATE '{day}'), count(*) FROM {schema}.{table}")[0]
        blocks = p.query(f"SELECT count(DISTINCT block_id) FROM pragma_storage_info('{schema}.{table}') WHERE block_id >= 0")[0][0]
        if rows:
            total += on_day * blocks * 262144 / rows
    return int(total)


def history_notes(p: Place, short: int, long: int) -> list[str]:
    """One day's derived cost re-run at day ``short`` and day ``long`` of a stored history,
    and the derived bytes held for days 15, 45, 75 and ``long``."""
    derived = "key:redcdm/* or key:reddw/* or key:reddm/* or key:redapp/*"
    figures = {}
    for n in (short, long):
        day = DEMO_FIRST + dt.timedelta(days=n - 1)
        figures[n] = p.materialize(derived, day, day)
    notes = [f"one day's derived layer re-run: day {short} {figures[short].wall:.1f} s (CPU {figures[short].cpu:.1f} s), "
             f"day {long} {figures[long].wall:.1f} s (CPU {figures[long].cpu:.1f} s): "
             f"{figures[long].wall / figures[short].wall:.2f}x wall, {figures[long].cpu / figures[short].cpu:.2f}x CPU "
             f"(target <= 1.1x)"]
    held = []
    for n in sorted({15, 45, 75, long}):
        if n <= long:
            day = DEMO_FIRST + dt.timedelta(days=n - 1)
            held.append(f"day {n} {_derived_bytes_per_day(p, day) / 2**20:,.1f} MiB")
    notes.append("derived bytes held per day (estimate from storage blocks; target: flat): " + ", ".join(held))
    return notes


def bench_backfill(keep: Path | None, days: int = 365, landing: Path | None = None) -> Row:
    row = Row(f"a {days}-day demo backfill in one range run", "<= 10 min, <= 4 GiB")
    with place("backfill", DEMO_FIRST, keep, landing) as p:
        p.write_instance()
        sim = p.simulate("demo", DEMO_FIRST, days)
        last = DEMO_FIRST + dt.timedelta(days=days - 1)
        row.notes.append(f"simulation (not counted) {sim.wall:.1f} s, peak {sim.peak_gib:.2f} GiB")
        row.figures = p.job(DEMO_FIRST, last)
        if row.figures.returncode == 0:
            row.rows = p.rows_written(DEMO_FIRST, last)
            row.notes.append(f"warehouse file {p.db.stat().st_size / 2**20:,.0f} MiB")
            if days >= 30:
                row.notes.extend(history_notes(p, 30, days))
    return row


def bench_large(keep: Path | None, landing: Path | None = None) -> Row:
    row = Row("one large day (>= 5M executions), whole graph", "<= 10 min, <= 10 GiB")
    with place("large", DEMO_FIRST, keep, landing) as p:
        p.write_instance()
        sim = p.simulate("large", DEMO_FIRST, 1)
        row.notes.append(f"simulation (not counted) {sim.wall:.1f} s, peak {sim.peak_gib:.2f} GiB")
        row.figures = p.job(DEMO_FIRST, DEMO_FIRST)
        if row.figures.returncode == 0:
            row.rows = p.rows_written(DEMO_FIRST, DEMO_FIRST)
    return row


def bench_tests(keep: Path | None) -> Row:
    row = Row("`make test` (pytest -m 'not full') on this machine", "<= 4 min")
    row.figures = measure([PYTHON, "-m", "pytest", "-m", "not full", "-q", "-p", "no:cacheprovider",
                           "--durations=8", "--durations-min=5"],
                          {k: v for k, v in os.environ.items() if not k.startswith("MARKETING_")})
    lines = row.figures.output.splitlines()
    summary = [line for line in lines if " passed" in line or " failed" in line]
    row.notes.extend(summary[-1:])
    # pytest's "12.34s call     path::test" lines
    slowest = [line.strip() for line in lines if line[:1].isdigit()
               and any(f"s {when} " in line for when in ("call", "setup", "teardown"))]
    row.notes.extend(f"slow: {line}" for line in slowest[:8])
    return row


ROWS = {
    "tiny_day": bench_tiny_day,
    "golden": bench_golden,
    "demo": bench_demo,
    "ods": bench_ods,
    "derived": bench_derived,
    "tests": bench_tests,
    "backfill": bench_backfill,
    "large": bench_large,
}
ALL = ["tiny_day", "golden", "demo", "ods", "derived", "tests"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m marketing_assets.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", nargs="+", choices=[*ROWS, "all"])
    parser.add_argument("--keep", type=Path, help="keep each row's folder under this one (default: removed)")
    parser.add_argument("--landing", type=Path, help="backfill / large: read this landing root (already "
                        "simulated from 2025-06-01 at the row's scale) instead of simulating")
    parser.add_argument("--days", type=int, default=365, help="backfill: days of the range run")
    args = parser.parse_args(argv)
    wanted = [r for name in args.rows for r in (ALL if name == "all" else [name])]
    if os.environ.get("SCALE") == "large" and "large" not in wanted:
        wanted.append("large")
    print(f"marketing_assets bench on {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / GIB:.0f} GiB; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    for name in dict.fromkeys(wanted):
        began = time.perf_counter()
        if name == "backfill":
            result = bench_backfill(args.keep, args.days, args.landing)
        elif name == "large":
            result = bench_large(args.keep, args.landing)
        else:
            result = ROWS[name](args.keep)
        for row in result if isinstance(result, list) else [result]:
            print(row.line(), flush=True)
        print(f"    ({name}: {time.perf_counter() - began:.0f} s with set-up)", flush=True)


if __name__ == "__main__":
    main()
