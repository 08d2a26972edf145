"""Validating one file of one vintage of a source: drift, typing, value rules, rejects.

What belongs here: ``validate`` and its ``ValidationResult``. The steps, in order:

1. Columns. The file's columns (``all_columns`` when a reader projected them) are matched with the
   catalog fields. A missing required column or a duplicated column -> ``SchemaDriftError``.
   Absent optional fields are tolerated. Undeclared columns are never kept: those the catalog
   knows the real file carries (``Source.ignored_columns``) are listed in ``ignored_columns``; any
   other was added by the publisher since the declaration and is listed in ``added_columns``,
   which the ``colonnes_attendues`` check reports by name without stopping the refresh.
2. Types. Every declared column is typed (``coercion``). A column whose storage cannot hold the
   declared type, or of which most values do not parse, is type drift -> ``SchemaDriftError``.
   Otherwise each unparseable value rejects its row under the rule ``type``.
3. Values. The pandera schema (``schemas``) runs lazily over the typed frame; the row rules of the
   source (``rules.ROW_RULES``) run on it too. Each failing row goes to ``rejects``.
4. Key. Every row whose key (``Source.key``) is on another row too is a reject under the rule
   ``cle_unique`` (``keys``: every occurrence, since nothing tells which is right).

Every input row ends up in ``valid`` or in ``rejects``: ``rows_in == rows_valid + rows_rejected``.

Not here: rule definitions (``rules``), rejects layout (``quarantine``), Dagster (``checks``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ti_pipeline.sources.catalog import Source
from ti_pipeline.validation import keys, quarantine
from ti_pipeline.validation.coercion import coerce
from ti_pipeline.validation.drift import HINT_CUTOFF, RENAME_CUTOFF, SchemaDriftError, closest
from ti_pipeline.validation.schemas import NOT_NULL, TYPE, column_rules, match_columns, pandera_column, row_rules

# A column is "retyped" (drift), rather than carrying a few bad values (rejects), when more than this
# share of its non-empty values do not parse, and at least DRIFT_MIN_BAD of them: one stray value in
# an almost empty column is a bad row, not a new column type.
DRIFT_SHARE = 0.5
DRIFT_MIN_BAD = 3
EXAMPLES_IN_MESSAGES = 3

# Order of a failure within a row: the type failure of a column first, then not-null, then the
# column's checks in declaration order; rules across columns come after every column.
_ORDER_TYPE, _ORDER_NOT_NULL, _ORDER_CHECKS = 0, 1, 2
_ORDER_ROW_RULES = 1_000_000
_ORDER_KEY = 2_000_000  # a duplicated key (``keys``) last: a row's own faults say more


@dataclass
class ValidationResult:
    valid: pd.DataFrame  # declared columns only, typed per Field.dtype
    rejects: pd.DataFrame  # see ``quarantine``: _row, _rule, _column, _value, _failures, original values
    rows_in: int
    rows_valid: int
    rows_rejected: int
    failure_counts: dict  # (rule, column) -> number of failures
    source: str = ""
    millesime: int = 0
    file_name: str = ""
    added_columns: list[str] = field(default_factory=list)  # undeclared, unknown: new from the publisher
    ignored_columns: list[str] = field(default_factory=list)  # undeclared, known unused (Source.ignored_columns)
    absent_optional_columns: list[str] = field(default_factory=list)
    failures: pd.DataFrame | None = None  # every failure: _row, _rule, _column, _order, _value
    # valid rows per value of the source's ``counted_by`` column (Flores: per geography level)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def reject_rate(self) -> float:
        return self.rows_rejected / self.rows_in if self.rows_in else 0.0


def rejects_block(source: Source, result: ValidationResult) -> bool:
    """Whether the rejected rows of a vintage block it (the ``lignes_valides`` check fails with
    ERROR and the vintage's partition is not replaced): more than the source's ``max_reject_rate``."""
    return result.reject_rate > source.max_reject_rate


def _family_label(name: str, is_regex: bool) -> str:
    return f"{name} (regex family)" if is_regex else name


def _literal(name: str) -> str:
    # The literal part of a regex family name, to look for a renamed family: effectifs_salaries_\d{4}
    return re.sub(r"\\[dws]|[\^\$\(\)\[\]\{\}\*\+\?\|\\]|\d+(,\d*)?(?=\})", "", name)


def _examples(values: pd.Series, mask: np.ndarray) -> str:
    # repr of the values as read: 'abc' (text) and 210100012 (a JSON number) must look different.
    picked: list[str] = []
    for v in values[mask].head(50):
        text = repr(v.item() if hasattr(v, "item") else v)
        if text not in picked:
            picked.append(text)
        if len(picked) == EXAMPLES_IN_MESSAGES:
            break
    return ", ".join(picked)


def validate(
    source: Source,
    millesime: int,
    frame: pd.DataFrame,
    *,
    file_name: str,
    all_columns: list[str] | None = None,
) -> ValidationResult:
    """Validate the frame read from ``file_name`` (vintage ``millesime`` of ``source``)."""
    frame = frame.reset_index(drop=True)  # positions are the file's data rows: _row
    frame_columns = [str(c) for c in frame.columns]
    file_columns = [str(c) for c in all_columns] if all_columns is not None else frame_columns
    match = match_columns(source, millesime, file_columns)

    # 1. Columns ------------------------------------------------------------------------------
    missing_fields = list(match.missing)
    # A reader that projected a column away that the file has would hide data: report it as missing.
    for column, f in list(match.fields.items()):
        if column not in frame_columns:
            del match.fields[column]
            if f not in missing_fields:
                missing_fields.append(f)
    missing = [_family_label(f.name, f.name_is_regex) for f in missing_fields]
    renamed: dict[str, str] = {}
    hints: dict[str, str] = {}
    for f, label in zip(missing_fields, missing):
        wanted = _literal(f.name) if f.name_is_regex else f.name
        candidate = closest(wanted, match.undeclared, RENAME_CUTOFF)
        if candidate is not None:
            renamed[label] = candidate
        else:
            hint = closest(wanted, file_columns, HINT_CUTOFF)
            if hint is not None:
                hints[label] = hint

    def drift(dtype_problems: dict[str, str]) -> SchemaDriftError:
        return SchemaDriftError(
            source=source.name,
            file_name=file_name,
            millesime=millesime,
            missing=missing,
            renamed=renamed,
            closest=hints,
            dtype_problems=dtype_problems,
            duplicated=match.duplicated,
            columns=file_columns,
            declared=[_family_label(f.name, f.name_is_regex) for f in source.fields_for(millesime)],
        )

    if match.duplicated:
        raise drift({})

    # 2. Types --------------------------------------------------------------------------------
    typed: dict[str, pd.Series] = {}
    found: list[pd.DataFrame] = []
    type_bad: dict[str, np.ndarray] = {}
    dtype_problems: dict[str, str] = {}
    positions = {c: i for i, c in enumerate(match.fields)}
    for column, f in match.fields.items():
        if f.not_published:  # the publisher's "not published" codes are empty cells (catalog.Field)
            frame[column] = frame[column].mask(frame[column].isin(f.not_published))
        result = coerce(frame[column], f.dtype)
        n_bad = int(result.bad.sum())
        n_values = int(result.nonempty.sum())
        if result.storage is not None:
            dtype_problems[column] = f"declared {f.dtype}, but {result.storage}"
        elif n_bad >= DRIFT_MIN_BAD and n_bad > DRIFT_SHARE * n_values:
            dtype_problems[column] = (
                f"declared {f.dtype}, but {n_bad} of its {n_values} non-empty values "
                f"({n_bad / n_values:.0%}) {'are not text' if f.dtype == 'str' else f'do not parse as {f.dtype}'} "
                f"(e.g. {_examples(frame[column], result.bad)})"
            )
        typed[column] = result.values
        if n_bad:
            type_bad[column] = result.bad
            found.append(quarantine.failures(np.flatnonzero(result.bad), TYPE, column, positions[column] * 1000 + _ORDER_TYPE))
    if missing or dtype_problems:
        raise drift(dtype_problems)
    typed_frame = pd.DataFrame(typed, index=frame.index, copy=False)  # the typed columns are new already

    # 3. Values -------------------------------------------------------------------------------
    checks_by_column = {column: column_rules(f) for column, f in match.fields.items()}
    schema = pa.DataFrameSchema(
        {column: pandera_column(f, name_is_regex=False) for column, f in match.fields.items()},
        strict=False,
        coerce=False,
    )
    try:
        schema.validate(typed_frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        found.append(_pandera_failures(exc.failure_cases, checks_by_column, positions, type_bad))

    for k, rule in enumerate(row_rules(source)):
        if not all(c in typed_frame.columns for c in rule.columns):
            continue  # an optional column the rule needs is absent
        ok = rule.fn(typed_frame).to_numpy(dtype=bool)
        # A value that did not parse already rejected its row; its NA would only fail again here.
        for c in rule.columns:
            if c in type_bad:
                ok = ok | type_bad[c]
        if not ok.all():
            found.append(quarantine.failures(np.flatnonzero(~ok), rule.name, rule.column, _ORDER_ROW_RULES + k))

    key = keys.key_columns(source, match.fields)
    # a key that fails its own rules (a SIRET that is no SIRET) identifies nothing: not compared
    invalid_key = np.zeros(len(frame), dtype=bool)
    for part in found:
        invalid_key[part["_row"].to_numpy()[part["_column"].isin(key).to_numpy()]] = True
    duplicated = keys.duplicate_rows(typed_frame, key, skip=invalid_key)
    if len(duplicated):
        found.append(quarantine.failures(duplicated, keys.KEY_RULE, keys.label(key), _ORDER_KEY))

    all_found = pd.concat(found, ignore_index=True) if found else quarantine.empty_failures()
    all_found = quarantine.with_values(frame, all_found)
    rejected = np.zeros(len(frame), dtype=bool)
    rejected[all_found["_row"].to_numpy()] = True

    valid = typed_frame.loc[~rejected].reset_index(drop=True)
    rejects = quarantine.build_rejects(frame, all_found)
    rows_in = len(frame)
    return ValidationResult(
        valid=valid,
        rejects=rejects,
        rows_in=rows_in,
        rows_valid=len(valid),
        rows_rejected=len(rejects),
        failure_counts=quarantine.failure_counts(all_found),
        source=source.name,
        millesime=millesime,
        file_name=file_name,
        added_columns=list(match.added),
        ignored_columns=list(match.ignored),
        absent_optional_columns=[_family_label(f.name, f.name_is_regex) for f in match.missing_optional],
        failures=all_found,
        counts=_counts(source, valid),
    )


def _counts(source: Source, valid: pd.DataFrame) -> dict[str, int]:
    if source.counted_by is None or source.counted_by not in valid.columns:
        return {}
    return {str(k): int(n) for k, n in valid[source.counted_by].value_counts(dropna=False).sort_index().items()}


def _pandera_failures(
    cases: pd.DataFrame,
    checks_by_column: dict[str, list],
    positions: dict[str, int],
    type_bad: dict[str, np.ndarray],
) -> pd.DataFrame:
    """pandera's failure cases -> our failures (row, rule, column), with our rule names."""
    column_level = cases[cases["index"].isna()]
    if not column_level.empty:
        # The frame was typed before pandera saw it: a column-level failure here is a bug in a rule
        # or in the coercion, not a property of the file.
        raise RuntimeError(f"validation could not run its checks:\n{column_level.to_string()}")
    cases = cases.reset_index(drop=True)
    rows = cases["index"].astype("int64").to_numpy()
    columns = cases["column"].astype(object)
    numbers = pd.to_numeric(cases["check_number"], errors="coerce")
    not_null = (cases["check"] == "not_nullable").to_numpy(dtype=bool)
    rule_names = np.full(len(cases), NOT_NULL, dtype=object)
    order = columns.map(positions).to_numpy(dtype="int64") * 1000 + _ORDER_NOT_NULL
    # One lookup per (column, check) pair, not per failing value: there may be millions.
    pairs = pd.DataFrame({"column": columns, "number": numbers})[~not_null]
    for (column, number), idx in pairs.groupby(["column", "number"], sort=False).groups.items():
        idx = np.asarray(idx)
        rule_names[idx] = checks_by_column[column][int(number)][0]
        order[idx] = positions[column] * 1000 + _ORDER_CHECKS + int(number)
    out = pd.DataFrame({"_row": rows, "_rule": rule_names, "_column": columns, "_order": order})
    # NA left by an unparseable value must not also be reported as "not_null".
    keep = np.ones(len(out), dtype=bool)
    for column, bad in type_bad.items():
        sel = (out["_column"] == column).to_numpy() & (out["_rule"] == NOT_NULL).to_numpy()
        keep[sel] = ~bad[out.loc[sel, "_row"].to_numpy()]
    return out[keep]
