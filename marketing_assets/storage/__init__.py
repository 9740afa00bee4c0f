"""Storage: the DuckDB warehouse behind an I/O manager and one SQL resource, one write path
(``replace_days``, in one ``transaction``), whole runs serialised by a run lock, and the
serving copy each run publishes."""

from marketing_assets.storage.connection import table_exists
from marketing_assets.storage.executor import run_locked
from marketing_assets.storage.io_manager import (
    MissingTableError,
    Replaced,
    WarehouseIOManager,
    replace_days,
    retention_cutoff,
    transaction,
    wipe_pruned_partitions,
    write_days,
)
from marketing_assets.storage.lock import run_lock, warehouse_lock
from marketing_assets.storage.publish import publish_run
from marketing_assets.storage.resource import WarehouseResource

__all__ = [
    "MissingTableError",
    "Replaced",
    "WarehouseIOManager",
    "WarehouseResource",
    "publish_run",
    "replace_days",
    "retention_cutoff",
    "run_lock",
    "run_locked",
    "table_exists",
    "transaction",
    "warehouse_lock",
    "wipe_pruned_partitions",
    "write_days",
]
