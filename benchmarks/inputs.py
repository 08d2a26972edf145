"""Where the files of a sample folder are, and their zip members, for the peers.

The peers read the same files as the pipeline (``TI_SAMPLE_DIR`` layout: ``<folder>/<millesime>/<file>``).
File names come from the catalog, so that a renamed file breaks the peers loudly instead of silently
reading something else; nothing else of the pipeline is used.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ti_pipeline.sources.catalog import get_source, sample_path

# The vintages the core aggregates use: the newest release of each source (the census: RP 2022).
CORE_SOURCES = (
    "ti_communes",
    "cog_communes",
    "cog_passage",
    "communes_siren",
    "rp_population",
    "rp_emploi",
    "flores_a38",
    "urssaf_ape",
    "relance_laureats",
    "sirene_etablissements",
)


def newest_file(sample_dir: Path, source_name: str) -> tuple[Path, str | None]:
    """The newest release's file of ``source_name`` and its zip member pattern (None: not a zip)."""
    source = get_source(source_name)
    release = source.releases[0]
    return sample_path(Path(sample_dir), source, release), release.member


def millesime(source_name: str) -> int:
    return get_source(source_name).releases[0].millesime


def cog_year(source_name: str) -> int:
    return get_source(source_name).releases[0].cog_year


def member_name(archive: Path, pattern: str) -> str:
    with zipfile.ZipFile(archive) as zf:
        names = [n for n in zf.namelist() if re.search(pattern, n)]
    if len(names) != 1:
        raise ValueError(f"{archive}: {len(names)} members match {pattern!r}")
    return names[0]


def extract(sample_dir: Path, source_name: str, dest: Path) -> Path:
    """The data file of ``source_name``: the file itself, or its zip member extracted into ``dest``."""
    path, pattern = newest_file(sample_dir, source_name)
    if pattern is None:
        return path
    name = member_name(path, pattern)
    target = Path(dest) / f"{source_name}-{Path(name).name}"
    if not target.exists():
        with zipfile.ZipFile(path) as zf, zf.open(name) as src, open(target, "wb") as dst:
            while chunk := src.read(4 * 1024 * 1024):
                dst.write(chunk)
    return target
