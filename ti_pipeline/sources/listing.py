"""What the pipeline will read, as rows a CLI prints: one row per source and millésime.

What belongs here: a network-free view of the catalog for a mode — in live mode the URL each release
is fetched from (mirror applied) or the rule that resolves it (data.gouv.fr API pattern, a
``TI_<SOURCE>_URL`` variable), in sample mode the sample file and whether it is present — and a plain
text table of those rows. The CLI command (``ti_pipeline.cli``) calls these functions.

Not here: resolving data.gouv.fr resources (that needs the network: ``locate``), downloading.
"""

from __future__ import annotations

import os
import re
import sys
from typing import IO

from ti_pipeline.config import get_paths
from ti_pipeline.sources.catalog import SOURCES, Release, Source, sample_path
from ti_pipeline.sources.hosts import configured_url_env, mirror_url, release_url_env
from ti_pipeline.sources.locate import DATAGOUV_API

# the URL last and never cut: it is what a reader copies
DEFAULT_COLUMNS = ("source", "millesime", "cog_year", "file", "licence", "approx_size", "url")
UNCUT_COLUMNS = ("url",)


def member_label(pattern: str) -> str:
    """A readable name for a member regex: ``(?i)^(.*/)?v_commune_2025\\.csv$`` -> ``v_commune_2025.csv``."""
    label = re.sub(r"^\(\?i\)", "", pattern)
    label = label.removeprefix("^").removeprefix("(.*/)?").removesuffix("$")
    return re.sub(r"\\(.)", r"\1", label)


def live_rule(source: Source, release: Release) -> str:
    """The URL live mode fetches, or the rule that finds it at run time."""
    if source.synthetic_only:
        env = configured_url_env(source)
        value = os.environ.get(env)
        return value if value else f"no public file: set {env}"
    if release.url:
        return mirror_url(release.url)
    if source.datagouv is not None:
        api = mirror_url(DATAGOUV_API.format(slug=source.datagouv.dataset))
        return f"{api} -> resource matching {source.datagouv.pattern}"
    env = release_url_env(source, release.millesime)
    return os.environ.get(env) or f"no URL in the catalog: set {env}"


def catalog_rows(mode: str = "live") -> list[dict]:
    """One row per source and millésime: source, millesime, cog_year, file (with zip member and
    sheet when any), url (live: URL or resolution rule; sample: the sample file), licence,
    approx_size, publisher; in sample mode also ``present``."""
    if mode not in ("live", "sample"):
        raise ValueError(f"mode must be 'sample' or 'live', got {mode!r}")
    sample_dir = get_paths().sample_dir if mode == "sample" else None
    rows = []
    for source in SOURCES:
        for release in source.releases:
            file = release.file_name
            if release.member:
                file += f" > {member_label(release.member)}"
            if release.sheet:
                skip = source.skiprows_of(release)
                file += f" [sheet {release.sheet}" + (f", {skip} title rows]" if skip else "]")
            row = {
                "source": source.name,
                "millesime": release.millesime,
                "cog_year": release.cog_year,
                "file": file,
                "format": source.fmt_of(release),
                "licence": source.licence,
                "approx_size": source.approx_size,
                "member": release.member,
                "sheet": release.sheet,
                "publisher": source.publisher,
                "page": source.page,
            }
            if mode == "live":
                row["url"] = live_rule(source, release)
            else:
                path = sample_path(sample_dir, source, release)
                row["url"] = str(path)
                row["present"] = path.is_file()
            rows.append(row)
    return rows


def format_table(rows: list[dict], columns=DEFAULT_COLUMNS, max_width: int = 80) -> str:
    """A plain text table; cells longer than ``max_width`` are cut with an ellipsis, except in
    ``UNCUT_COLUMNS`` (whole URLs and paths)."""

    def cell(row: dict, col: str) -> str:
        text = "" if row.get(col) is None else str(row.get(col))
        return text if len(text) <= max_width or col in UNCUT_COLUMNS else text[: max_width - 1] + "…"

    widths = {c: max([len(c)] + [len(cell(r, c)) for r in rows]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(cell(r, c).ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join(lines)


def print_catalog(mode: str = "live", file: IO[str] | None = None, columns=DEFAULT_COLUMNS) -> None:
    rows = catalog_rows(mode)
    out = file or sys.stdout
    print(format_table(rows, columns), file=out)
    if mode == "sample":
        missing = [r for r in rows if not r["present"]]
        if missing:
            print(f"\n{len(missing)} sample file(s) missing: generate them with `python -m ti_pipeline.sample`.", file=out)


__all__ = ["DEFAULT_COLUMNS", "catalog_rows", "format_table", "live_rule", "member_label", "print_catalog"]
