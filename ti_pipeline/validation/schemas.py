"""Catalog fields -> pandera schemas, and matching a file's columns against the declared ones.

What belongs here: the translation of ``Field`` declarations (dtype, pattern, isin, ge/le, nullable,
named ``checks``) and ``Source.row_checks`` into a pandera ``DataFrameSchema``, with a stable short
name for every rule ("pattern", "isin", "ge", "le", "not_null", "luhn_siren", ...), which is what
the rejects table and the check metadata report; and ``match_columns``, which pairs the columns of
a file with the fields (plain names, ``{yy}`` templates already resolved, regex families).

The schema checks values of a frame already typed by ``coercion``: pandera sees ``string``,
``Int64``, ``Float64``, ``boolean`` and ``datetime64[us]`` columns, so its checks stay vectorised.

Not here: typing values (``coercion``), drift messages (``drift``), collecting rejects (``validate``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandera.pandas as pa

from ti_pipeline.sources.catalog import Field, Source
from ti_pipeline.validation import rules
from ti_pipeline.validation.coercion import PANDAS_DTYPES

NOT_NULL = "not_null"
TYPE = "type"  # a value that does not parse as the declared dtype


def _empty_cells_pass(test, name: str, error: str) -> pa.Check:
    """A check of pandera's built-in kind (same test, same name), run on the whole column with its
    empty cells passing, as with pandera's default ``ignore_na=True``; that default first copies
    the column without them, 20 to 50 ms per column of a national file (the 38 Urssaf year
    columns: a second). Empty cells are the not-null rule's concern (``nullable``)."""
    return pa.Check(lambda s: test(s) | s.isna(), ignore_na=False, name=name, error=error)


def column_rules(f: Field) -> list[tuple[str, pa.Check]]:
    """The named pandera checks of one field, in the order pandera numbers them."""
    checks: list[tuple[str, pa.Check]] = []
    if f.pattern is not None and f.dtype == "str":
        pattern = f.pattern  # matched from the start, as pandera's str_matches does, once per distinct value
        matches = lambda s: rules.on_distinct_values(s, lambda d: d.str.match(pattern, na=False), missing=False)  # noqa: E731
        checks.append(("pattern", _empty_cells_pass(matches, "str_matches", f"str_matches('{pattern}')")))
    if f.isin is not None:
        allowed = list(f.isin)
        checks.append(("isin", _empty_cells_pass(lambda s: s.isin(allowed), "isin", f"isin({allowed})")))
    if f.ge is not None:
        low = f.ge
        checks.append(("ge", _empty_cells_pass(lambda s: s >= low, "greater_than_or_equal_to", f"greater_than_or_equal_to({low})")))
    if f.le is not None:
        high = f.le
        checks.append(("le", _empty_cells_pass(lambda s: s <= high, "less_than_or_equal_to", f"less_than_or_equal_to({high})")))
    for name in f.checks:
        if name not in rules.VALUE_RULES:
            raise KeyError(f"field {f.name!r}: unknown check {name!r}; known: {sorted(rules.VALUE_RULES)}")
        rule = rules.VALUE_RULES[name]
        checks.append((name, pa.Check(rule.fn, name=name, error=rule.description)))
    return checks


def rule_texts(f: Field) -> list[str]:
    """Human-readable rules of a field, for the data dictionary and Dagster column constraints."""
    out = []
    if not f.nullable:
        out.append("not null")
    if f.pattern is not None:
        out.append(f"matches `{f.pattern}`")
    if f.isin is not None:
        out.append("in {" + ", ".join(f.isin) + "}")
    if f.ge is not None:
        out.append(f">= {f.ge:g}")
    if f.le is not None:
        out.append(f"<= {f.le:g}")
    out.extend(f"{name}: {rules.describe(name)}" for name in f.checks)
    if not f.required:
        out.append("optional column")
    return out


def pandera_column(f: Field, *, name_is_regex: bool | None = None) -> pa.Column:
    return pa.Column(
        PANDAS_DTYPES[f.dtype],
        checks=[check for _, check in column_rules(f)],
        nullable=f.nullable,
        required=f.required,
        regex=f.name_is_regex if name_is_regex is None else name_is_regex,
        description=f.description or None,
        title=f.name,
    )


def row_rules(source: Source) -> list[rules.RowRule]:
    out = []
    for name in source.row_checks:
        if name not in rules.ROW_RULES:
            raise KeyError(f"source {source.name!r}: unknown row check {name!r}; known: {sorted(rules.ROW_RULES)}")
        out.append(rules.ROW_RULES[name])
    return out


def build_schema(source: Source, millesime: int) -> pa.DataFrameSchema:
    """The pandera schema of one vintage of a source, for a frame typed as ``validate`` types it.

    Regex families stay regex columns; undeclared columns are allowed (``validate`` reports them).
    """
    columns = {f.name: pandera_column(f) for f in source.fields_for(millesime)}
    checks = [pa.Check(r.fn, name=r.name, error=r.description) for r in row_rules(source)]
    return pa.DataFrameSchema(
        columns,
        checks=checks,
        strict=False,
        name=f"{source.name} {millesime}",
        description=source.title,
    )


# ------------------------------------------------------------------------------------------------
# Matching a file's columns with the declared fields
# ------------------------------------------------------------------------------------------------
@dataclass
class ColumnMatch:
    fields: dict[str, Field]  # column of the file -> its field, in file order
    missing: list[Field] = field(default_factory=list)  # required fields (or families) absent
    missing_optional: list[Field] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)  # columns of the file no field declares
    duplicated: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # undeclared, known to the catalog (ignored_columns)
    added: list[str] = field(default_factory=list)  # undeclared and unknown: added by the publisher


def field_for(fields: tuple[Field, ...], column: str) -> Field | None:
    for f in fields:
        if f.name_is_regex:
            if re.fullmatch(f.name, column):
                return f
        elif f.name == column:
            return f
    return None


def match_columns(source: Source, millesime: int, columns: list[str]) -> ColumnMatch:
    fields = source.fields_for(millesime)
    columns = [str(c) for c in columns]
    seen: set[str] = set()
    duplicated = sorted({c for c in columns if c in seen or seen.add(c)})
    match = ColumnMatch(fields={}, duplicated=duplicated)
    for c in columns:
        f = field_for(fields, c)
        if f is None:
            if c not in match.undeclared:
                match.undeclared.append(c)
        else:
            match.fields[c] = f
    for c in match.undeclared:
        known = any(re.fullmatch(pattern, c) for pattern in source.ignored_columns)
        (match.ignored if known else match.added).append(c)
    matched = set(match.fields.values())
    for f in fields:
        if f not in matched:
            (match.missing if f.required else match.missing_optional).append(f)
    return match


def column_descriptions(source: Source, millesime: int, columns: list[str]) -> dict[str, str]:
    """Description of each column of a validated table, for the Parquet field metadata."""
    return {c: f.description for c, f in match_columns(source, millesime, columns).fields.items() if f.description}
