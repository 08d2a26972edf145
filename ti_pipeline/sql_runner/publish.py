"""Atomic publication of Parquet marts: versioned directories behind a symlink.

A mart is a directory (``data.parquet``, or one ``<col>=<value>/data.parquet`` per hive partition).
A directory cannot be replaced atomically by a rename (``rename`` onto a non-empty directory fails,
and "move old away, move new in" leaves a moment with no mart or with a mix of partitions). So:

    marts/<name>                      -> symlink to .versions/<name>/<version>   (what readers open)
    marts/.versions/<name>/<version>/ audited, immutable versions
    marts/.tmp/<name>-<uuid>/         candidates being written and audited (write-audit-publish)

Publishing = rename the audited candidate into ``.versions`` and replace the symlink with
``os.replace`` (``rename(2)`` of a symlink: atomic on POSIX). A reader resolving ``marts/<name>``
gets the old version or the new one, never a mix; older versions stay on disk (the ``KEEP`` newest,
and any version the current catalog reads) so that a reader in the middle of a query on one, or
holding a catalog whose views point at one, keeps working during the next publications. The symlink target is relative so the
data folder can be moved or copied (``cp -a``, ``rsync -a``) without breaking it.

Not here: what goes in the files (``execute``), the DuckDB catalog (``catalog_db``).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

VERSIONS_DIR = ".versions"
TMP_DIR = ".tmp"
# The published version and the two before it: a catalog (or a query) opened on a version keeps
# working during the next two publications. Marts are small; disk is not the constraint here.
KEEP = 3
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
    versions = marts_dir / VERSIONS_DIR / name
    versions.mkdir(parents=True, exist_ok=True)
    versions = versions.resolve()  # compared with resolved symlink targets when pruning
    version = versions / (datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:8])
    os.rename(candidate, version)
    link = marts_dir / name
    previous = current_version_dir(marts_dir, name)
    if link.exists() and not link.is_symlink():
        # A plain directory from before versioning (or made by hand): move it among the versions
        # first. The only non-atomic moment of this module, once per mart.
        legacy = versions / ("00000000-legacy-" + uuid.uuid4().hex[:8])
        os.rename(link, legacy)
        previous = legacy
    tmp_link = marts_dir / f".{name}.link-{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(version, marts_dir), tmp_link, target_is_directory=True)
    os.replace(tmp_link, link)
    _prune_versions(versions, keep={version, previous, *protect})
    return version


def current_version_dir(marts_dir: Path, name: str) -> Path | None:
    """The directory the published mart ``name`` lives in, resolved now (None: never published)."""
    link = marts_dir / name
    if link.is_symlink():
        target = link.resolve()
        return target if target.is_dir() else None
    return link if link.is_dir() else None


def _prune_versions(versions: Path, keep: set[Path | None]) -> None:
    # Version names start with their UTC publication time: sorted by name = sorted by age.
    entries = sorted((p.resolve() for p in versions.iterdir() if p.is_dir()), reverse=True)
    kept = set(entries[:KEEP]) | {Path(p).resolve() for p in keep if p is not None}
    for p in entries:
        if p not in kept:
            shutil.rmtree(p, ignore_errors=True)


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
