"""Which runs materialize a set of sources and vintages, as plain data.

Dagster runs one partitions definition per run: the vintages of ``raw_rp_emploi`` (2022, 2021) cannot
share a run with those of ``raw_flores_a38`` (2024) or with unpartitioned assets. Sources whose
partitions are the same (the 2025 geography references: COG, EPCI, passage table...) can, and share
one run per set of vintages, so that files they share (the COG zip, the EPCI workbook) are fetched
once. Unpartitioned raw sources share one run; in a refresh (not ``per_vintage``) they join the first
run of vintages instead, as Dagster lets unpartitioned assets share a run with partitioned ones: every
run costs its own bookkeeping (about half a second of events and plan on the sample), and their files
do not depend on a vintage.

``ti-pipeline run`` executes the runs of ``plan_source_runs`` with each run's vintages as one
partition range (the raw assets have a single-run backfill policy); the schedule and the sensor
ask for one run request per vintage (``per_vintage=True``). Here, beside the schedule and the
sensor (``automation``), because they plan with it too; the CLI (``ti_pipeline.launch``) and the
no-orchestration benchmark peer import it without importing Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ti_pipeline.defs.partitions import vintage_keys
from ti_pipeline.sources.catalog import SOURCES, Source

# Dagster's run tags for a partition and a partition range (dagster._core.storage.tags); the range
# tags are what `dagster asset materialize --partition-range` sets.
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


@dataclass(frozen=True)
class PlannedRun:
    """One Dagster run: raw assets and the vintages (partition keys, in partition order) it
    materializes; ``partitions == ()`` for unpartitioned assets. ``unpartitioned``: those of
    ``assets`` that have no vintage, when they share a run of vintages."""

    assets: tuple[str, ...]
    partitions: tuple[str, ...] = ()
    unpartitioned: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        which = f" [{self.partitions[0]}]" if len(self.partitions) == 1 else (
            f" [{self.partitions[0]}...{self.partitions[-1]}]" if self.partitions else ""
        )
        vintaged = [a for a in self.assets if a not in self.unpartitioned]
        also = f" + {', '.join(self.unpartitioned)}" if self.unpartitioned and vintaged else ""
        return ", ".join(vintaged or self.assets) + which + also

    def partition_tags(self) -> dict[str, str]:
        """Run tags selecting the vintages: one partition, or one contiguous range (single run)."""
        if not self.partitions:
            return {}
        if len(self.partitions) == 1:
            return {PARTITION_TAG: self.partitions[0]}
        return {RANGE_START_TAG: self.partitions[0], RANGE_END_TAG: self.partitions[-1]}


def plan_source_runs(selected: Mapping[Source, Sequence[str]], *, per_vintage: bool = False) -> list[PlannedRun]:
    """Runs for ``selected`` (source -> vintages to materialize; ignored for unpartitioned sources).

    By default each group's vintages form one run, a partition range: they must then be a
    contiguous slice of the source's partitions (as ``parse_vintages`` returns them).
    ``per_vintage``: one run per vintage instead (a schedule or sensor run request names one
    partition). Runs come in catalog order.
    """
    groups: dict[tuple, list[str]] = {}
    for source in SOURCES:  # catalog order, whatever the mapping's order
        if source not in selected:
            continue
        keys = vintage_keys(source)
        if not keys:
            groups.setdefault(("unpartitioned",), []).append(source.asset_name)
            continue
        vintages = tuple(k for k in keys if k in set(selected[source]))
        if per_vintage:
            for vintage in vintages:
                groups.setdefault(("partitioned", keys, (vintage,)), []).append(source.asset_name)
        elif vintages:
            _check_contiguous(source, keys, vintages)
            groups.setdefault(("partitioned", keys, vintages), []).append(source.asset_name)
    runs = [
        PlannedRun(tuple(assets), group[2] if group[0] == "partitioned" else ())
        for group, assets in groups.items()
    ]
    alone = next((r for r in runs if not r.partitions), None)
    first = next((r for r in runs if r.partitions), None)
    if per_vintage or alone is None or first is None:
        return runs
    # one run fewer: the unpartitioned sources join the first run of vintages (see the module's doc)
    joined = PlannedRun(first.assets + alone.assets, first.partitions, unpartitioned=alone.assets)
    return [joined if r is first else r for r in runs if r is not alone]


def all_vintages(sources: Iterable[Source]) -> dict[Source, tuple[str, ...]]:
    return {s: vintage_keys(s) for s in sources}


def newest_vintages(sources: Iterable[Source]) -> dict[Source, tuple[str, ...]]:
    return {s: vintage_keys(s)[:1] for s in sources}


def _check_contiguous(source: Source, keys: tuple[str, ...], vintages: tuple[str, ...]) -> None:
    start = keys.index(vintages[0])
    if keys[start : start + len(vintages)] != vintages:
        raise ValueError(
            f"source {source.name!r}: vintages {', '.join(vintages)} are not one range of {', '.join(keys)}; "
            "materialize them in separate runs"
        )


__all__ = [
    "PARTITION_TAG",
    "RANGE_END_TAG",
    "RANGE_START_TAG",
    "PlannedRun",
    "all_vintages",
    "newest_vintages",
    "plan_source_runs",
]
