"""Raw assets: one ``raw_<source>`` Dagster asset per catalog source, a thin edge over ``ingest``.

Each asset ingests the vintages of its run (``ingest.ingest_vintages``: obtain the file, read it
with the real-format readers, validate it against the source's pandera schema, write the valid rows
to the raw Parquet lake and the rejected rows, with their reason, to the rejects table) and turns
the outcome into Dagster's: a blocking validation check (``lignes_valides``), a WARN check naming
the columns the publisher added (``colonnes_attendues``), and the materialization's metadata (rows, rejects, files, where the time went: ``read_seconds``,
``validate_seconds``, ``write_seconds``, and the vintages found unchanged and kept,
``skipped_vintages``; a run tagged ``ti/force`` reads every vintage again).

Sources published per year are partitioned by vintage (``orchestration.partitions``): a run
materializes the vintages of its partition key or range (single-run backfill policy, so a backfill
of several vintages is one run that validates them all before writing any), and each vintage's
lake folder is replaced whole. Other sources read their one release each run. A source with a
``siren_filter`` (Sirene) depends on the raw assets whose SIRENs it is read for.

In live mode a failed download is retried by Dagster (``RetryRequested`` with ``NETWORK_RETRY``'s
delays); any other failure is final (``Failure(allow_retries=False)``): trying a missing sample
file or a drifted schema again cannot help. An interrupt (Ctrl-C) is neither: it stops the run.

Not here: the ingestion itself (``ingest``, plain functions), the up-to-date state (``raw_state``).
"""


import warnings

import dagster as dg
from dagster import AssetExecutionContext

from ti_pipeline.assets.ingest import IngestedRelease, ingest_vintages
from ti_pipeline.config import Paths, forced, get_mode, get_paths
from ti_pipeline.orchestration.partitions import vintage_partitions
from ti_pipeline.orchestration.policies import NETWORK_RETRY, retry_allowed
from ti_pipeline.sources.catalog import SOURCES, Release, Source
from ti_pipeline.validation.checks import (
    CHECK_NAME,
    COLUMNS_CHECK_NAME,
    check_spec,
    columns_check_result,
    columns_check_spec,
    quality_check_result,
    table_schema,
)

QUALITY_CHECK = CHECK_NAME  # the blocking validation check, declared by validation.check_spec


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
        check = check.with_metadata({**check.metadata, "millesime": worst.release.millesime})
    return check._replace(check_name=QUALITY_CHECK, asset_key=dg.AssetKey(source.asset_name))


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
            check_specs=[check_spec(source), columns_check_spec(source)],
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
                return _materialize(source, releases, get_paths(), mode, context.log, force=forced(context.run.tags))
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


def _materialize(source: Source, releases: list[Release], paths: Paths, mode: str, log, *, force: bool = False) -> dg.MaterializeResult:
    """``force`` (a run tagged ``ti/force``): unchanged vintages are read again too."""
    ingested, unavailable = ingest_vintages(source, releases, paths, mode, log=log, reuse=not force)
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
    return dg.MaterializeResult(metadata=metadata, check_results=[check, _columns_check(source, ingested)])


RAW_ASSETS: list[dg.AssetsDefinition] = [build_raw_asset(s) for s in SOURCES]
