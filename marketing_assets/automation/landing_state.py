"""What has landed: complete days and a cheap fingerprint of each day's files.

Only the files the loader reads count (``landing.files.data_files``): a README, a
``.DS_Store`` or a ``part-00002.CSV`` the loader ignores neither makes a day landed nor
changes its fingerprint. A folder named like a day that is not a date (``dt=2025-13-40``)
is reported in ``LandingScan.invalid`` and skipped; the valid days go on.
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from marketing_assets.landing.files import EMPTY_MARKER, data_files

DAY_FOLDER = re.compile(r"^dt=(.*)$")
#: an explicit "this day is complete" marker: ``<root>/_complete/dt=YYYY-MM-DD``
COMPLETE_DIR = "_complete"


def _day(name: str) -> dt.date | None:
    """The day of a ``dt=YYYY-MM-DD`` folder name; None if the rest is not such a date."""
    match = DAY_FOLDER.match(name)
    if not match:
        return None
    try:
        day = dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None
    return day if day.isoformat() == match.group(1) else None  # 20250601 is not a folder name


@dataclass
class LandingScan:
    #: day → the tables with that day's folder holding read files or an ``_EMPTY`` marker
    landed: dict[dt.date, set[str]] = field(default_factory=dict)
    #: days named by ``<root>/_complete/dt=YYYY-MM-DD``
    marked: set[dt.date] = field(default_factory=set)
    #: ``dt=…`` folders (relative to the root) whose name is not a valid day
    invalid: list[str] = field(default_factory=list)

    def complete(self, tables: list[str]) -> list[dt.date]:
        """Days whose every source has landed, or that carry the explicit completion marker."""
        full = {d for d, t in self.landed.items() if t >= set(tables)}
        return sorted(full | (self.marked & set(self.landed)))


def _day_folders(base: Path, root: Path, invalid: list[str], folders_only: bool = True):
    for folder in sorted(base.iterdir()):
        if not folder.name.startswith("dt=") or (folders_only and not folder.is_dir()):
            continue
        day = _day(folder.name)
        if day is None:
            invalid.append(folder.relative_to(root).as_posix())
        else:
            yield day, folder


def scan(root: Path, tables: list[str]) -> LandingScan:
    result = LandingScan()
    for table in tables:
        base = root / table
        if not base.is_dir():
            continue
        for day, folder in _day_folders(base, root, result.invalid):
            read, _ = data_files(folder)
            if read or (folder / EMPTY_MARKER).is_file():
                result.landed.setdefault(day, set()).add(table)
    if (root / COMPLETE_DIR).is_dir():
        # a marker is a folder or a file
        marks = _day_folders(root / COMPLETE_DIR, root, result.invalid, folders_only=False)
        result.marked = {day for day, _ in marks}
    return result


def landed_days(root: Path, tables: list[str]) -> dict[dt.date, set[str]]:
    """Day → the tables that have that day's folder with data files or an ``_EMPTY`` marker."""
    return scan(root, tables).landed


def complete_days(root: Path, tables: list[str]) -> list[dt.date]:
    """Days whose every source has landed, or that carry the explicit completion marker."""
    return scan(root, tables).complete(tables)


def fingerprint(root: Path, tables: list[str], day: dt.date) -> str:
    """A cheap fingerprint of a day's landed files: path, size and modification time of
    each file the loader reads, and its ``_EMPTY`` markers (no file is read), so a
    corrected file re-landed for the day changes it and an ignored file does not."""
    digest = hashlib.sha256()
    for table in sorted(tables):
        folder = root / table / f"dt={day.isoformat()}"
        if not folder.is_dir():
            continue
        read, _ = data_files(folder)
        for path in read:
            stat = path.stat()
            digest.update(f"{table}/{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        if (folder / EMPTY_MARKER).is_file():
            digest.update(f"{table}/{EMPTY_MARKER}\n".encode())
    return digest.hexdigest()[:16]
