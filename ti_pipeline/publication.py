"""Versioned publication of a folder behind a symlink: the one mechanism for the marts and the portraits.

A folder that readers open cannot be replaced atomically by a rename (``rename`` onto a non-empty
folder fails, and "move the old one away, move the new one in" leaves a moment with nothing, or a
mix). So what readers open is a symlink to one immutable version folder:

    <parent>/<name>          -> symlink to <versions>/<version>   (what readers open)
    <versions>/<version>/    published versions, named by their UTC publication time

``publish_version`` renames a finished candidate folder (written and checked by the caller, on the
same file system) into ``<versions>`` and replaces the symlink with ``os.replace`` (``rename(2)`` of a
symlink: atomic on POSIX). A reader resolving the symlink gets the old version or the new one, never
a mix. The ``KEEP`` newest versions stay on disk, and so do the previous one and any the caller
protects, so that a reader in the middle of the old version keeps working through the next
publications. Symlink targets are relative: the data folder can be moved or copied whole (``cp -a``,
``rsync -a``). Names starting with ``.`` in ``<versions>`` (candidates being written) are never pruned.

Used by ``sql_runner.publish`` (one mart = one folder, ``marts/.versions/<mart>/``) and by
``portraits.build`` (the pages, ``.portraits.versions/``). Not here: what goes in the folders, where
candidates are written, which folders a caller refuses to replace.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

# The published version and the two before it: a reader (a catalog, a page open in a browser) of a
# version keeps working during the next two publications. Disk is not the constraint here.
KEEP = 3
LEGACY_PREFIX = "00000000-legacy-"  # sorts before every timestamped version: the oldest


def version_name() -> str:
    """A new version's name: its UTC publication time (so sorted by name = sorted by age), then a
    random suffix."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:8]


def current_version(link: Path) -> Path | None:
    """The folder ``link`` publishes, resolved now (a plain folder from before versioning is its own
    version); None when nothing was published."""
    link = Path(link)
    if link.is_symlink():
        target = link.resolve()
        return target if target.is_dir() else None
    return link if link.is_dir() else None


def publish_version(link: Path, versions: Path, candidate: Path, *, protect: Iterable[Path] = ()) -> Path:
    """Make ``candidate`` the folder ``link`` points to, atomically; returns the new version folder.

    ``candidate`` is renamed into ``versions`` (same file system). A plain folder at ``link`` (from
    before versioning, or made by hand) is first moved among the versions: the only non-atomic
    moment, once. Versions in ``protect`` are never pruned.
    """
    link = Path(link).absolute()
    versions = Path(versions)
    versions.mkdir(parents=True, exist_ok=True)
    versions = versions.resolve()  # compared with resolved symlink targets when pruning
    version = versions / version_name()
    os.rename(candidate, version)
    previous = current_version(link)
    if link.exists() and not link.is_symlink():
        legacy = versions / (LEGACY_PREFIX + uuid.uuid4().hex[:8])
        os.rename(link, legacy)
        previous = legacy
    tmp_link = link.parent / f".{link.name}.link-{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(version, link.parent.resolve()), tmp_link, target_is_directory=True)
    os.replace(tmp_link, link)
    prune(versions, keep={version, previous, *protect})
    return version


def prune(versions: Path, keep: Iterable[Path | None] = ()) -> None:
    """Remove the versions that are neither among the ``KEEP`` newest nor in ``keep``."""
    entries = sorted(
        (p.resolve() for p in Path(versions).iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True
    )
    kept = set(entries[:KEEP]) | {Path(p).resolve() for p in keep if p is not None}
    for p in entries:
        if p not in kept:
            shutil.rmtree(p, ignore_errors=True)


__all__ = ["KEEP", "current_version", "prune", "publish_version", "version_name"]
