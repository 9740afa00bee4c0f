"""``python -m marketing_assets_tests.full._runner FIRST LAST``: the main job over FIRST..LAST
as ONE range run, in process, on the instance of $DAGSTER_HOME and the warehouse of
$MARKETING_DUCKDB_PATH, the way `make demo` runs it. Exit 0 when the run succeeded.

It prints ``STEP_START <step key>`` on stdout (flushed) as each step starts, so that a test
can kill -9 it at a chosen moment. With ``FULL_TEST_KILL_AT`` set it also kills itself with
SIGKILL at a moment no outside timer can hit reliably (the line ``KILLING <spec>`` is printed
first):

* ``sql:<text>``: right after the first warehouse statement containing ``<text>`` has run,
  i.e. inside its transaction, before the COMMIT;
* ``file:<suffix>``: just before a file whose path ends with ``<suffix>`` is written.
"""

from __future__ import annotations

import os
import signal
import sys
import warnings
from pathlib import Path

import duckdb
import polars as pl
from dagster import BetaWarning, DagsterEventType, DagsterInstance

warnings.filterwarnings("ignore", category=BetaWarning)

KILL_ENV = "FULL_TEST_KILL_AT"


def _die(spec: str) -> None:
    print(f"KILLING {spec}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


class _KillingConnection:
    """A warehouse connection that dies right after running a statement containing ``text``."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, text: str):
        self._conn, self._text = conn, text

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._conn.__exit__(*exc)

    def execute(self, query, *args, **kwargs):
        result = self._conn.execute(query, *args, **kwargs)
        if isinstance(query, str) and self._text in query:
            _die(f"sql:{self._text}")
        return result

    def cursor(self):
        # inside a run's warehouse session every connection is a cursor of the session's one
        return _KillingConnection(self._conn.cursor(), self._text)


def _arm(spec: str) -> None:
    kind, _, target = spec.partition(":")
    if kind == "sql":
        connect = duckdb.connect

        def killing_connect(*args, **kwargs):
            conn = connect(*args, **kwargs)
            database = kwargs.get("database", args[0] if args else ":memory:")
            return conn if str(database) == ":memory:" else _KillingConnection(conn, target)

        duckdb.connect = killing_connect  # the warehouse looks it up at call time
    elif kind == "file":
        write_bytes, write_csv = Path.write_bytes, pl.DataFrame.write_csv

        def checked_write_bytes(self, data):
            if str(self).endswith(target):
                _die(spec)
            return write_bytes(self, data)

        def checked_write_csv(self, file=None, *args, **kwargs):
            if file is not None and str(file).endswith(target):
                _die(spec)
            return write_csv(self, file, *args, **kwargs)

        Path.write_bytes, pl.DataFrame.write_csv = checked_write_bytes, checked_write_csv
    else:
        raise SystemExit(f"{KILL_ENV}: unknown moment {spec!r}")


def _announce_steps(instance: DagsterInstance) -> None:
    """Print every step start once the instance has stored it."""
    store = instance.event_log_storage
    store_event = store.store_event

    def announcing(event, *args, **kwargs):
        store_event(event, *args, **kwargs)
        dagster_event = event.dagster_event
        if dagster_event is not None and dagster_event.event_type == DagsterEventType.STEP_START:
            print(f"STEP_START {dagster_event.step_key}", flush=True)

    store.store_event = announcing


def main(first: str, last: str) -> int:
    from marketing_assets import demo
    from marketing_assets.definitions import defs

    if os.environ.get(KILL_ENV):
        _arm(os.environ[KILL_ENV])
    instance = demo.ensure_instance()
    _announce_steps(instance)
    result = demo.run_days(defs, instance, first, last)
    print(f"RUN {'success' if result.success else 'FAILED'} {result.run_id}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
