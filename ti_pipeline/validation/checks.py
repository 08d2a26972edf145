"""The Dagster edge of validation: column schemas, asset check specs and check results.

What belongs here: everything that turns catalog declarations and a ``ValidationResult`` into
Dagster objects — the ``TableSchema`` shown in the asset's "Columns" tab, and the two checks every
raw asset declares:

- ``lignes_valides`` (blocking): rows read, valid, rejected, reject rate, counts per rule, examples
  of failing values. It fails with severity ERROR — which stops downstream assets, since the check
  is blocking — when the reject rate is above the source's ``max_reject_rate``; it fails with
  severity WARN (shown, not blocking) when some rows were rejected below it.
- ``colonnes_attendues`` (not blocking): the columns of the file that the catalog does not know,
  i.e. that the publisher added. They are not kept and do not stop the refresh; the check fails
  with severity WARN and names them, so that the catalog can be updated on purpose. (A declared
  column that disappears or changes type is schema drift: the source stops before any check.)

Not here: the validation itself (``validate``). Assets import from here; this module imports no asset.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd

from ti_pipeline.sources.catalog import SOURCES, Source
from ti_pipeline.validation import quarantine
from ti_pipeline.validation.dictionary import DISPLAY_TYPES
from ti_pipeline.validation.schemas import match_columns, rule_texts
from ti_pipeline.validation.validate import ValidationResult

# The name the raw assets give their blocking validation check (French, like the other names the
# operator reads in the UI: it counts "lignes valides").
CHECK_NAME = "lignes_valides"
COLUMNS_CHECK_NAME = "colonnes_attendues"
EXAMPLES_PER_RULE = 3


def table_schema(source: Source, millesime: int, columns: list[str] | None = None) -> dg.TableSchema:
    """The columns of a raw table as Dagster shows them: names, types, descriptions, rules.

    Without ``columns``, regex families appear once under their pattern; with the columns of an
    actual table, each member of a family appears under its own name.
    """
    if columns is None:
        pairs = [(f.name, f) for f in source.fields_for(millesime)]
    else:
        pairs = list(match_columns(source, millesime, columns).fields.items())
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=DISPLAY_TYPES[f.dtype],
                description=f.description or None,
                constraints=dg.TableColumnConstraints(
                    nullable=f.nullable,
                    other=[t for t in rule_texts(f) if t != "not null"] or None,
                ),
            )
            for name, f in pairs
        ]
    )


def check_spec(source: Source, **kwargs) -> dg.AssetCheckSpec:
    """The blocking validation check of a raw asset (``kwargs`` go to ``AssetCheckSpec``)."""
    return dg.AssetCheckSpec(
        name=CHECK_NAME,
        asset=source.asset_name,
        blocking=True,
        description=(
            f"Rows of {source.name} that pass the catalog rules. Blocks downstream assets when more than "
            f"{source.max_reject_rate:.1%} of the rows are rejected; warns below. Rejected rows are kept "
            f"in data/lake/rejects/{source.name}/."
        ),
        **kwargs,
    )


def columns_check_spec(source: Source, **kwargs) -> dg.AssetCheckSpec:
    """The check that names the columns a publisher added to a raw asset's file (not blocking)."""
    return dg.AssetCheckSpec(
        name=COLUMNS_CHECK_NAME,
        asset=source.asset_name,
        blocking=False,
        description=(
            f"Columns of the {source.name} file that ti_pipeline/sources/catalog/ does not declare: added by the "
            "publisher, not kept, named here (WARN) without stopping the refresh. A declared column that "
            "disappears or changes type stops the source instead (schema drift)."
        ),
        **kwargs,
    )


def check_specs(sources: tuple[Source, ...] = SOURCES) -> list[dg.AssetCheckSpec]:
    return [spec for s in sources for spec in (check_spec(s), columns_check_spec(s))]


def columns_check_result(source: Source, results: list[ValidationResult]) -> dg.AssetCheckResult:
    """The ``colonnes_attendues`` result of one materialization (one ``ValidationResult`` per vintage)."""
    added = {r.millesime: r.added_columns for r in results if r.added_columns}
    metadata: dict = {
        "millesimes": ", ".join(str(r.millesime) for r in results) or "none",
        "added_columns": dg.MetadataValue.json({str(m): cols for m, cols in added.items()}),
        "ignored_columns": dg.MetadataValue.int(max((len(r.ignored_columns) for r in results), default=0)),
    }
    absent = sorted({c for r in results for c in r.absent_optional_columns})
    if absent:
        metadata["absent_optional_columns"] = dg.MetadataValue.json(absent)
    if added:
        description = "Columns added by the publisher, not kept: " + "; ".join(
            f"{', '.join(repr(c) for c in cols)} (file {r.file_name!r}, millésime {r.millesime})"
            for r in results
            for cols in [added.get(r.millesime)]
            if cols
        ) + ". Declare them in ti_pipeline/sources/catalog/ (a field, or ignored_columns) to silence this."
    else:
        description = "Every column of the file is declared or known."
    return dg.AssetCheckResult(
        passed=not added,
        asset_key=dg.AssetKey(source.asset_name),
        check_name=COLUMNS_CHECK_NAME,
        severity=dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=description,
    )


def _markdown_table(frame: pd.DataFrame) -> str:
    def cell(v) -> str:
        text = "" if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)) else str(v)
        return text.replace("|", "\\|").replace("\n", " ")[:120]

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def failure_table(result: ValidationResult) -> str:
    rows = [(rule, column, n) for (rule, column), n in sorted(result.failure_counts.items())]
    return _markdown_table(pd.DataFrame(rows, columns=["rule", "column", "failures"]))


def examples_table(result: ValidationResult, per_rule: int = EXAMPLES_PER_RULE) -> str:
    found = result.failures if result.failures is not None else quarantine.empty_failures().assign(_value=None)
    ex = quarantine.examples(found, per_rule)
    ex = ex.rename(columns={"_row": "row", "_rule": "rule", "_column": "column", "_value": "value"})
    return _markdown_table(ex)


def quality_check_result(source: Source, result: ValidationResult) -> dg.AssetCheckResult:
    """The validation check result of one raw asset materialization (see module docstring)."""
    rate = result.reject_rate
    threshold = source.max_reject_rate
    if result.rows_rejected == 0:
        passed, severity = True, dg.AssetCheckSeverity.ERROR
        summary = f"{result.rows_in} rows read, all valid."
    elif rate > threshold:
        passed, severity = False, dg.AssetCheckSeverity.ERROR
        summary = (
            f"{result.rows_rejected} of {result.rows_in} rows rejected ({rate:.2%}), above the threshold of "
            f"{threshold:.2%} for {source.name}: downstream assets are blocked."
        )
    else:
        passed, severity = False, dg.AssetCheckSeverity.WARN
        summary = (
            f"{result.rows_rejected} of {result.rows_in} rows rejected ({rate:.2%}), within the threshold of "
            f"{threshold:.2%} for {source.name}: the valid rows are used, the rejects are kept for review."
        )
    metadata: dict = {
        "file": result.file_name,
        "millesime": result.millesime,
        "rows_read": dg.MetadataValue.int(result.rows_in),
        "rows_valid": dg.MetadataValue.int(result.rows_valid),
        "rows_rejected": dg.MetadataValue.int(result.rows_rejected),
        "reject_rate": dg.MetadataValue.float(float(rate)),
        "max_reject_rate": dg.MetadataValue.float(float(threshold)),
    }
    if result.rows_rejected:
        metadata["failures_by_rule"] = dg.MetadataValue.md(failure_table(result))
        metadata["failing_values"] = dg.MetadataValue.md(examples_table(result))
    if result.added_columns:
        metadata["added_columns"] = dg.MetadataValue.json(result.added_columns)
    if result.absent_optional_columns:
        metadata["absent_optional_columns"] = dg.MetadataValue.json(result.absent_optional_columns)
    return dg.AssetCheckResult(
        passed=passed,
        asset_key=dg.AssetKey(source.asset_name),
        check_name=CHECK_NAME,
        severity=severity,
        metadata=metadata,
        description=summary,
    )


def asset_metadata(source: Source, millesime: int, result: ValidationResult) -> dict:
    """Materialization metadata of a raw asset: column schema, row counts, added columns."""
    metadata: dict = {
        "dagster/column_schema": table_schema(source, millesime, list(result.valid.columns)),
        "dagster/row_count": dg.MetadataValue.int(result.rows_valid),
        "rows_read": dg.MetadataValue.int(result.rows_in),
        "rows_rejected": dg.MetadataValue.int(result.rows_rejected),
    }
    if result.added_columns:
        metadata["added_columns"] = dg.MetadataValue.json(result.added_columns)
    return metadata
