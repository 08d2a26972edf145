"""What every format reader shares: the errors, the result type, telling a file that is not data.

What belongs here: ``SourceFormatError`` (and ``UnsafeArchiveError``), ``ReadResult``, the checks
that say "an HTML page (title: ...)" instead of a parser's complaint, and the match of a file's
columns against the catalog's declared fields (exact names or regexes).

Not here: any one format (``archives``, ``csv_files``, ``xlsx``, ``parquet``, ``json_files``),
code normalisation (``codes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ti_pipeline.sources.catalog import Field, Source
from ti_pipeline.sources.sniff import SNIFF_BYTES, describe_non_data


class SourceFormatError(ValueError):
    """A file that cannot be read as the format the catalog declares for it."""

    def __init__(self, source: str, file: str | Path, message: str, column: str | None = None):
        self.source = source
        self.file = str(file)
        self.column = column
        where = f"source {source!r}, file {self.file}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


class UnsafeArchiveError(SourceFormatError):
    """A zip member that would escape its directory or expand beyond the guards."""


@dataclass
class ReadResult:
    frame: pd.DataFrame
    info: dict = field(default_factory=dict)


# "This is not data": HTML pages, empty bodies, JSON error messages
def read_head(path: Path, n: int = SNIFF_BYTES) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def raise_not_data(source: Source, label, expected: str, path: Path) -> None:
    what = describe_non_data(read_head(path)) or f"a file starting with {read_head(path, 16)!r}"
    raise SourceFormatError(source.name, label, f"got {what} instead of {expected}")


def check_is_data(source: Source, label: str, path: Path, expected: str) -> None:
    what = describe_non_data(read_head(path))
    if what:
        raise SourceFormatError(source.name, label, f"got {what} instead of {expected}")


def declared_columns(fields: tuple[Field, ...], present: list[str]) -> list[str]:
    keep = []
    for name in present:
        for f in fields:
            if (f.name_is_regex and re.fullmatch(f.name, name)) or (not f.name_is_regex and f.name == name):
                keep.append(name)
                break
    return keep
