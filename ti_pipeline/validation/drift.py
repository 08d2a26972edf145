"""Schema drift: a file whose columns or column types no longer match the catalog.

What belongs here: ``SchemaDriftError`` and the wording of its message, which is what the operator
reads in the Dagster UI when a publisher renames, drops or retypes a column (a column the publisher
adds is not drift: ``validate`` reports it). The message names
the source, the file and the millésime, lists missing columns, offers the closest
existing name for each missing one (a probable rename: "column 'insee_com' missing; found
'code_insee' — renamed?"), and describes each type problem with example values.

Not here: deciding what is drift (``validate``), the catalog (``ti_pipeline.sources.catalog``).
"""

from __future__ import annotations

import difflib
import re

# Similarity above which an undeclared column is offered as the probable new name of a missing one.
RENAME_CUTOFF = 0.5
# Below the rename cutoff, the closest name is still shown as a hint when it is at least this close.
HINT_CUTOFF = 0.3


def _tokens(name: str) -> set[str]:
    # insee_com / codeInsee / CODE_INSEE -> {"insee", "com"} / {"code", "insee"} / {"code", "insee"}
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return {t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t}


def similarity(a: str, b: str) -> float:
    """Closeness of two column names: difflib's ratio on lower case, or shared words.

    Shared words catch reorderings difflib scores low ('insee_com' vs 'code_insee').
    """
    ratio = difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()
    ta, tb = _tokens(a), _tokens(b)
    words = len(ta & tb) / max(len(ta), len(tb)) if ta and tb else 0.0
    return max(ratio, words)


def quoted(name: str) -> str:
    # Not repr(): a regex family name would show its backslashes doubled.
    return f"'{name}'"


def closest(name: str, candidates: list[str], cutoff: float) -> str | None:
    scored = [(similarity(name, c), c) for c in candidates if c != name]
    scored = [sc for sc in scored if sc[0] >= cutoff]
    return max(scored, key=lambda sc: sc[0])[1] if scored else None


class SchemaDriftError(Exception):
    """The columns or column types of a file no longer match the catalog declaration.

    Attributes: ``source``, ``file_name``, ``millesime``, ``missing`` (declared names or regex
    families), ``renamed`` (missing -> probable new
    name), ``closest`` (missing -> closest existing name, when not a probable rename),
    ``dtype_problems`` (column -> description), ``duplicated``, ``columns`` (of the file).
    """

    def __init__(
        self,
        *,
        source: str,
        file_name: str,
        millesime: int,
        missing: list[str],
        renamed: dict[str, str],
        closest: dict[str, str],
        dtype_problems: dict[str, str],
        duplicated: list[str] | None = None,
        columns: list[str] | None = None,
        declared: list[str] | None = None,
    ):
        self.source = source
        self.file_name = file_name
        self.millesime = millesime
        self.missing = missing
        self.renamed = renamed
        self.closest = closest
        self.dtype_problems = dtype_problems
        self.duplicated = duplicated or []
        self.columns = columns or []
        self.declared = declared or []
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [
            f"Schema drift in source {self.source!r}, file {self.file_name!r}, millésime {self.millesime}: "
            "the file no longer matches its declaration in ti_pipeline/sources/catalog/."
        ]
        for name in self.missing:
            if name in self.renamed:
                lines.append(f"- column {quoted(name)} missing; found {quoted(self.renamed[name])} — renamed?")
            elif name in self.closest:
                lines.append(f"- column {quoted(name)} missing; closest existing name: {quoted(self.closest[name])}")
            else:
                lines.append(f"- column {quoted(name)} missing; no similar column in the file")
        for column in self.duplicated:
            lines.append(f"- column {quoted(column)} appears more than once")
        for column, problem in self.dtype_problems.items():
            lines.append(f"- column {quoted(column)}: {problem}")
        if self.missing:
            lines.append(f"Declared columns: {', '.join(self.declared)}")
            lines.append(f"Columns in the file: {', '.join(self.columns)}")
        lines.append(
            "If the publisher changed the file on purpose, update the source's fields in the catalog "
            "(and the SQL that reads them); the marts already published are left unchanged."
        )
        return "\n".join(lines)

    def as_metadata(self) -> dict:
        """The drift as plain data, for Dagster metadata or logs."""
        return {
            "source": self.source,
            "file": self.file_name,
            "millesime": self.millesime,
            "missing": self.missing,
            "renamed": self.renamed,
            "closest": self.closest,
            "dtype_problems": self.dtype_problems,
            "duplicated": self.duplicated,
        }
