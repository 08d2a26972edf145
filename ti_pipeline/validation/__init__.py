"""Validation of every source with pandera: schemas from the catalog, drift errors, rejects, checks.

Modules:
- ``rules``: named vectorised rules (Luhn for SIREN/SIRET, plausible dates, rules across columns);
- ``coercion``: typing a column to its declared dtype, flagging what does not parse;
- ``schemas``: catalog ``Field``s -> pandera ``DataFrameSchema``, matching a file's columns;
- ``drift``: ``SchemaDriftError`` and its message;
- ``quarantine``: the rejects table;
- ``validate``: ``validate()`` and ``ValidationResult``;
- ``checks``: the Dagster edge (column schema, asset check specs and results);
- ``dictionary``: the data dictionary in Markdown.

``checks``'s names are imported from it when first asked for (``__getattr__``): validating a
frame (``assets.ingest``, a worker, a script) must not import Dagster.

Not here: reading files (``ti_pipeline.sources.readers``), writing Parquet (``ti_pipeline.lake``).
"""

from ti_pipeline.validation.dictionary import data_dictionary_markdown
from ti_pipeline.validation.drift import SchemaDriftError
from ti_pipeline.validation.schemas import build_schema
from ti_pipeline.validation.validate import ValidationResult, validate

_DAGSTER_NAMES = ("CHECK_NAME", "COLUMNS_CHECK_NAME", "asset_metadata", "check_spec", "check_specs", "quality_check_result", "table_schema")


def __getattr__(name: str):
    if name in _DAGSTER_NAMES:
        from ti_pipeline.validation import checks

        return getattr(checks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CHECK_NAME",
    "COLUMNS_CHECK_NAME",
    "SchemaDriftError",
    "ValidationResult",
    "asset_metadata",
    "build_schema",
    "check_spec",
    "check_specs",
    "data_dictionary_markdown",
    "quality_check_result",
    "table_schema",
    "validate",
]
