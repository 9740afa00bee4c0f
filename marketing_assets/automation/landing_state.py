"""What has landed: complete days and a cheap fingerprint of each day's files."""

import datetime as dt
import hashlib
import re
from pathlib import Path

from marketing_assets.landing.files import EMPTY_MARKER, PART_PATTERN

DAY_FOLDER = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
#: an explicit "this day is complete" marker: ``<root>/_complete/dt=YYYY-MM-DD``
COMPLETE_DIR = "_complete"


def landed_days(root: Path, tables: list[str]) -> dict[dt.date, set[str]]:
    """Day → the tables that have that day's folder with data files or an ``_EMPTY`` marker."""
    days: dict[dt.date, set[str]] = {}
    for table in tables:
        base = root / table
        if not base.is_dir():
            continue
        for folder in base.iterdir():
            match = DAY_FOLDER.match(folder.name)
            if not match or not folder.is_dir():
                continue
            names = [p.name for p in folder.iterdir()]
            if EMPTY_MARKER in names or any(PART_PATTERN.match(n) for n in names):
                days.setdefault(dt.date.fromisoformat(match.group(1)), set()).add(table)
    return days


def complete_days(root: Path, tables: list[str]) -> list[dt.date]:
    """Days whose every source has landed, or that carry the explicit completion marker."""
    landed = landed_days(root, tables)
    marked = set()
    if (root / COMPLETE_DIR).is_dir():
        for p in (root / COMPLETE_DIR).iterdir():
            match = DAY_FOLDER.match(p.name)
            if match:
                marked.add(dt.date.fromisoformat(match.group(1)))
    full = {d for d, t in landed.items() if t >= set(tables)}
    return sorted(full | (marked & set(landed)))


def fingerprint(root: Path, tables: list[str], day: dt.date) -> str:
    """A cheap fingerprint of a day's landed files: path, size and modification time of
    each (no file is read), so a corrected file re-landed for the day changes it."""
    digest = hashlib.sha256()
    for table in sorted(tables):
        folder = root / table / f"dt={day.isoformat()}"
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            stat = path.stat()
            digest.update(f"{table}/{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]
