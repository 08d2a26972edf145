"""Raw assets: one ``raw_<source>`` Dagster asset per catalog source.

Each asset obtains the file of a vintage (the sample, or a live download), reads it with the
real-format readers, validates it against the source's pandera schema, and writes the valid rows to
the raw Parquet lake and the rejected rows, with their reason, to the rejects table. A schema drift
stops the asset before anything is written, so downstream models keep their previous inputs.

Sources published per year are partitioned by vintage (``orchestration.partitions``): a run
materializes the vintages of its partition key or range (single-run backfill policy, so a backfill
of several vintages is one run that validates them all before writing any), and each vintage's
lake folder is replaced whole. Other sources read their one release each run.

A vintage whose file (sha256) and reading/validation code and catalog declaration (the
``fingerprint``, ``raw_state``) are those recorded in its raw partition's provenance is not read again: its
partition and rejects stay as they are, and the materialization says so (``skipped_vintages``).
Any change of the file, the source's declaration or the code of readers, validation or lake reads
it again. Each materialization records where its time went: ``read_seconds``,
``validate_seconds``, ``write_seconds``.

A Parquet file of more than ``BATCH_ROWS`` rows (1 M) is read, validated and written in batches of
that many rows (``readers.iter_parquet_batches`` -> ``validate`` -> ``lake.StagedParquet``), so that
memory stays bounded whatever the file's size; rows keep their position in the file (``_row`` of
the rejects), and the staged file replaces the partition only when every vintage of the run has
been validated. Drift is judged batch by batch, the first batch first.

A source with a ``siren_filter`` (Sirene: 40 M establishments, of which the pipeline uses the
lauréats' companies) is read for the SIRENs found in the raw tables of the lauréat sources only
(``raw_state.filter_sirens``): DuckDB pushes the filter into the Parquet scan, and only those rows are
validated and kept. The asset depends on those raw assets, and its fingerprint includes the SIRENs,
so new lauréats read it again.

In live mode a failed download is retried by Dagster (``RetryRequested`` with ``NETWORK_RETRY``'s
delays); any other failure is final (``Failure(allow_retries=False)``): trying a missing sample
file or a drifted schema again cannot help. An interrupt (Ctrl-C) is neither: it stops the run.

The logic lives in ``ingest_release`` (a plain function); the Dagster decorator is the thin edge.
"""


import os
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import dagster as dg
from dagster import AssetExecutionContext

from ti_pipeline import lake
from ti_pipeline.assets.raw_state import obtain_and_compare
from ti_pipeline.config import Paths, get_mode, get_paths
from ti_pipeline.orchestration.partitions import vintage_partitions
from ti_pipeline.orchestration.policies import NETWORK_RETRY, retry_allowed
from ti_pipeline.sources.catalog import SOURCES, Release, Source
from ti_pipeline.sources.obtain import SourceUnavailable
from ti_pipeline.sources.readers import iter_parquet_batches, parquet_row_count, read_release
from ti_pipeline.validation import schemas
from ti_pipeline.validation import (
    CHECK_NAME,
    ValidationResult,
    check_spec,
    quality_check_result,
    table_schema,
    validate,
)

QUALITY_CHECK = CHECK_NAME  # the blocking validation check, declared by validation.check_spec


@dataclass
class IngestedRelease:
    source: Source
    release: Release
    result: ValidationResult
    provenance: dict
    read_info: dict
    fingerprint: str = ""
    skipped: bool = False  # unchanged since the partition was written: nothing to read or write
    seconds: dict = field(default_factory=dict)  # read, validate, write
    staged: "lake.StagedParquet | None" = None  # batched vintages: valid rows already written, not yet in place


# A Parquet source above this many rows is processed in batches of this many rows.
BATCH_ROWS = int(os.environ.get("TI_RAW_BATCH_ROWS", 1_000_000))


def _recorded_result(source: Source, release: Release, paths: Paths, provenance: dict) -> ValidationResult:
    """The validation result of an unchanged vintage, from its provenance and rejects file."""
    import pandas as pd

    rejects = pd.read_parquet(paths.rejects_partition(source.name, release.millesime) / "rejects.parquet")
    failures = rejects[["_row", "_rule", "_column", "_value"]].copy() if len(rejects) else None
    return ValidationResult(
        valid=pd.DataFrame(),
        rejects=rejects,
        rows_in=int(provenance.get("rows_in", 0)),
        rows_valid=int(provenance.get("rows_valid", 0)),
        rows_rejected=int(provenance.get("rows_rejected", 0)),
        failure_counts={(r, c): int(n) for r, c, n in provenance.get("failure_counts", [])},
        source=source.name,
        millesime=release.millesime,
        file_name=release.file_name,
        dropped_columns=list(provenance.get("dropped_columns", [])),
        absent_optional_columns=list(provenance.get("absent_optional_columns", [])),
        failures=failures,
    )


def ingest_release(
    source: Source,
    release: Release,
    paths: Paths,
    mode: str,
    log: Callable[[str], None] | None = None,
    *,
    reuse: bool = True,
) -> IngestedRelease:
    """Obtain, read and validate one vintage. Writes nothing: see ``publish_release``.

    With ``reuse``, a vintage whose partition was built from the same file, declaration and code
    is not read: the result is the recorded one and ``skipped`` is True."""
    compared = obtain_and_compare(source, release, paths, mode, log)
    obtained, sirens, fingerprint = compared.obtained, compared.sirens, compared.fingerprint
    recorded = compared.recorded if reuse else None
    if recorded is not None:
        result = _recorded_result(source, release, paths, recorded)
        return IngestedRelease(source, release, result, dict(obtained.provenance), dict(recorded.get("read", {})),
                               fingerprint=fingerprint, skipped=True)
    if sirens is not None or (source.fmt == "parquet" and (parquet_row_count(obtained.path) or 0) > BATCH_ROWS):
        return _ingest_in_batches(source, release, paths, obtained.path, dict(obtained.provenance), fingerprint or "",
                                  sirens=sirens)
    started = time.perf_counter()
    read = read_release(source, release, obtained.path)
    read_seconds = time.perf_counter() - started
    result = validate(
        source,
        release.millesime,
        read.frame,
        file_name=release.file_name,
        all_columns=read.info.get("all_columns"),
    )
    seconds = {"read": read_seconds, "validate": time.perf_counter() - started - read_seconds}
    return IngestedRelease(source, release, result, dict(obtained.provenance), dict(read.info),
                           fingerprint=fingerprint or "", seconds=seconds)


def publish_release(ingested: IngestedRelease, paths: Paths) -> None:
    """Replace the raw table and the rejects of the vintage (a re-run never duplicates rows)."""
    if ingested.skipped:
        return
    started = time.perf_counter()
    source, release = ingested.source, ingested.release
    provenance = _provenance(ingested)
    if ingested.staged is not None:
        ingested.staged.commit({lake.PROVENANCE_KEY.decode(): provenance})
        ingested.staged = None
    else:
        valid = _with_cog_year(ingested.result.valid, release)
        lake.write_raw(paths, source.name, release.millesime, valid,
                       provenance=provenance, column_descriptions=_descriptions(source, release, valid.columns))
    lake.write_rejects(paths, source.name, release.millesime, ingested.result.rejects)
    ingested.seconds["write"] = ingested.seconds.get("write", 0.0) + time.perf_counter() - started


def _with_cog_year(valid, release: Release):
    # Every raw table carries the COG year of its commune codes (DESIGN.md decision 3); the
    # millésime itself is the hive partition folder.
    # assign, not copy-then-set: pandas' copy-on-write shares the validated columns instead of
    # copying all of them (0.65 s for the national Urssaf file)
    return valid.assign(annee_cog=release.cog_year)


def _descriptions(source: Source, release: Release, columns=None) -> dict:
    """Parquet column descriptions from the catalog; with ``columns``, regex-named families
    (``CODGEO_2024``, ``effectifs_salaries_2019``) are described too."""
    if columns is None:
        columns = [f.name for f in source.fields_for(release.millesime) if not f.name_is_regex]
    descriptions = schemas.column_descriptions(source, release.millesime, [c for c in columns if c != "annee_cog"])
    descriptions["annee_cog"] = "COG year of the commune codes of this vintage"
    return descriptions


def _provenance(ingested: IngestedRelease) -> dict:
    release = ingested.release
    return {
        **ingested.provenance,
        "millesime": release.millesime,
        "cog_year": release.cog_year,
        "rows_in": ingested.result.rows_in,
        "rows_valid": ingested.result.rows_valid,
        "rows_rejected": ingested.result.rows_rejected,
        "failure_counts": [[r, c, n] for (r, c), n in sorted(ingested.result.failure_counts.items())],
        "dropped_columns": ingested.result.dropped_columns,
        "absent_optional_columns": ingested.result.absent_optional_columns,
        "read": ingested.read_info,
        "fingerprint": ingested.fingerprint or None,
    }


def _ingest_in_batches(
    source: Source, release: Release, paths: Paths, path: Path, provenance: dict, fingerprint: str,
    sirens: list[str] | None = None,
) -> IngestedRelease:
    """Read, validate and stage a large Parquet vintage ``BATCH_ROWS`` rows at a time (with
    ``sirens``, only the rows of those companies)."""
    import pandas as pd

    staged = lake.StagedParquet(
        paths.raw_partition(source.name, release.millesime) / "data.parquet",
        column_descriptions=_descriptions(source, release),
    )
    seconds = {"read": 0.0, "validate": 0.0, "write": 0.0}
    rows_in = rows_valid = 0
    counts: dict = {}
    rejects, failures, first, info = [], [], None, {}
    # Three stages overlap on the machine's cores: the next batch is read (pyarrow: decompression,
    # decoding) and the previous one written (zstd) while this one is validated (pandas). At most
    # three batches are in memory. Seconds are the time this thread waited for each stage.
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"raw-{source.name}") as pool:
            batches = iter_parquet_batches(source, release, path, BATCH_ROWS, sirens=sirens)
            reading = pool.submit(next, batches, None)
            writing = None
            while True:
                started = time.perf_counter()
                read = reading.result()
                seconds["read"] += time.perf_counter() - started
                if read is None:
                    break
                reading = pool.submit(next, batches, None)
                info = read.info
                started = time.perf_counter()
                result = validate(source, release.millesime, read.frame, file_name=release.file_name,
                                  all_columns=read.info.get("all_columns"))
                seconds["validate"] += time.perf_counter() - started
                started = time.perf_counter()
                table = lake.frame_to_table(_with_cog_year(result.valid, release))
                if writing is not None:
                    writing.result()
                writing = pool.submit(staged.write, table)
                seconds["write"] += time.perf_counter() - started
                # _row: the row's position in the file, not in the batch
                row_numbers = read.info["row_numbers"]
                if result.rows_rejected:
                    result.rejects["_row"] = row_numbers[result.rejects["_row"].to_numpy()]
                    rejects.append(result.rejects)
                if result.failures is not None and len(result.failures):
                    failures.append(result.failures.assign(_row=row_numbers[result.failures["_row"].to_numpy()]))
                for key, n in result.failure_counts.items():
                    counts[key] = counts.get(key, 0) + n
                rows_in += result.rows_in
                rows_valid += result.rows_valid
                first = first or result
            if writing is not None:
                started = time.perf_counter()
                writing.result()
                seconds["write"] += time.perf_counter() - started
    except BaseException:
        staged.discard()
        raise
    if first is None:
        staged.discard()
        raise ValueError(f"source {source.name!r}: {path} has no rows")
    combined = ValidationResult(
        valid=pd.DataFrame(),
        rejects=pd.concat(rejects, ignore_index=True) if rejects else first.rejects.iloc[0:0],
        rows_in=rows_in,
        rows_valid=rows_valid,
        rows_rejected=rows_in - rows_valid,
        failure_counts=counts,
        source=source.name,
        millesime=release.millesime,
        file_name=release.file_name,
        dropped_columns=first.dropped_columns,
        absent_optional_columns=first.absent_optional_columns,
        failures=pd.concat(failures, ignore_index=True) if failures else None,
    )
    read_info = {k: v for k, v in info.items() if k not in ("row_numbers", "rows")}
    read_info.update(rows=rows_in, batches=-(-rows_in // BATCH_ROWS), batch_rows=BATCH_ROWS)
    if sirens is not None:
        read_info["sirens"] = len(sirens)
    return IngestedRelease(source, release, combined, provenance, read_info, fingerprint=fingerprint,
                           seconds=seconds, staged=staged)


def publish_unavailable(source: Source, release: Release, paths: Paths, reason: str) -> None:
    """A source with no public file (``synthetic_only``) in live mode: an empty table that says so,
    so that marts report a coverage of zero rather than failing or inventing values."""
    import pandas as pd

    empty = pd.DataFrame({f.name: pd.Series(dtype="string") for f in source.fields_for(release.millesime) if not f.name_is_regex})
    empty["annee_cog"] = pd.Series(dtype="Int64")
    provenance = {"source": source.name, "millesime": release.millesime, "status": "unavailable", "reason": reason}
    lake.write_raw(paths, source.name, release.millesime, empty, provenance=provenance)


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
            check_specs=[check_spec(source)],
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
                return _materialize(source, releases, get_paths(), mode, context.log)
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


def _materialize(source: Source, releases: list[Release], paths: Paths, mode: str, log) -> dg.MaterializeResult:
    ingested: list[IngestedRelease] = []
    unavailable: dict[int, str] = {}
    # Read and validate every vintage before writing any: a drift in one vintage leaves the
    # whole source as it was.
    try:
        for release in releases:
            try:
                ingested.append(ingest_release(source, release, paths, mode, log=log.info))
            except SourceUnavailable as exc:
                unavailable[release.millesime] = str(exc)
                log.warning(str(exc))
    except BaseException:
        for item in ingested:
            if item.staged is not None:
                item.staged.discard()  # a later vintage drifted: the staged one must not land
        raise
    for item in ingested:
        publish_release(item, paths)
    for millesime, reason in unavailable.items():
        publish_unavailable(source, source.release(millesime), paths, reason)

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
    return dg.MaterializeResult(metadata=metadata, check_results=[check])


RAW_ASSETS: list[dg.AssetsDefinition] = [build_raw_asset(s) for s in SOURCES]
