"""Volume checks: the rows read for a vintage against those of the partition it would replace.

What belongs here: ``previous_count`` (what to compare with, from the provenance the lake keeps
in each raw partition: ``rows_in``, the rows read from the file) and ``judge_volume`` (the
verdict, a ``VolumeCheck``), plain functions that the ingestion uses before it promotes a
vintage's partition and that the raw assets' blocking check ``volume_attendu`` reports.

What a vintage is compared with, in order:
1. the previous ingestion of the same vintage (its partition in the lake): a file republished
   with half its rows, or cut at a line boundary, is caught here;
2. for a vintage's first ingestion, the nearest other vintage in the lake (the previous one,
   else the next one): a new year of a source has about as many rows as the last;
3. nothing, for a source's first ingestion ever: the check passes and says so.

The rows counted are those read from the file (``rows_in``), valid or rejected; for a source read
for some companies only (``siren_filter``: Sirene), those of the whole file (``rows_in_file``), since
the rows kept follow the lauréat lists, not the file.

The change is ``rows / previous - 1``; beyond the source's ``max_volume_change`` either way (a
drop or a jump), the vintage is blocked: its partition is not replaced, and the message gives
both counts, the source, the file and the vintage. ``--force`` does not bypass it (it rebuilds,
it does not accept bad data). A legitimate big change is accepted for one run with the run tag
``ti/accept-volume`` (``config.ACCEPT_VOLUME_TAG``: the source names, or ``true`` for all);
a lasting one by raising the source's ``max_volume_change`` in the catalog.

Nothing here imports Dagster or pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

from ti_pipeline import lake
from ti_pipeline.config import ACCEPT_VOLUME_TAG, Paths
from ti_pipeline.sources.catalog import Source

SAME_VINTAGE = "same_vintage"
OTHER_VINTAGE = "other_vintage"
FIRST_INGESTION = "first_ingestion"


@dataclass(frozen=True)
class Previous:
    """What a vintage's rows are compared with: a count, the vintage it is of, and why that one."""

    rows: int | None
    millesime: int | None
    basis: str  # SAME_VINTAGE, OTHER_VINTAGE or FIRST_INGESTION


@dataclass(frozen=True)
class VolumeCheck:
    source: str
    millesime: int
    file_name: str
    rows: int
    previous: Previous
    tolerance: float
    accepted: bool = False  # the run accepts a change beyond the tolerance (ACCEPT_VOLUME_TAG)

    @property
    def change(self) -> float | None:
        """Relative change of the rows (0.5: half as many again; -0.5: half gone); None with
        nothing to compare with."""
        before = self.previous.rows
        if before is None:
            return None
        if before == 0:
            return 0.0 if self.rows == 0 else float("inf")
        return self.rows / before - 1

    @property
    def beyond(self) -> bool:
        """The change is beyond the tolerance."""
        change = self.change
        return change is not None and abs(change) > self.tolerance

    @property
    def blocks(self) -> bool:
        return self.beyond and not self.accepted

    @property
    def message(self) -> str:
        where = f"source {self.source!r}, file {self.file_name!r}, millésime {self.millesime}"
        previous = self.previous
        if previous.basis == FIRST_INGESTION:
            return f"{where}: {self.rows} rows read; first ingestion of the source, nothing to compare with."
        against = (
            "the previous ingestion of this millésime" if previous.basis == SAME_VINTAGE
            else f"millésime {previous.millesime} (first ingestion of this millésime)"
        )
        change = self.change
        change_text = "+inf" if change == float("inf") else f"{change:+.1%}"
        counts = f"{self.rows} rows read, {previous.rows} in {against} ({change_text})"
        if not self.beyond:
            return f"{where}: {counts}, within the tolerance of ±{self.tolerance:.0%}."
        if self.accepted:
            return (f"{where}: {counts}, beyond the tolerance of ±{self.tolerance:.0%}, accepted for this run "
                    f"(tag {ACCEPT_VOLUME_TAG}).")
        return (
            f"{where}: {counts}, beyond the tolerance of ±{self.tolerance:.0%} declared for {self.source}: "
            f"the partition is not replaced. If the change is expected, run again with the tag "
            f"{ACCEPT_VOLUME_TAG}={self.source}, or raise max_volume_change in ti_pipeline/sources/catalog/."
        )


def counted_rows(source: Source, rows_in: int, read_info: dict) -> int:
    """The rows a volume check counts (see module): read from the file, or in the whole file for a
    ``siren_filter`` source."""
    if source.siren_filter is not None and read_info.get("rows_in_file") is not None:
        return int(read_info["rows_in_file"])
    return int(rows_in)


def previous_count(paths: Paths, source: Source, millesime: int) -> Previous:
    """The rows read for the partition that the vintage ``millesime`` would replace, else for the
    nearest other vintage in the lake (the previous one first), else nothing (see module)."""
    counts: dict[int, int] = {}
    for record in lake.read_provenance(paths, source.name):
        # an "unavailable" partition (a source with no public file) counted nothing
        if record.get("status") == "unavailable" or "rows_in" not in record or "millesime" not in record:
            continue
        counts[int(record["millesime"])] = counted_rows(source, record["rows_in"], record.get("read") or {})
    if millesime in counts:
        return Previous(counts[millesime], millesime, SAME_VINTAGE)
    if not counts:
        return Previous(None, None, FIRST_INGESTION)
    older = [m for m in counts if m < millesime]
    nearest = max(older) if older else min(counts)
    return Previous(counts[nearest], nearest, OTHER_VINTAGE)


def judge_volume(
    source: Source, millesime: int, file_name: str, rows: int, previous: Previous, *, accepted: bool = False
) -> VolumeCheck:
    """The volume verdict of a vintage (``rows`` read from ``file_name``) against ``previous``."""
    return VolumeCheck(source.name, millesime, file_name, rows, previous, source.max_volume_change, accepted)


__all__ = ["counted_rows", "FIRST_INGESTION", "OTHER_VINTAGE", "Previous", "SAME_VINTAGE", "VolumeCheck", "judge_volume", "previous_count"]
