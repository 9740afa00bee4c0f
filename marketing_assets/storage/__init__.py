"""Storage: the DuckDB warehouse behind an I/O manager and one SQL resource."""

from marketing_assets.storage.io_manager import MissingTableError, WarehouseIOManager
from marketing_assets.storage.lock import warehouse_lock
from marketing_assets.storage.resource import WarehouseResource

__all__ = ["MissingTableError", "WarehouseIOManager", "WarehouseResource", "warehouse_lock"]
