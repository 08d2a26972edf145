"""The millésime of a rolling file, read from the file itself.

Urssaf's "-last" export is one URL republished each year with one more year of columns
(``effectifs_salaries_2006`` ... ``effectifs_salaries_2025``): its vintage is the latest year in its
header, not a constant of the catalog (``catalog.VintageFromColumns``). ``resolve_release`` reads the
header line only (of the file, or of its zip member) and returns the release the file really is;
any other source's release comes back unchanged.

Standard library only: the up-to-date check asks it before anything heavy is imported.
Not here: reading the data (``readers``).
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import replace
from pathlib import Path

from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.sources.sniff import SNIFF_BYTES, describe_non_data, sniff_separator


class VintageUnknown(ValueError):
    """A rolling file whose header names no year: its millésime cannot be known."""


def _head(source: Source, release: Release, path: Path) -> bytes:
    if release.member is not None and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if re.search(release.member, n)]
            if not names:
                raise VintageUnknown(f"source {source.name!r}, file {path}: no member matches {release.member!r}")
            with z.open(names[0]) as f:
                return f.read(SNIFF_BYTES)
    with open(path, "rb") as f:
        return f.read(SNIFF_BYTES)


def header_columns(source: Source, release: Release, path: Path) -> list[str]:
    """The column names of a CSV's header line (a byte order mark dropped, quotes resolved)."""
    head = _head(source, release, path)
    what = describe_non_data(head)
    if what:
        raise VintageUnknown(f"source {source.name!r}, file {path}: got {what} instead of CSV")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # a character cut at the end of the sample is not an encoding problem
        text = head[: exc.start].decode("utf-8-sig") if exc.start >= len(head) - 4 else head.decode("latin-1")
    line = text.splitlines()[0] if text else ""
    rows = list(csv.reader([line], delimiter=sniff_separator(text)))
    return [name.strip() for name in rows[0]] if rows else []


def resolve_release(source: Source, release: Release, path: Path) -> Release:
    """The release the file at ``path`` is: for a rolling file (``vintage_from_columns``), the
    latest year of its matching columns and the COG year that follows; otherwise ``release``."""
    rule = source.vintage_from_columns
    if rule is None:
        return release
    path = Path(path)
    columns = header_columns(source, release, path)
    years = [int(m.group(1)) for c in columns if (m := re.match(rule.pattern, c))]
    if not years:
        raise VintageUnknown(
            f"source {source.name!r}, file {path}: no column matches {rule.pattern!r}, so the millésime of this "
            f"rolling file cannot be known; its columns: {', '.join(columns[:30])}"
        )
    latest = max(years)
    return replace(release, millesime=latest, cog_year=latest + rule.cog_year_offset)
