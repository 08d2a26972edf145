"""Raw assets: one ``raw_<source>`` Dagster asset per catalog source, a thin edge over ``ti_pipeline.ingest``.

What belongs here: the raw assets and the Dagster edge of validation. Each asset ingests the
vintages of its run (``ingest.vintages.ingest_vintages``: obtain the file, read it with the
real-format readers, validate it against the source's pandera schema, write the valid rows to the
raw Parquet lake and the rejected rows, with their reason, to the rejects table) and turns the
outcome into Dagster's: the materialization's metadata (rows, rejects, files, where the time went:
``read_seconds``, ``validate_seconds``, ``write_seconds``, and the vintages found unchanged and
kept, ``skipped_vintages``; a run tagged ``ti/force`` reads every vintage again), the
``TableSchema`` shown in the asset's "Columns" tab, and the three checks every raw asset declares:

- ``lignes_valides`` (blocking): rows read, valid, rejected, reject rate, counts per rule, examples
  of failing values. It fails with severity ERROR — which stops downstream assets, since the check
  is blocking — when the reject rate is above the source's ``max_reject_rate``; it fails with
  severity WARN (shown, not blocking) when some rows were rejected below it. A duplicated key is
  a reject like any other (rule ``cle_unique``).
- ``volume_attendu`` (blocking): the rows read from each vintage's file against the previous
  ingestion of the same vintage (or the nearest other vintage, for a new one), from the lake's
  provenance (``ingest.volume``). A drop or jump beyond the source's ``max_volume_change`` fails
  with ERROR, naming source, file, vintage and both counts; the run tag ``ti/accept-volume``
  accepts it for one run (``--force`` does not).
- ``colonnes_attendues`` (not blocking): the columns of the file that the catalog does not know,
  i.e. that the publisher added. They are not kept and do not stop the refresh; the check fails
  with severity WARN and names them, so that the catalog can be updated on purpose. (A declared
  column that disappears or changes type is schema drift: the source stops before any check.)

A blocking check decides before anything is written (``ingest.vintages.judge``): a blocked
vintage's raw partition and rejects stay those of the last good run, and the attempt's rejects go
to ``lake/blocked/<source>/millesime=<YYYY>/rejects.parquet`` (named in the check's metadata).

Sources published per year are partitioned by vintage (``defs.partitions``): a run materializes
the vintages of its partition key or range (single-run backfill policy, so a backfill of several
vintages is one run that validates them all before writing any), and each vintage's lake folder is
replaced whole. Other sources read their one release each run. A source with a ``siren_filter``
(Sirene) depends on the raw assets whose SIRENs it is read for.

In live mode a failed download is retried by Dagster (``RetryRequested`` with ``NETWORK_RETRY``'s
delays); any other failure is final (``Failure(allow_retries=False)``): trying a missing sample
file or a drifted schema again cannot help. An interrupt (Ctrl-C) is neither: it stops the run.

Not here: the ingestion itself (``ti_pipeline.ingest``, plain functions), whether a vintage is up
to date (``ingest.state``), the validation itself (``ti_pipeline.validation``).
"""


import warnings

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext

from ti_pipeline.config import ACCEPT_VOLUME_TAG, Paths, accepts_volume, forced, get_mode, get_paths
from ti_pipeline.defs.automation import NETWORK_RETRY, retry_allowed
from ti_pipeline.defs.partitions import vintage_partitions
from ti_pipeline.ingest.vintages import IngestedRelease, ingest_vintages
from ti_pipeline.sources.catalog import SOURCES, Release, Source
from ti_pipeline.validation import quarantine
from ti_pipeline.validation.dictionary import DISPLAY_TYPES
from ti_pipeline.validation.schemas import match_columns, rule_texts
from ti_pipeline.validation.validate import ValidationResult, rejects_block

# The name the raw assets give their blocking validation check (French, like the other names the
# operator reads in the UI: it counts "lignes valides").
CHECK_NAME = "lignes_valides"
COLUMNS_CHECK_NAME = "colonnes_attendues"
VOLUME_CHECK_NAME = "volume_attendu"
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


def volume_check_spec(source: Source, **kwargs) -> dg.AssetCheckSpec:
    """The blocking check of the rows read for a vintage against the partition it would replace."""
    return dg.AssetCheckSpec(
        name=VOLUME_CHECK_NAME,
        asset=source.asset_name,
        blocking=True,
        description=(
            f"Rows read from each {source.name} file against the previous ingestion of the same vintage "
            f"(or, for a new vintage, the nearest other one in the lake). A drop or jump of more than "
            f"{source.max_volume_change:.0%} blocks: the vintage's partition is not replaced and downstream "
            f"assets are not rebuilt. Accept an expected change with the run tag {ACCEPT_VOLUME_TAG}={source.name}."
        ),
        **kwargs,
    )


def check_specs(sources: tuple[Source, ...] = SOURCES) -> list[dg.AssetCheckSpec]:
    return [spec for s in sources for spec in (check_spec(s), columns_check_spec(s), volume_check_spec(s))]


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
    elif rejects_block(source, result):
        passed, severity = False, dg.AssetCheckSeverity.ERROR
        summary = (
            f"{result.rows_rejected} of {result.rows_in} rows rejected ({rate:.2%}), above the threshold of "
            f"{threshold:.2%} for {source.name}: the partition is not replaced and downstream assets are blocked."
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


QUALITY_CHECK = CHECK_NAME  # the blocking validation check, declared by check_spec


def _quality_check(source: Source, ingested: list[IngestedRelease], unavailable: dict[int, str]) -> dg.AssetCheckResult:
    """One check result for the asset: that of its worst vintage (a failed one first, then the
    highest reject rate), with the vintage named."""
    if not ingested:
        check = dg.AssetCheckResult(passed=True, metadata={"status": "unavailable", "reason": "; ".join(unavailable.values())})
    else:
        def badness(item: IngestedRelease) -> float:
            return item.result.rows_rejected / max(item.result.rows_in, 1)

        results = [(quality_check_result(source, i.result), i) for i in ingested]
        check, worst = min(results, key=lambda pair: (pair[0].passed, -badness(pair[1])))
        metadata = {**check.metadata, "millesime": worst.release.millesime}
        if worst.blocked_rejects is not None and rejects_block(source, worst.result):
            # the attempt's rejects, kept beside the last good run's (ingest.vintages.hold_back)
            metadata["rejects_file"] = dg.MetadataValue.path(str(worst.blocked_rejects))
            check = check._replace(description=f"{check.description} Rejects (rule, column, value): {worst.blocked_rejects}")
        check = check.with_metadata(metadata)
    return check._replace(check_name=QUALITY_CHECK, asset_key=dg.AssetKey(source.asset_name))


def volume_check_result(source: Source, ingested: list[IngestedRelease]) -> dg.AssetCheckResult:
    """The ``volume_attendu`` result of one materialization: that of its worst vintage (a blocked
    one first, then the largest change), its message naming source, file, vintage and both counts."""
    checks = [i.volume for i in ingested if i.volume is not None]
    key = dg.AssetKey(source.asset_name)
    if not checks:
        return dg.AssetCheckResult(passed=True, asset_key=key, check_name=VOLUME_CHECK_NAME,
                                   metadata={"status": "unavailable"}, description="No file read: nothing to count.")
    worst = min(checks, key=lambda c: (not c.blocks, -abs(c.change or 0.0)))
    metadata = {
        "file": worst.file_name,
        "millesime": worst.millesime,
        "rows_read": dg.MetadataValue.int(worst.rows),
        "compared_with": worst.previous.basis,
        "max_volume_change": dg.MetadataValue.float(float(worst.tolerance)),
        "rows_by_millesime": dg.MetadataValue.json(
            {str(c.millesime): {"rows": c.rows, "previous": c.previous.rows, "previous_millesime": c.previous.millesime}
             for c in checks}
        ),
    }
    if worst.previous.rows is not None:
        metadata["previous_rows"] = dg.MetadataValue.int(worst.previous.rows)
        metadata["previous_millesime"] = worst.previous.millesime
    if worst.accepted and worst.beyond:
        metadata["accepted_by_tag"] = ACCEPT_VOLUME_TAG
    return dg.AssetCheckResult(
        passed=not worst.blocks,
        asset_key=key,
        check_name=VOLUME_CHECK_NAME,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=worst.message,
    )


def _columns_check(source: Source, ingested: list[IngestedRelease]) -> dg.AssetCheckResult:
    if not ingested:
        return dg.AssetCheckResult(passed=True, check_name=COLUMNS_CHECK_NAME, asset_key=dg.AssetKey(source.asset_name),
                                   metadata={"status": "unavailable"})
    return columns_check_result(source, [i.result for i in ingested])


def _raw_description(source: Source) -> str:
    lines = [
        f"{source.title}.",
        "",
        f"Publisher: {source.publisher}. Licence: {source.licence}. Dataset: {source.page}",
        f"Vintages: {', '.join(str(m) for m in source.millesimes)}. Live size: {source.approx_size or 'n/a'}.",
    ]
    if source.notes:
        lines += ["", source.notes]
    return "\n".join(lines)


def build_raw_asset(source: Source) -> dg.AssetsDefinition:
    newest = source.releases[0]
    partitions_def = vintage_partitions(source)

    with warnings.catch_warnings():
        # backfill_policy is a beta parameter in Dagster 1.13; say it once here, not on every load
        warnings.simplefilter("ignore", dg.BetaWarning)

        @dg.asset(
            name=source.asset_name,
            group_name="raw",
            kinds={"python", "pandera", "parquet"},
            description=_raw_description(source),
            metadata={
                "publisher": source.publisher,
                "licence": source.licence,
                "dataset_page": dg.MetadataValue.url(source.page),
                "dagster/column_schema": table_schema(source, newest.millesime),
            },
            check_specs=[check_spec(source), columns_check_spec(source), volume_check_spec(source)],
            # a siren_filter source is read for the SIRENs of other raw tables: they come first
            deps=[f"raw_{name}" for name in source.siren_filter.sources] if source.siren_filter else None,
            tags={"source": source.name},
            partitions_def=partitions_def,
            backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        )
        def _raw_asset(context: AssetExecutionContext) -> dg.MaterializeResult:
            mode = get_mode()
            releases = [source.release(int(k)) for k in context.partition_keys] if partitions_def else list(source.releases)
            try:
                return _materialize(source, releases, get_paths(), mode, context.log, force=forced(context.run.tags),
                                    accept_volume=accepts_volume(context.run.tags, source.name))
            except Exception as exc:
                if mode == "live" and retry_allowed(exc) and context.retry_number < NETWORK_RETRY.max_retries:
                    # Requested here rather than by a retry_policy on the asset: Dagster retries a
                    # step with a policy when it is interrupted too, and Ctrl-C must stop the run.
                    raise dg.RetryRequested(
                        max_retries=NETWORK_RETRY.max_retries,
                        seconds_to_wait=NETWORK_RETRY.calculate_delay(context.retry_number + 1),
                    ) from exc
                raise dg.Failure(description=f"{type(exc).__name__}: {exc}", allow_retries=False) from exc

    return _raw_asset


def _materialize(source: Source, releases: list[Release], paths: Paths, mode: str, log, *, force: bool = False,
                 accept_volume: bool = False) -> dg.MaterializeResult:
    """``force`` (a run tagged ``ti/force``): unchanged vintages are read again too (the checks
    still apply). ``accept_volume`` (tag ``ti/accept-volume``): a change of rows beyond the
    tolerance does not block."""
    ingested, unavailable = ingest_vintages(source, releases, paths, mode, log=log, reuse=not force,
                                            accept_volume=accept_volume)
    check = _quality_check(source, ingested, unavailable)
    skipped = [i for i in ingested if i.skipped]
    metadata = {
        "mode": mode,
        "read_seconds": round(sum(i.seconds.get("read", 0.0) for i in ingested), 3),
        "validate_seconds": round(sum(i.seconds.get("validate", 0.0) for i in ingested), 3),
        "write_seconds": round(sum(i.seconds.get("write", 0.0) for i in ingested), 3),
        "skipped_vintages": ", ".join(str(i.release.millesime) for i in skipped) or "none",
        "millesimes": ", ".join(str(i.release.millesime) for i in ingested) or "none",
        # summed over the run's vintages (a backfill of a range is one run)
        "dagster/row_count": sum(i.result.rows_valid for i in ingested),
        "rows_valid_by_millesime": dg.MetadataValue.json({str(i.release.millesime): i.result.rows_valid for i in ingested}),
        "rows_in": sum(i.result.rows_in for i in ingested),
        "rows_rejected": sum(i.result.rows_rejected for i in ingested),
        "files": dg.MetadataValue.md(
            "\n".join(
                f"- {i.release.millesime}: `{i.provenance.get('file_name')}` sha256 `{str(i.provenance.get('sha256'))[:12]}…` "
                f"from {i.provenance.get('url')}"
                for i in ingested
            )
            or "none"
        ),
        "raw_path": dg.MetadataValue.path(str(paths.raw / source.name)),
    }
    if source.counted_by:
        # e.g. Flores: rows per geography level, of which only COM and ARM are read downstream
        metadata[f"rows_by_{source.counted_by}"] = dg.MetadataValue.json(
            {str(i.release.millesime): i.result.counts for i in ingested}
        )
    if source.siren_filter:
        metadata["filter"] = "; ".join(
            f"{i.release.millesime}: {i.read_info.get('filter', 'n/a')}, {i.result.rows_in} of "
            f"{i.read_info.get('rows_in_file', '?')} rows of the file"
            for i in ingested
        ) or "none"
    blocked = [i for i in ingested if i.blocked]
    if blocked:
        metadata["blocked_vintages"] = ", ".join(str(i.release.millesime) for i in blocked)
        metadata["blocked"] = dg.MetadataValue.md("\n".join(
            f"- {i.release.millesime}: partition not replaced ({'; '.join(i.blocked)}); the attempt's rejects: "
            f"`{i.blocked_rejects}`" for i in blocked
        ))
    if skipped:
        metadata["skipped_reason"] = "file sha256, catalog declaration and code unchanged since the partition was written"
    if unavailable:
        metadata["unavailable"] = "; ".join(f"{m}: {r}" for m, r in unavailable.items())
    added = {str(i.release.millesime): i.result.added_columns for i in ingested if i.result.added_columns}
    if added:
        metadata["added_columns"] = dg.MetadataValue.json(added)
        if log:
            for millesime, columns in added.items():
                log.warning(
                    f"{source.name} {millesime}: columns added by the publisher, not kept: {', '.join(columns)} "
                    f"(check {COLUMNS_CHECK_NAME})"
                )
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[check, _columns_check(source, ingested), volume_check_result(source, ingested)],
    )


RAW_ASSETS: list[dg.AssetsDefinition] = [build_raw_asset(s) for s in SOURCES]
