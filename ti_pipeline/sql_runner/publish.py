"""Where the SQL runner writes and publishes marts: candidates, then versions behind a symlink.

A mart is a directory (``data.parquet``, or one ``<col>=<value>/data.parquet`` per hive partition),
published with the project's one versioned-symlink mechanism (``ti_pipeline.publication``: an atomic
``os.replace`` of a relative symlink, the ``KEEP`` newest versions kept):

    marts/<name>                      -> symlink to .versions/<name>/<version>   (what readers open)
    marts/.versions/<name>/<version>/ audited, immutable versions
    marts/.tmp/<name>-<uuid>/         candidates being written and audited (write-audit-publish)

What this module adds for marts: where candidates live, removing those of killed runs, and never
pruning a version the current DuckDB catalog's views read (``protect``).

Not here: what goes in the files (``execute``), the DuckDB catalog (``catalog_db``), the symlink swap
itself (``ti_pipeline.publication``).
"""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path
from typing import Iterable

from ti_pipeline import publication
from ti_pipeline.publication import KEEP  # noqa: F401 - how many versions stay (the catalog's fallback)

VERSIONS_DIR = ".versions"
TMP_DIR = ".tmp"
STALE_CANDIDATE_SECONDS = 6 * 3600  # a candidate untouched this long belongs to a killed run


def new_candidate_dir(marts_dir: Path, name: str) -> Path:
    """An empty private directory to write a mart into before it is audited."""
    _remove_stale_candidates(marts_dir, name)
    path = marts_dir / TMP_DIR / f"{name}-{uuid.uuid4().hex}"
    path.mkdir(parents=True)
    return path


def discard_candidate(candidate: Path) -> None:
    shutil.rmtree(candidate, ignore_errors=True)


def publish_candidate(marts_dir: Path, name: str, candidate: Path, *, protect: Iterable[Path] = ()) -> Path:
    """Make ``candidate`` the published version of mart ``name``, atomically. Returns the version dir.

    Versions in ``protect`` (those the current catalog's views read) are never pruned.
    """
    return publication.publish_version(marts_dir / name, marts_dir / VERSIONS_DIR / name, candidate, protect=protect)


def current_version_dir(marts_dir: Path, name: str) -> Path | None:
    """The directory the published mart ``name`` lives in, resolved now (None: never published)."""
    return publication.current_version(marts_dir / name)


def _remove_stale_candidates(marts_dir: Path, name: str) -> None:
    tmp = marts_dir / TMP_DIR
    if not tmp.is_dir():
        return
    now = time.time()
    for p in tmp.glob(f"{name}-*"):
        try:
            if now - p.stat().st_mtime > STALE_CANDIDATE_SECONDS:
                shutil.rmtree(p, ignore_errors=True)
        except FileNotFoundError:
            pass
