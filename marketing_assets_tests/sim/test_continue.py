"""The simulator continues a saved world: a later ``--start`` extends it, not a new world."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from marketing_assets.sim.__main__ import main
from marketing_assets.sim.run import simulate
from marketing_assets.sim.state import WorldStateError
from marketing_assets_tests.conftest import TINY_DAYS, TINY_START

DAY = dt.timedelta(days=1)


def digest(root: Path, days: int) -> dict[str, str]:
    """sha256 of every file of the first ``days`` days under ``root``."""
    wanted = {f"dt={(TINY_START + i * DAY).isoformat()}" for i in range(days)}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.parent.name in wanted
    }


@pytest.fixture(scope="module")
def continued(tmp_path_factory) -> tuple[Path, Path]:
    """Two tiny days simulated with saved state, then the third continued in another run."""
    base = tmp_path_factory.mktemp("continued")
    landing, state = base / "landing", base / "state"
    simulate("tiny", TINY_START, 2, landing, state=state)
    simulate("tiny", TINY_START + 2 * DAY, 1, landing, state=state)
    return landing, state


def test_two_days_then_one_continued_equal_three_days_in_one_go(continued, tiny_landing):
    assert TINY_DAYS >= 3
    landing, _ = continued
    one_go, in_two = digest(tiny_landing, 3), digest(landing, 3)
    assert len(one_go) > 36 * 3  # every table, every day (hourly: 24 files)
    assert in_two == one_go
    # the same seed and days give the same files, byte for byte, and nothing else
    assert sorted(p for p in landing.rglob("*") if p.is_file()) == [landing / f for f in in_two]


def test_state_lives_outside_the_landing_root_and_names_the_next_day(continued):
    landing, state = continued
    manifest = json.loads((state / "world.json").read_text())
    assert manifest["origin"] == TINY_START.isoformat()
    assert manifest["next_day"] == (TINY_START + 3 * DAY).isoformat()
    assert not any(p.name.startswith("world.") for p in landing.rglob("*"))


def test_a_start_the_saved_world_cannot_continue_from_is_an_error(continued, tmp_path):
    landing, state = continued
    gap = TINY_START + 5 * DAY
    with pytest.raises(WorldStateError, match=f"continue it with --start {TINY_START + 3 * DAY}"):
        simulate("tiny", gap, 1, landing, state=state)
    with pytest.raises(WorldStateError, match="seed 20250601 landed under"):
        simulate("tiny", TINY_START + 3 * DAY, 1, landing, state=state, seed=7)
    # the CLI says the same and exits 2, landing nothing
    with pytest.raises(SystemExit) as exit_:
        main(["--scale", "tiny", "--start", gap.isoformat(), "--out", str(landing), "--state", str(state)])
    assert exit_.value.code == 2
    assert not any(landing.glob(f"*/dt={gap.isoformat()}"))


def test_a_later_start_without_state_is_an_error_not_a_new_world(continued, tmp_path):
    landing, _ = continued
    nothing = tmp_path / "no_state"
    with pytest.raises(WorldStateError, match="holds no simulator state"):
        simulate("tiny", TINY_START + 3 * DAY, 1, landing, state=nothing)
    assert not nothing.exists()
