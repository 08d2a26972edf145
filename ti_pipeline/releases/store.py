"""Releases on disk: where they live, which one is current, keeping, pinning and rolling back.

    releases/<id>/                 one release: marts/, portraits/, catalog.duckdb, datapackage.json
    releases/current               -> <id>: the one atomic switch (``publication.point_symlink``)
    releases/.pins/<id>            a pinned release: never pruned
    releases/.tmp-<id>/            a release being assembled (never read, removed if left by a dead run)
    marts, portraits, catalog.duckdb   fixed symlinks through ``releases/current`` (what readers open)

A release folder is complete once its ``datapackage.json`` is written (the last file); an id folder
without one was left by a run that died while publishing and is neither listed nor made current.
Everything in a release is immutable: files are hard links to the audited builds (``builds/``), so a
release costs no copy, and pruning builds or other releases never touches it.

The ``KEEP`` newest releases stay, and so do the current one and the pinned ones: a reader who pinned
a release (opened ``releases/<id>/`` or its catalog) keeps reading it through the next refreshes.

Not here: what goes into a release (``assemble``), its manifest (``manifest``), comparing two (``diff``).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from ti_pipeline import publication
from ti_pipeline.config import Paths

MANIFEST = "datapackage.json"
CURRENT = "current"
PINS = ".pins"
TMP_PREFIX = ".tmp-"
KEEP = 3  # the current release and the two before it (a rollback target, a reader's snapshot)
# What readers open in the data folder, and where each link points (through ``releases/current``).
READER_LINKS = {"marts": "marts", "portraits": "portraits", "catalog.duckdb": "catalog.duckdb"}


class ReleaseError(RuntimeError):
    """A release that does not exist, is incomplete, or cannot be made current."""


def new_release_id() -> str:
    """A new release's id: its UTC time (sorted by id = sorted by age), then a random suffix."""
    return publication.version_name()


def is_complete(folder: Path) -> bool:
    return (Path(folder) / MANIFEST).is_file()


def release_dirs(paths: Paths) -> list[Path]:
    """Complete releases, newest first."""
    root = paths.releases
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and is_complete(p)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def current_release(paths: Paths) -> Path | None:
    """The release readers see now (resolved once), or None before the first one."""
    link = paths.releases / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if is_complete(target) else None


def find_release(paths: Paths, release_id: str) -> Path:
    """The complete release ``release_id`` (a unique prefix is enough: ids are long)."""
    matches = [p for p in release_dirs(paths) if p.name == release_id] or [
        p for p in release_dirs(paths) if p.name.startswith(release_id)
    ]
    if len(matches) != 1:
        known = ", ".join(p.name for p in release_dirs(paths)) or "none"
        what = "matches several releases" if matches else "is not a release"
        raise ReleaseError(f"{release_id!r} {what} in {paths.releases} (releases: {known})")
    return matches[0]


def read_manifest(release: Path) -> dict:
    return json.loads((Path(release) / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(release: Path, manifest: dict) -> Path:
    """Write ``datapackage.json`` last and atomically: from then on the release is complete."""
    target = Path(release) / MANIFEST
    tmp = target.with_name(f".{MANIFEST}.{uuid.uuid4().hex}")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, target)
    return target


def link_tree(source: Path, target: Path) -> int:
    """Hard-link every file under ``source`` into ``target`` (copied where the file system refuses a
    hard link); returns the number of files."""
    count = 0
    for f in sorted(Path(source).rglob("*")):
        if f.is_dir():
            continue
        dest = Path(target) / f.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(f, dest)
        except OSError:
            shutil.copy2(f, dest)
        count += 1
    return count


def make_current(paths: Paths, release: Path) -> None:
    """Point ``releases/current`` at ``release`` (atomic) and make sure the reader links exist."""
    release = Path(release)
    if not is_complete(release):
        raise ReleaseError(f"{release} is not a complete release (no {MANIFEST})")
    publication.point_symlink(paths.releases / CURRENT, release)
    ensure_reader_links(paths)


def ensure_reader_links(paths: Paths) -> None:
    """``data/marts``, ``data/portraits``, ``data/catalog.duckdb`` as symlinks through
    ``releases/current``. A folder or file left there by the layout before releases (marts published
    one by one) is replaced: the only non-atomic moment, once."""
    for name, inside in READER_LINKS.items():
        link = paths.data_dir / name
        target = paths.releases / CURRENT / inside
        wanted = os.path.relpath(target, paths.data_dir)
        if link.is_symlink() and os.readlink(link) == wanted:
            continue
        old = None
        if link.is_dir() and not link.is_symlink():
            old = link.with_name(f".old-{name}-{uuid.uuid4().hex[:8]}")
            os.rename(link, old)
        publication.point_symlink(link, target) if target.exists() else _symlink_dangling(link, wanted)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    # what the layout before releases kept beside the links
    shutil.rmtree(paths.data_dir / ".portraits.versions", ignore_errors=True)
    (paths.data_dir / ".portraits.state.json").unlink(missing_ok=True)


def _symlink_dangling(link: Path, wanted: str) -> None:
    tmp = link.with_name(f".{link.name}.link-{uuid.uuid4().hex}")
    os.symlink(wanted, tmp)
    os.replace(tmp, link)


def pinned(paths: Paths) -> set[str]:
    folder = paths.releases / PINS
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def pin(paths: Paths, release_id: str, on: bool = True) -> Path:
    release = find_release(paths, release_id)
    marker = paths.releases / PINS / release.name
    if on:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    else:
        marker.unlink(missing_ok=True)
    return release


def prune(paths: Paths, keep: int = KEEP) -> list[Path]:
    """Remove the complete releases beyond the ``keep`` newest, unless current or pinned; returns them."""
    current = current_release(paths)
    protected = {current} | {paths.releases / p for p in pinned(paths)}
    complete = release_dirs(paths)
    removed = [p for p in complete[keep:] if p not in protected]
    for p in removed:
        shutil.rmtree(p, ignore_errors=True)
    return removed


def remove_unfinished(paths: Paths) -> list[Path]:
    """Remove what a run that died while publishing left: ``.tmp-*`` folders and id folders without a
    manifest. Only safe while no release is being made (the caller holds the run lock, or is the
    release step itself, which runs one at a time)."""
    root = paths.releases
    if not root.is_dir():
        return []
    left = [
        p for p in root.iterdir()
        if p.is_dir() and not p.is_symlink() and p.name != PINS
        and (p.name.startswith(TMP_PREFIX) or not (p.name.startswith(".") or is_complete(p)))
    ]
    for p in left:
        shutil.rmtree(p, ignore_errors=True)
    return left


__all__ = [
    "CURRENT",
    "KEEP",
    "MANIFEST",
    "ReleaseError",
    "current_release",
    "ensure_reader_links",
    "find_release",
    "is_complete",
    "link_tree",
    "make_current",
    "new_release_id",
    "pin",
    "pinned",
    "prune",
    "read_manifest",
    "release_dirs",
    "remove_unfinished",
    "write_manifest",
]
