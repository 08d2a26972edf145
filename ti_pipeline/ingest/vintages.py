"""Ingesting a source's vintages: obtain, read, validate, write the raw lake. Plain, no Dagster.

For each vintage (``ingest_release``): the file is obtained (the sample, or a live download), read
with the real-format readers, validated against the source's pandera schema; then
(``publish_release``) the valid rows are written to the raw Parquet lake and the rejected rows,
with their reason, to the rejects table. ``ingest_vintages`` does it for the vintages of one run:
every vintage read and validated before any is written, so that a schema drift in one leaves the
whole source as it was and downstream models keep their previous inputs.

A vintage whose file (sha256) and reading/validation code and catalog declaration (the
``fingerprint``, ``state``) are those recorded in its raw partition's provenance is not read
again: its partition and rejects stay as they are (``skipped``). Any change of the file, the
source's declaration or the code of readers, validation or lake reads it again. Each vintage
records where its time went (``seconds``: read, validate, write).

A Parquet file of more than ``BATCH_ROWS`` rows (1 M) is read, validated and written in batches of
that many rows (``readers.iter_parquet_batches`` -> ``validate`` -> ``lake.StagedParquet``), so that
memory stays bounded whatever the file's size; rows keep their position in the file (``_row`` of
the rejects), and the staged file replaces the partition only when every vintage of the run has
been validated. Drift is judged batch by batch, the first batch first.

A source with a ``siren_filter`` (Sirene: 40 M establishments, of which the pipeline uses the
lauréats' companies) is read for the SIRENs found in the raw tables of the lauréat sources only
(``state.filter_sirens``): DuckDB pushes the filter into the Parquet scan, and only those rows are
validated and kept; its fingerprint includes the SIRENs, so new lauréats read it again.

Stage, then promote: before anything is written, each vintage passes its blocking checks
(``judge``: the reject rate of ``lignes_valides``, the row count of ``volume_attendu``). A blocked
vintage's partition and rejects stay those of the last good run, byte for byte; the attempt's
rejects and reasons go to ``lake/blocked/`` (``hold_back``), so that nothing is lost and the
partition keeps describing one file.

Not here: the Dagster asset, its check and metadata (``ti_pipeline.defs.raw``), whether a vintage
is up to date (``state``). Nothing here imports Dagster: a process that only ingests (a benchmark
peer, a script) does not pay for it.
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ti_pipeline import lake
from ti_pipeline.ingest.state import obtain_and_compare
from ti_pipeline.config import Paths
from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.ingest.obtain import SourceUnavailable
from ti_pipeline.ingest.volume import VolumeCheck, counted_rows, judge_volume, previous_count
from ti_pipeline.sources.readers import iter_parquet_batches, parquet_row_count, read_release
from ti_pipeline.validation import schemas
from ti_pipeline.validation.validate import ValidationResult, rejects_block, validate


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
    volume: VolumeCheck | None = None  # rows read against the partition it would replace (``volume``)
    blocked: list[str] = field(default_factory=list)  # why its partition was not replaced; empty: promoted
    blocked_rejects: Path | None = None  # the blocked attempt's rejects file (``lake.write_blocked``)


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
        added_columns=list(provenance.get("added_columns", [])),
        ignored_columns=list(provenance.get("ignored_columns", [])),
        absent_optional_columns=list(provenance.get("absent_optional_columns", [])),
        failures=failures,
        counts=dict(provenance.get("counts", {})),
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
    """Obtain, read and validate one vintage, and stage its valid rows (``_stage_valid``): nothing
    is in place until ``publish_release``.

    With ``reuse``, a vintage whose partition was built from the same file, declaration and code
    is not read: the result is the recorded one and ``skipped`` is True."""
    compared = obtain_and_compare(source, release, paths, mode, log)
    obtained, sirens, fingerprint = compared.obtained, compared.sirens, compared.fingerprint
    release = compared.release  # a rolling file says its own millésime
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
    read_info = read.info
    result = validate(
        source,
        release.millesime,
        read.frame,
        file_name=release.file_name,
        all_columns=read.info.get("all_columns"),
    )
    seconds = {"read": read_seconds, "validate": time.perf_counter() - started - read_seconds}
    del read  # the file as read: only the validated rows are needed now
    started = time.perf_counter()
    staged = _stage_valid(source, release, paths, result)
    seconds["write"] = time.perf_counter() - started
    return IngestedRelease(source, release, result, dict(obtained.provenance), dict(read_info),
                           fingerprint=fingerprint or "", seconds=seconds, staged=staged)


def _stage_valid(source: Source, release: Release, paths: Paths, result: ValidationResult) -> "lake.StagedParquet":
    """Write a vintage's valid rows beside its partition, not yet in place (``publish_release``
    commits them, ``hold_back`` discards them), and drop them from memory: a run reading several
    vintages of a source (three Flores vintages, 7 M rows each at national scale) then holds one
    vintage's rows at a time, not all of them, while still judging every vintage before it
    replaces any partition."""
    valid = _with_cog_year(result.valid, release)
    staged = lake.StagedParquet(
        paths.raw_partition(source.name, release.millesime) / "data.parquet",
        column_descriptions=_descriptions(source, release, valid.columns),
    )
    try:
        staged.write(lake.frame_to_table(valid))
    except BaseException:
        staged.discard()
        raise
    result.valid = result.valid.iloc[0:0]  # its columns stay: the asset's column schema reads them
    return staged


def publish_release(ingested: IngestedRelease, paths: Paths) -> None:
    """Replace the raw table and the rejects of the vintage (a re-run never duplicates rows)."""
    if ingested.skipped:
        return
    started = time.perf_counter()
    source, release = ingested.source, ingested.release
    provenance = _provenance(ingested)
    ingested.staged.commit({lake.PROVENANCE_KEY.decode(): provenance})  # staged when read
    ingested.staged = None
    lake.write_rejects(paths, source.name, release.millesime, ingested.result.rejects)
    lake.remove_blocked(paths, source.name, release.millesime)  # an earlier blocked attempt is resolved
    if source.vintage_from_columns is not None:
        # a rolling file holds the whole series: its partition supersedes the older ones
        lake.remove_other_partitions(paths, source.name, keep=release.millesime)
    ingested.seconds["write"] = ingested.seconds.get("write", 0.0) + time.perf_counter() - started


def judge(ingested: IngestedRelease, paths: Paths, *, accept_volume: bool = False) -> list[str]:
    """The blocking checks of a vintage before its partition may be replaced: its rejects
    (``lignes_valides``: above the source's ``max_reject_rate``) and its volume (``volume_attendu``:
    rows read against the partition it would replace, ``volume``). Sets and returns
    ``ingested.blocked``, the reasons (empty: the vintage may be promoted)."""
    source, release, result = ingested.source, ingested.release, ingested.result
    rows = counted_rows(source, result.rows_in, ingested.read_info)
    ingested.volume = judge_volume(source, release.millesime, release.file_name, rows,
                                   previous_count(paths, source, release.millesime), accepted=accept_volume)
    reasons = []
    if rejects_block(source, result):
        reasons.append(
            f"lignes_valides: {result.rows_rejected} of {result.rows_in} rows rejected ({result.reject_rate:.2%}), "
            f"above the threshold of {source.max_reject_rate:.2%} for {source.name}"
        )
    if ingested.volume.blocks:
        reasons.append(f"volume_attendu: {ingested.volume.message}")
    ingested.blocked = reasons
    return reasons


def hold_back(ingested: IngestedRelease, paths: Paths) -> None:
    """A blocked vintage: its partition and rejects stay those of the last good run; the attempt's
    rejects (rule, column, value, the rows as read) and why it was blocked go to
    ``lake/blocked/<source>/millesime=<YYYY>/rejects.parquet``, replaced by each blocked attempt and
    removed when the vintage is promoted."""
    if ingested.staged is not None:
        ingested.staged.discard()
        ingested.staged = None
    if ingested.skipped:
        return
    result = ingested.result
    details = {
        **{k: ingested.provenance.get(k) for k in ("url", "sha256", "file_name", "retrieved_at") if k in ingested.provenance},
        "source": ingested.source.name,
        "millesime": ingested.release.millesime,
        "file": ingested.release.file_name,
        "reasons": ingested.blocked,
        "rows_in": result.rows_in,
        "rows_valid": result.rows_valid,
        "rows_rejected": result.rows_rejected,
        "failure_counts": [[r, c, n] for (r, c), n in sorted(result.failure_counts.items())],
    }
    ingested.blocked_rejects = lake.write_blocked(paths, ingested.source.name, ingested.release.millesime,
                                                  result.rejects, details)


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
        "added_columns": ingested.result.added_columns,
        "ignored_columns": ingested.result.ignored_columns,
        "absent_optional_columns": ingested.result.absent_optional_columns,
        "counts": ingested.result.counts,
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
    value_counts: dict[str, int] = {}
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
                for value, n in result.counts.items():
                    value_counts[value] = value_counts.get(value, 0) + n
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
        added_columns=first.added_columns,
        ignored_columns=first.ignored_columns,
        absent_optional_columns=first.absent_optional_columns,
        failures=pd.concat(failures, ignore_index=True) if failures else None,
        counts=value_counts,
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


def ingest_vintages(
    source: Source, releases: list[Release], paths: Paths, mode: str, log=None, *, reuse: bool = True,
    accept_volume: bool = False,
) -> tuple[list[IngestedRelease], dict[int, str]]:
    """Ingest ``releases`` of ``source`` (one run's vintages) and publish them: every vintage read
    and validated before any is written, so that a drift in one leaves the whole source as it was.
    Stage, then promote: a vintage replaces its partition only if its blocking checks pass
    (``judge``); a blocked one leaves it as it was (``hold_back``), and so is tried again by the
    next run (its partition's fingerprint is still the old file's).

    Returns the ingested vintages and, for those whose file is not public (``SourceUnavailable``,
    published as an empty table that says so), the reason. ``log``: a logger (``info``, ``warning``).
    ``reuse=False`` (a forced run): every vintage is read again, even an unchanged one.
    ``accept_volume`` (run tag ``ti/accept-volume``): a change of rows beyond the tolerance does not block."""
    ingested: list[IngestedRelease] = []
    unavailable: dict[int, str] = {}
    try:
        for release in releases:
            try:
                ingested.append(ingest_release(source, release, paths, mode, log=log.info if log else None, reuse=reuse))
            except SourceUnavailable as exc:
                unavailable[release.millesime] = str(exc)
                if log:
                    log.warning(str(exc))
    except BaseException:
        for item in ingested:
            if item.staged is not None:
                item.staged.discard()  # a later vintage drifted: the staged one must not land
        raise
    for item in ingested:
        judge(item, paths, accept_volume=accept_volume)
    for item in ingested:
        if item.blocked:
            hold_back(item, paths)
            if log:
                log.warning(f"{source.name} {item.release.millesime}: blocked, partition not replaced ("
                            + "; ".join(item.blocked) + f"); the attempt's rejects are in {item.blocked_rejects}")
        else:
            publish_release(item, paths)
    for millesime, reason in unavailable.items():
        publish_unavailable(source, source.release(millesime), paths, reason)
    return ingested, unavailable
