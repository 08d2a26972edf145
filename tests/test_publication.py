"""The one versioned-symlink publication (ti_pipeline.publication) that the marts and the portraits use."""

from __future__ import annotations

import os
from pathlib import Path

from ti_pipeline import publication


def candidate(root: Path, content: str) -> Path:
    path = root / ".versions" / f".tmp-{content}"
    path.mkdir(parents=True)
    (path / "f.txt").write_text(content)
    return path


def test_publish_swaps_a_relative_symlink_and_keeps_the_newest_versions(tmp_path):
    link, versions = tmp_path / "site" / "out", tmp_path / "site" / ".versions"
    link.parent.mkdir()
    assert publication.current_version(link) is None
    published = [publication.publish_version(link, versions, candidate(link.parent, str(i))) for i in range(5)]
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))
    assert (link / "f.txt").read_text() == "4" and publication.current_version(link) == published[-1]
    assert sorted(p for p in versions.iterdir()) == published[-publication.KEEP:]
    # the data folder can be moved whole
    (tmp_path / "site").rename(tmp_path / "moved")
    assert (tmp_path / "moved" / "out" / "f.txt").read_text() == "4"


def test_protected_versions_and_candidates_are_never_pruned(tmp_path):
    link, versions = tmp_path / "out", tmp_path / ".versions"
    first = publication.publish_version(link, versions, candidate(tmp_path, "first"))
    writing = candidate(tmp_path, "being-written")  # a concurrent build's candidate
    for i in range(publication.KEEP + 1):
        publication.publish_version(link, versions, candidate(tmp_path, str(i)), protect=[first])
    assert first.is_dir() and writing.is_dir()
    assert len([p for p in versions.iterdir() if not p.name.startswith(".")]) == publication.KEEP + 1


def test_a_plain_folder_is_replaced_once_and_kept_as_the_previous_version(tmp_path):
    link, versions = tmp_path / "out", tmp_path / ".versions"
    link.mkdir()
    (link / "f.txt").write_text("old")
    assert publication.current_version(link) == link
    version = publication.publish_version(link, versions, candidate(tmp_path, "new"))
    assert link.is_symlink() and publication.current_version(link) == version
    legacy = [p for p in versions.iterdir() if p.name.startswith(publication.LEGACY_PREFIX)]
    assert len(legacy) == 1 and (legacy[0] / "f.txt").read_text() == "old"


def test_version_names_sort_by_age():
    names = [publication.version_name() for _ in range(3)]
    assert [n.split("-")[0] for n in names] == sorted(n.split("-")[0] for n in names)
    assert publication.LEGACY_PREFIX < min(names)
