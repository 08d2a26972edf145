"""The data dictionary: every source, its columns, types, descriptions and rules, in Markdown.

What belongs here: rendering the catalog declarations (the same ones the pandera schemas and the
Dagster column schemas come from) as one Markdown document for analysts and operators.

Not here: the declarations themselves (``ti_pipeline.sources.catalog``).
"""

from __future__ import annotations

from ti_pipeline.sources.catalog import SOURCES, Source
from ti_pipeline.validation import rules
from ti_pipeline.validation.examples import example_value
from ti_pipeline.validation.schemas import rule_texts

# Declared dtype -> the type name shown in Dagster's column schema and in the data dictionary.
DISPLAY_TYPES = {"str": "string", "int": "integer", "float": "float", "date": "date", "bool": "boolean", "list": "list"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def source_markdown(source: Source) -> str:
    newest = source.releases[0]
    lines = [
        f"## `{source.asset_name}` — {source.title}",
        "",
        f"- Publisher: {source.publisher}; licence: {source.licence}; page: <{source.page}>",
        f"- Millésimes: {', '.join(str(m) for m in source.millesimes)} (newest file: `{newest.file_name}`, "
        f"COG {newest.cog_year}); format: {source.fmt}; size: {source.approx_size or 'n/a'}",
        "- Undeclared columns: not kept; "
        + (
            f"known and unused: {', '.join(f'`{c}`' for c in source.ignored_columns)}; any other is reported"
            if source.ignored_columns
            else "each is reported"
        )
        + " by the WARN check `colonnes_attendues` (a column the publisher added)",
        f"- Blocking threshold: more than {source.max_reject_rate:.1%} of rows rejected",
        (f"- Key: {', '.join(f'`{c}`' for c in source.key)} (a key on several rows rejects each of them: rule `cle_unique`)"
         if source.key else f"- Key: none ({source.no_key_reason})"),
        f"- Expected volume: rows read within ±{source.max_volume_change:.0%} of the previous ingestion of the "
        "vintage (or of the nearest vintage), else the blocking check `volume_attendu` keeps the previous partition",
    ]
    if source.synthetic_only:
        lines.append("- No public file: the sample is synthetic; live mode needs a configured URL")
    if source.siren_filter:
        named = ", ".join(f"`raw_{name}.{column}`" for name, column in source.siren_filter.identifiers)
        lines.append(
            f"- Rows read: only those whose `{source.siren_filter.column}` is a SIREN found in {named} "
            "(first 9 digits of a SIREN or SIRET); the rest of the file is neither read nor kept"
        )
    lines += [
        "",
        f"Columns (names for millésime {newest.millesime}; `{{yy}}` columns follow the vintage):",
        "",
        "| column | type | description | rules | example |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in source.fields_for(newest.millesime):
        name = f"`{f.name}` (family)" if f.name_is_regex else f"`{f.name}`"
        # An example says something only for a constrained value; 'texte' for a name would not.
        informative = f.pattern is not None or f.isin is not None or f.dtype != "str"
        example = f"`{_cell(str(example_value(f)))}`" if informative else ""
        lines.append(
            f"| {_cell(name)} | {DISPLAY_TYPES[f.dtype]} | {_cell(f.description)} | {_cell('; '.join(rule_texts(f)))} "
            f"| {example} |"
        )
    if source.row_checks:
        lines += ["", "Rules across columns:", ""]
        lines += [f"- `{name}`: {rules.describe(name)}" for name in source.row_checks]
    if source.notes:
        lines += ["", f"Note: {source.notes}"]
    lines += ["", "What confirms this declaration:", ""]
    lines += [f"- {_cell(e.fact)} — {_cell(e.seen_in)}" for e in source.evidence] or ["- nothing public: see below"]
    if source.unverified:
        lines += ["", "Not confirmed yet (the file wins: a difference stops the source or is reported):", ""]
        lines += [f"- {_cell(u)}" for u in source.unverified]
    return "\n".join(lines)


def data_dictionary_markdown() -> str:
    """The data dictionary of every source, generated from the catalog."""
    intro = [
        "# Data dictionary of the raw sources",
        "",
        "Generated from `ti_pipeline/sources/catalog/` by `ti_pipeline.validation.data_dictionary_markdown()`;",
        "do not edit by hand. Every value is checked on each load: a row failing a rule is set aside in",
        "`data/lake/rejects/<source>/` with the rule, column and value; a value that does not parse as the",
        "column's type is a failure of the rule `type`; a key found on several rows rejects each of them",
        "(rule `cle_unique`, column: the key's columns, value: the key); missing, renamed or retyped",
        "columns stop the load. A vintage blocked by a check keeps its previous partition; the blocked",
        "attempt's rejects are in `data/lake/blocked/<source>/`.",
        "",
    ]
    return "\n".join(intro + ["\n\n".join(source_markdown(s) for s in SOURCES), ""])
