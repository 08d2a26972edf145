"""The ``release`` Dagster asset: publishes the marts, their DuckDB catalog and the portraits together.

A thin edge over ``ti_pipeline.releases.assemble.make_release``, downstream of every mart and of the
portraits. It publishes a new release only when every mart is up to date with the lake and the
portraits were built from them; otherwise it fails naming each mart that is not, and the current
release stays as it was. When the current release already holds these builds, it is kept
(``skipped``), unless the run is tagged ``ti/force``.

It runs in the ``release`` pool (one slot): two runs never publish at once.
"""

import dagster as dg

from ti_pipeline.config import forced, get_paths
from ti_pipeline.geo.marts import GEO_MARTS
from ti_pipeline.releases.assemble import ReleaseRefused, make_release
from ti_pipeline.releases.store import MANIFEST
from ti_pipeline.sql_runner.project import SqlProject

RELEASE_ASSET = "release"


def build_release_asset(project: SqlProject, *, pool: str | None = None, with_portraits: bool = True) -> dg.AssetsDefinition:
    """``with_portraits``: the release holds the geometry marts and the portraits (the pipeline's);
    False for a SQL project alone (tests of the SQL edge)."""

    @dg.asset(
        name=RELEASE_ASSET,
        group_name="release",
        deps=[*(dg.AssetKey(m.name) for m in project.marts),
              *([dg.AssetKey(m) for m in (*GEO_MARTS, "portraits")] if with_portraits else [])],
        kinds={"parquet", "duckdb"},
        pool=pool,
        description="One consistent release (data/releases/<id>/): every mart, the read-only DuckDB catalog "
        "and the portraits, with a datapackage.json manifest; data/marts, data/catalog.duckdb and "
        "data/portraits switch to it at once. Made only when every mart is up to date with the lake.",
    )
    def release(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        paths = get_paths()
        try:
            outcome = make_release(project, paths, with_portraits=with_portraits, force=forced(context.run.tags))
        except ReleaseRefused as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        metadata = {
            "release_id": outcome.release_id,
            "path": dg.MetadataValue.path(str(outcome.release)),
            "manifest": dg.MetadataValue.path(str(outcome.release / MANIFEST)),
            "marts": dg.MetadataValue.json(outcome.marts),
        }
        if outcome.kept:
            metadata["skipped"] = True
            metadata["skipped_reason"] = "the current release already holds these builds"
        else:
            context.log.info(f"Release {outcome.release_id} published: {len(outcome.marts)} marts")
            if outcome.removed:
                metadata["pruned"] = dg.MetadataValue.json([p.name for p in outcome.removed])
        return dg.MaterializeResult(metadata=metadata)

    return release
