"""Run-time settings: where data lives and which mode (sample or live) the pipeline runs in.

Everything here is read from environment variables so that the same code runs from the CLI, the
Dagster UI and the tests without code changes. Nothing in this module touches the network or disk.

- ``TI_DATA_DIR``: root of generated data (cache, lake, builds, releases). Default: ``<project>/data``.
- ``TI_SAMPLE_DIR``: the embedded synthetic sample. Default: ``<project>/data/sample``.
- ``TI_MODE``: ``sample`` (default) reads ``TI_SAMPLE_DIR``; ``live`` downloads the real files.
- ``TI_INDUSTRY_SCOPE``: ``BE`` (default, NAF sections B-E) or ``C`` (manufacturing only).

One setting comes with a run rather than the environment: the run tag ``ti/force=true``
(``FORCE_TAG``; ``ti-pipeline run --force`` sets it, and so can the UI's Launchpad) makes every step
rebuild what it would otherwise keep as unchanged (``forced``). Another, ``ti/accept-volume``
(``ACCEPT_VOLUME_TAG``), accepts for the sources it names a change of rows beyond their tolerance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent

MODES = ("sample", "live")
INDUSTRY_SCOPES = ("BE", "C")

FORCE_TAG = "ti/force"


def forced(run_tags: Mapping[str, str]) -> bool:
    """Whether a run's tags ask its steps to rebuild unchanged work (``FORCE_TAG``)."""
    return str(run_tags.get(FORCE_TAG, "")).strip().lower() in ("true", "1", "yes")


# A run tagged ``ti/accept-volume`` accepts, for the sources it names (comma-separated; ``true``:
# every source), a change of rows beyond the catalog's ``max_volume_change`` (``ingest.volume``).
# ``ti/force`` does not: it rebuilds, it does not accept bad data.
ACCEPT_VOLUME_TAG = "ti/accept-volume"


def accepts_volume(run_tags: Mapping[str, str], source: str) -> bool:
    """Whether a run's tags accept a change of rows of ``source`` beyond its tolerance."""
    value = str(run_tags.get(ACCEPT_VOLUME_TAG, "")).strip().lower()
    if value in ("true", "1", "yes", "all"):
        return True
    return source.lower() in {name.strip().removeprefix("raw_") for name in value.split(",")}


@dataclass(frozen=True)
class Paths:
    """The on-disk layout of DESIGN.md, rooted at one data directory."""

    data_dir: Path
    sample_dir: Path

    @property
    def cache(self) -> Path:
        return self.data_dir / "cache"

    @property
    def lake(self) -> Path:
        return self.data_dir / "lake"

    @property
    def raw(self) -> Path:
        return self.lake / "raw"

    @property
    def rejects(self) -> Path:
        return self.lake / "rejects"

    @property
    def marts(self) -> Path:
        """What readers open: a symlink to the current release's marts (``releases/current/marts``)."""
        return self.data_dir / "marts"

    @property
    def catalog_db(self) -> Path:
        """What readers open: a symlink to the current release's DuckDB catalog."""
        return self.data_dir / "catalog.duckdb"

    @property
    def portraits(self) -> Path:
        """What readers open: a symlink to the current release's portraits."""
        return self.data_dir / "portraits"

    @property
    def builds(self) -> Path:
        """Audited builds of marts and portraits, waiting for a release (or in one)."""
        return self.data_dir / "builds"

    @property
    def releases(self) -> Path:
        """Published releases, ``releases/<id>/``, and ``releases/current``, the one atomic switch."""
        return self.data_dir / "releases"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    def raw_partition(self, source: str, millesime: int) -> Path:
        return self.raw / source / f"millesime={millesime}"

    def rejects_partition(self, source: str, millesime: int) -> Path:
        return self.rejects / source / f"millesime={millesime}"

    @property
    def blocked(self) -> Path:
        """The last blocked attempt of each vintage: its rejects, and why it was blocked."""
        return self.lake / "blocked"

    def blocked_partition(self, source: str, millesime: int) -> Path:
        return self.blocked / source / f"millesime={millesime}"


def get_paths() -> Paths:
    data_dir = Path(os.environ.get("TI_DATA_DIR") or PROJECT_ROOT / "data").resolve()
    sample_dir = Path(os.environ.get("TI_SAMPLE_DIR") or PROJECT_ROOT / "data" / "sample").resolve()
    return Paths(data_dir=data_dir, sample_dir=sample_dir)


def get_mode() -> str:
    mode = os.environ.get("TI_MODE", "sample").strip().lower()
    if mode not in MODES:
        raise ValueError(f"TI_MODE must be one of {MODES}, got {mode!r}")
    return mode


def get_industry_scope() -> str:
    scope = os.environ.get("TI_INDUSTRY_SCOPE", "BE").strip().upper()
    if scope not in INDUSTRY_SCOPES:
        raise ValueError(f"TI_INDUSTRY_SCOPE must be one of {INDUSTRY_SCOPES}, got {scope!r}")
    return scope
