"""Where the SQL runner keeps the audited builds of marts: candidates, then immutable build folders.

A mart is a directory (``data.parquet``, or one ``<col>=<value>/data.parquet`` per hive partition).
Building it is write-audit-keep: the files are written into a private candidate folder, tested
there as readers will read them, and only then renamed (atomically) into an immutable build folder:

    builds/marts/.tmp/<name>-<uuid>/      candidates being written and audited
    builds/marts/<name>/<build>/          audited builds, named by their UTC time (sorted = by age)

A build is not published: readers see marts only through a release (``ti_pipeline.releases``), which
links the latest audited build of every mart, once all of them are up to date with the lake. The
``KEEP`` newest builds of each mart stay here; a release holds its own hard links to the files, so
pruning a build never touches a published release.

Not here: what goes in the files (``execute``), which build is the latest (``state``), releases.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from ti_pipeline import publication
from ti_pipeline.config import Paths

TMP_DIR = ".tmp"
KEEP = 3  # builds kept per mart: the latest, and two before it (a run in progress may read them)


def marts_builds(paths: Paths) -> Path:
    return paths.builds / "marts"


def new_candidate_dir(paths: Paths, name: str) -> Path:
    """An empty private directory to write a mart into before it is audited."""
    path = marts_builds(paths) / TMP_DIR / f"{name}-{uuid.uuid4().hex}"
    path.mkdir(parents=True)
    return path


def discard_candidate(candidate: Path) -> None:
    shutil.rmtree(candidate, ignore_errors=True)


def keep_candidate(paths: Paths, name: str, candidate: Path) -> Path:
    """Rename the audited ``candidate`` into an immutable build folder of mart ``name``; returns it.
    The older builds beyond ``KEEP`` are removed."""
    folder = marts_builds(paths) / name
    folder.mkdir(parents=True, exist_ok=True)
    build = folder / publication.version_name()
    os.rename(candidate, build)
    publication.prune(folder, keep=[build], count=KEEP)
    return build


def latest_build(paths: Paths, name: str) -> Path | None:
    """The newest audited build of mart ``name`` (None: never built). Builds are named by their time
    and only audited ones are kept, so the newest is the one the next release would hold."""
    folder = marts_builds(paths) / name
    found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) if folder.is_dir() else []
    return found[-1] if found else None


def remove_candidates(paths: Paths) -> list[Path]:
    """Remove every candidate folder: only a dead run leaves one (the caller holds the run lock)."""
    tmp = marts_builds(paths) / TMP_DIR
    removed = sorted(tmp.iterdir()) if tmp.is_dir() else []
    for p in removed:
        shutil.rmtree(p, ignore_errors=True)
    return removed


__all__ = ["KEEP", "TMP_DIR", "discard_candidate", "keep_candidate", "latest_build", "marts_builds", "new_candidate_dir", "remove_candidates"]
