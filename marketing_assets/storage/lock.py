"""File locks of a DuckDB warehouse: one per connection, one per run.

DuckDB lets a single process open a database file read-write, and while it does no other
process can open the file at all, not even read-only. Every connection of this project, for
reading or for writing, therefore runs inside ``warehouse_lock(path)``. Whole runs that write
the warehouse are serialised as well, by ``run_lock(path)``, so that two runs (a restatement,
the schedule, a backfill) never interleave their writes.

Both are the same kind of lock on a different file next to the database:

* across processes: ``fcntl.flock`` on ``<path>.lock`` (connections) or ``<path>.run.lock``
  (runs), separate files, so DuckDB's own lock on the database file is untouched and a run
  holding its run lock still takes and releases the connection lock for every connection;
  the kernel releases a ``flock`` when its process dies, so a killed run never blocks the
  next one;
* across threads of one process: a ``threading.Lock`` per file (``flock`` belongs to an
  open file description, and two threads must not both hold it);
* within one thread: re-entrant, a nested lock on the same file (a resource query inside an
  open connection, say) only counts depth instead of deadlocking.

Waiting polls with a short sleep, so a connection queued behind a long write waits up to
``timeout_s`` and then fails with a ``TimeoutError`` that names the lock file.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_S = 0.05

_registry_guard = threading.Lock()
_thread_locks: dict[str, threading.Lock] = {}
_held = threading.local()  # _held.depth: {lock file path: nesting depth in this thread}


def _thread_lock(lock_path: str) -> threading.Lock:
    with _registry_guard:
        return _thread_locks.setdefault(lock_path, threading.Lock())


def lock_file(db_path: str | os.PathLike[str], suffix: str) -> str:
    """The lock file of the DuckDB file ``db_path`` (``suffix``: ``.lock`` or ``.run.lock``)."""
    return str(Path(db_path).resolve()) + suffix


@contextmanager
def _file_lock(
    lock_path: str,
    timeout_s: float | None,
    what: str,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the exclusive ``flock`` of ``lock_path`` (re-entrant in one thread); wait at most
    ``timeout_s`` (None: as long as it takes), calling ``on_wait(lock_path)`` once if busy."""
    depth: dict[str, int] = _held.__dict__.setdefault("depth", {})
    if depth.get(lock_path):
        depth[lock_path] += 1
        try:
            yield
        finally:
            depth[lock_path] -= 1
        return

    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    thread_lock = _thread_lock(lock_path)
    acquired = (
        thread_lock.acquire() if timeout_s is None else thread_lock.acquire(timeout=max(timeout_s, 0))
    )
    if not acquired:
        raise TimeoutError(
            f"Timed out after {timeout_s:g} s waiting for the {what} {lock_path} "
            "(held by another thread of this process)"
        )
    try:
        Path(lock_path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            waited = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise TimeoutError(
                            f"Timed out after {timeout_s:g} s waiting for the {what} "
                            f"{lock_path} (held by another process)"
                        ) from None
                    if not waited and on_wait is not None:
                        on_wait(lock_path)
                    waited = True
                    time.sleep(POLL_S)
            depth[lock_path] = 1
            try:
                yield
            finally:
                del depth[lock_path]
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        thread_lock.release()


@contextmanager
def warehouse_lock(db_path: str | os.PathLike[str], timeout_s: float = 900) -> Iterator[None]:
    """Hold the exclusive connection lock of the DuckDB file ``db_path`` (re-entrant in one
    thread)."""
    if str(db_path) == ":memory:":  # private to its connection: nothing to serialise
        yield
        return
    with _file_lock(lock_file(db_path, ".lock"), timeout_s, "warehouse lock"):
        yield


@contextmanager
def run_lock(
    db_path: str | os.PathLike[str] = "",
    timeout_s: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the run lock of the warehouse ``db_path`` (empty: ``config.duckdb_path()`` now)
    for a whole run: runs of other processes and threads wait (by default as long as it
    takes; a dead holder's lock is released by the kernel). Re-entrant in one thread.

    Runs launched by the webserver, schedules and sensors take it in their run worker (see
    ``storage.executor``); in-process runs (``execute_in_process``, ``materialize``) are
    wrapped in it by their caller."""
    from marketing_assets.storage.connection import resolve_database

    database = resolve_database(str(db_path))
    if database == ":memory:":
        yield
        return
    with _file_lock(lock_file(database, ".run.lock"), timeout_s, "run lock", on_wait):
        yield
