"""One lock per DuckDB file, held around every connection to it.

DuckDB lets a single process open a database file read-write, and while it does no other
process can open the file at all, not even read-only. Every connection of this project, for
reading or for writing, therefore runs inside ``warehouse_lock(path)``:

* across processes: ``fcntl.flock`` on ``<path>.lock`` (a separate file, so DuckDB's own
  lock on the database file is untouched);
* across threads of one process: a ``threading.Lock`` per file (``flock`` belongs to an
  open file description, and two threads must not both open the database either);
* within one thread: re-entrant, a nested ``warehouse_lock`` on the same file (a resource
  query inside an open connection, say) only counts depth instead of deadlocking.

Waiting polls with a short sleep, so a run queued behind a long write waits up to
``timeout_s`` and then fails with a ``TimeoutError`` that names the lock file.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_S = 0.05

_registry_guard = threading.Lock()
_thread_locks: dict[str, threading.Lock] = {}
_held = threading.local()  # _held.depth: {lock file path: nesting depth in this thread}


def _thread_lock(lock_path: str) -> threading.Lock:
    with _registry_guard:
        return _thread_locks.setdefault(lock_path, threading.Lock())


@contextmanager
def warehouse_lock(db_path: str | os.PathLike[str], timeout_s: float = 900) -> Iterator[None]:
    """Hold the exclusive lock of the DuckDB file ``db_path`` (re-entrant in one thread)."""
    if str(db_path) == ":memory:":  # private to its connection: nothing to serialise
        yield
        return
    lock_path = str(Path(db_path).resolve()) + ".lock"
    depth: dict[str, int] = _held.__dict__.setdefault("depth", {})
    if depth.get(lock_path):
        depth[lock_path] += 1
        try:
            yield
        finally:
            depth[lock_path] -= 1
        return

    deadline = time.monotonic() + timeout_s
    thread_lock = _thread_lock(lock_path)
    if not thread_lock.acquire(timeout=max(timeout_s, 0)):
        raise TimeoutError(
            f"Timed out after {timeout_s:g} s waiting for the warehouse lock {lock_path} "
            "(held by another thread of this process)"
        )
    try:
        Path(lock_path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TimeoutError(
                            f"Timed out after {timeout_s:g} s waiting for the warehouse lock "
                            f"{lock_path} (held by another process)"
                        ) from None
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
