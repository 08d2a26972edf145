"""Validation of every source with pandera: schemas from the catalog, drift errors, rejects.

Modules:
- ``rules``: named vectorised rules (Luhn for SIREN/SIRET, plausible dates, rules across columns);
- ``coercion``: typing a column to its declared dtype, flagging what does not parse;
- ``schemas``: catalog ``Field``s -> pandera ``DataFrameSchema``, matching a file's columns;
- ``drift``: ``SchemaDriftError`` and its message;
- ``quarantine``: the rejects table;
- ``keys``: the rows sharing a source's key (rule ``cle_unique``);
- ``validate``: ``validate()`` and ``ValidationResult``;
- ``dictionary``: the data dictionary in Markdown.

Nothing here imports Dagster: validating a frame (``ti_pipeline.ingest``, a script) does not pay
for it.

Not here: reading files (``ti_pipeline.sources.readers``), writing Parquet (``ti_pipeline.lake``),
the Dagster edge of validation (column schema, asset check specs and results: ``ti_pipeline.defs.raw``).
"""

from ti_pipeline.validation.dictionary import data_dictionary_markdown
from ti_pipeline.validation.drift import SchemaDriftError
from ti_pipeline.validation.schemas import build_schema
from ti_pipeline.validation.validate import ValidationResult, validate

__all__ = [
    "SchemaDriftError",
    "ValidationResult",
    "build_schema",
    "data_dictionary_markdown",
    "validate",
]
