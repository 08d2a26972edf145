"""Atomic publication behind a symlink, the one mechanism for what readers open.

A folder that readers open cannot be replaced atomically by a rename (``rename`` onto a non-empty
folder fails, and "move the old one away, move the new one in" leaves a moment with nothing, or a
mix). So what readers open is a symlink to one immutable folder, and publishing is replacing the
symlink with ``os.replace`` (``rename(2)`` of a symlink: atomic on POSIX): a reader resolving it gets
the old folder or the new one, never a mix (``point_symlink``). Symlink targets are relative: the data
folder can be moved or copied whole (``cp -a``, ``rsync -a``).

Used by the releases (``ti_pipeline.releases``: ``releases/current`` -> ``releases/<id>``, and the
fixed links ``data/marts``, ``data/portraits``, ``data/catalog.duckdb`` through it) and by
``ti-pipeline portraits --out DIR`` (``publish_version``: pages in ``.<DIR>.versions/<version>``).
Immutable folders are named by ``version_name`` (their UTC time: sorted by name = sorted by age) and
pruned by ``prune``. Names starting with ``.`` (candidates being written) are never pruned.

Not here: what goes in the folders, which folders a caller refuses to replace.
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
    point_symlink(link, version)
    prune(versions, keep={version, previous, *protect})
    return version


def point_symlink(link: Path, target: Path) -> None:
    """Make ``link`` a symlink to ``target`` (relative), replacing what it pointed to atomically."""
    link = Path(link).absolute()
    tmp_link = link.parent / f".{link.name}.link-{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(Path(target).absolute(), link.parent.resolve()), tmp_link,
               target_is_directory=Path(target).is_dir())
    try:
        os.replace(tmp_link, link)
    except BaseException:
        tmp_link.unlink(missing_ok=True)
        raise


def prune(versions: Path, keep: Iterable[Path | None] = (), count: int = KEEP) -> list[Path]:
    """Remove the versions that are neither among the ``count`` newest nor in ``keep``; returns them."""
    entries = sorted(
        (p.resolve() for p in Path(versions).iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True
    )
    kept = set(entries[:count]) | {Path(p).resolve() for p in keep if p is not None}
    removed = [p for p in entries if p not in kept]
    for p in removed:
        shutil.rmtree(p, ignore_errors=True)
    return removed


__all__ = ["KEEP", "current_version", "point_symlink", "prune", "publish_version", "version_name"]
