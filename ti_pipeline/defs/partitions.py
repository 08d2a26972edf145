"""Vintages as Dagster partitions, derived from the source catalog (plain, but for ``vintage_partitions``).

A source is partitioned by vintage (millésime) when it is published per year: an annual cadence, or
more than one release in the catalog. Its partition keys are the catalog's millésimes as strings,
newest first (the catalog's order, which is also the order the UI shows). One partition is one
vintage of the raw lake (``data/lake/raw/<source>/millesime=<YYYY>/``), replaced whole when it is
materialized again.

Sources published irregularly with a single release (the TI perimeters, the lauréats) and Sirene (a
monthly stock that replaces the previous one) are not partitioned: each run reads their one file.

Partition ranges follow Dagster's ``<start>...<end>`` syntax; because keys are newest first, a range
is accepted in either direction (``2021...2022`` and ``2022...2021`` are the same vintages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ti_pipeline.sources.catalog import SOURCES, Source

if TYPE_CHECKING:
    import dagster as dg


def is_partitioned(source: Source) -> bool:
    return source.cadence == "annual" or len(source.releases) > 1


def vintage_keys(source: Source) -> tuple[str, ...]:
    """The partition keys of a source, newest first; empty for an unpartitioned source."""
    return tuple(str(m) for m in source.millesimes) if is_partitioned(source) else ()


def vintage_partitions(source: Source) -> dg.StaticPartitionsDefinition | None:
    import dagster as dg  # here: the plans (``plan``) serve the CLI and the no-orchestration benchmark peer too, without Dagster

    keys = vintage_keys(source)
    return dg.StaticPartitionsDefinition(list(keys)) if keys else None


def parse_vintages(source: Source, text: str) -> tuple[str, ...]:
    """Vintages named on a command line, in partition order (newest first).

    ``2021`` (one), ``2021...2022`` or ``2022...2021`` (a range, either direction), ``2021,2022`` (a
    list), ``all``. Raises ``ValueError`` naming the known vintages.
    """
    keys = vintage_keys(source)
    if not keys:
        raise ValueError(
            f"source {source.name!r} is not partitioned by vintage (one release, {source.cadence} cadence): "
            f"materialize it with `ti-pipeline run --select {source.asset_name}`"
        )
    text = text.strip()
    if text == "all":
        return keys

    def check(key: str) -> str:
        if key not in keys:
            raise ValueError(f"source {source.name!r} has no vintage {key!r}; known: {', '.join(keys)}")
        return key

    if "..." in text:
        start, _, end = text.partition("...")
        i, j = sorted((keys.index(check(start.strip())), keys.index(check(end.strip()))))
        return keys[i : j + 1]
    wanted = {check(part.strip()) for part in text.split(",") if part.strip()}
    if not wanted:
        raise ValueError(f"no vintage given for source {source.name!r}; known: {', '.join(keys)}")
    return tuple(k for k in keys if k in wanted)


PARTITIONED_SOURCES: tuple[Source, ...] = tuple(s for s in SOURCES if is_partitioned(s))

__all__ = ["PARTITIONED_SOURCES", "is_partitioned", "parse_vintages", "vintage_keys", "vintage_partitions"]
