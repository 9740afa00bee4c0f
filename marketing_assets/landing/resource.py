"""Where landed files are read from, resolved at run time."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from marketing_assets.config import LANDING_DIR_ENV, landing_dir


class LandingResource(ConfigurableResource):
    """The landing root. Empty ``root`` means ``$MARKETING_LANDING_DIR`` (default
    ``data/landing``), read when a step runs, not when the code is loaded."""

    root: str = Field(default="", description=f"landing root; empty: ${LANDING_DIR_ENV}")

    def path(self) -> Path:
        return Path(self.root) if self.root else landing_dir()
