"""The simulated world between runs: what a later ``--start`` continues from.

After its last day a run saves everything the simulators carry from one day to the next
(the world, the configuration systems' tables, the demand side's ledgers and id counters)
into a state folder outside the landing root, with a manifest naming the world (seed,
scale, origin) and the next day to simulate. Continuing from it gives the same files as one
longer run with the same seed: every random draw comes from ``rng_for(seed, purpose, day)``,
no generator is carried across days, so the saved objects are the whole state.

The snapshot is a pickle of the simulator objects: it is the simulator's own scratch state,
written and read by the same code version (``VERSION`` is checked), not an exchange format.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST = "world.json"
SNAPSHOT = "world.pickle"
#: bump when the simulators' state changes shape: an older snapshot is then refused
VERSION = 1


class WorldStateError(ValueError):
    """A run that cannot start from what the state folder (or the landing root) holds."""


@dataclass(frozen=True)
class WorldManifest:
    seed: int
    scale: str
    origin: dt.date
    #: the day after the last simulated day: where a continuation starts
    next_day: dt.date
    #: the landing root the world's days were written to
    landing: str
    version: int = VERSION

    def to_json(self) -> str:
        data = asdict(self) | {"origin": self.origin.isoformat(), "next_day": self.next_day.isoformat()}
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> WorldManifest:
        data = json.loads(text)
        data["origin"] = dt.date.fromisoformat(data["origin"])
        data["next_day"] = dt.date.fromisoformat(data["next_day"])
        return cls(**data)


def default_state_dir(landing_root: Path) -> Path:
    """``sim_state`` beside the landing root (``data/landing`` → ``data/sim_state``)."""
    return Path(landing_root).resolve().parent / "sim_state"


def read_manifest(folder: Path) -> WorldManifest | None:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    manifest = WorldManifest.from_json(path.read_text(encoding="utf-8"))
    if manifest.version != VERSION:
        raise WorldStateError(
            f"{path}: simulator state of version {manifest.version}, this code reads {VERSION}; "
            "start a new world (--new-world)"
        )
    return manifest


def save(folder: Path, manifest: WorldManifest, simulators: object) -> None:
    """Write the snapshot, then the manifest (each replaced whole: an interrupted save
    leaves the previous state or a manifest pointing at a complete snapshot)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in ((SNAPSHOT, pickle.dumps(simulators, protocol=pickle.HIGHEST_PROTOCOL)),
                       (MANIFEST, manifest.to_json().encode())):
        tmp = folder / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)


def load(folder: Path) -> object:
    return pickle.loads((Path(folder) / SNAPSHOT).read_bytes())
