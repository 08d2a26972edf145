"""The Dagster edge: one asset per SQL model (with its tests as asset checks), and the catalog asset.

Asset bodies only call ``execute.run_model`` / ``catalog_db.build_catalog`` and translate results
into Dagster events and metadata. Paths and variables are read at run time (``config``), so the
same definitions serve the UI, the CLI and tests pointed at a temporary ``TI_DATA_DIR``.

- asset key = model name; group = layer folder; ``deps`` = what the SQL and the tests read;
  ``code_version`` = sha256 of the SQL file (the UI shows models whose SQL changed as stale);
- tests = ``AssetCheckSpec``s of the asset, blocking for marts. Mart tests run inside the asset,
  before publication (write-audit-publish); on failure the check results are reported, then the
  step fails so that nothing downstream (the catalog included) runs on a mart that was not published.

Not here: any SQL or file logic.
"""

from __future__ import annotations

from typing import Any, Iterator

import dagster as dg

from ti_pipeline.config import get_paths
from ti_pipeline.sql_runner.catalog_db import build_catalog
from ti_pipeline.sql_runner.data_tests import DataTestResult, markdown_table
from ti_pipeline.sql_runner.execute import DataTestsFailed, ModelRunResult, run_model
from ti_pipeline.sql_runner.project import Model, SqlProject

CATALOG_ASSET = "duckdb_catalog"


def build_sql_assets(project: SqlProject) -> list[dg.AssetsDefinition]:
    """One asset (with its checks) per model of ``project``."""
    return [_model_asset(project, model) for model in project.models.values()]


def build_catalog_asset(project: SqlProject, *, pool: str | None = None) -> dg.AssetsDefinition:
    """``duckdb_catalog``: downstream of every mart, rebuilds ``data/catalog.duckdb``.

    ``pool``: the Dagster concurrency pool of the writer (the orchestration layer limits it to one
    slot, so two runs never write the catalog at once)."""
    marts = [m.name for m in project.marts]

    @dg.asset(
        name=CATALOG_ASSET,
        group_name="marts",
        deps=[dg.AssetKey(m) for m in marts],
        kinds={"duckdb"},
        pool=pool,
        description="Read-only DuckDB catalog (data/catalog.duckdb): one view per published mart, rebuilt "
        "into a new file and swapped in atomically, so readers holding it open see no error.",
    )
    def _catalog() -> dg.MaterializeResult:
        paths = get_paths()
        built = build_catalog(paths, marts)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(paths.catalog_db)),
                "views": dg.MetadataValue.json(built["views"]),
                "not_yet_published": dg.MetadataValue.json(built["skipped"]),
            }
        )

    return _catalog


def _model_asset(project: SqlProject, model: Model) -> dg.AssetsDefinition:
    blocking = model.materialized == "mart"
    kinds = {"duckdb", "sql"} | ({"parquet"} if model.materialized in ("table", "mart") else set())

    @dg.asset(
        name=model.name,
        group_name=model.layer,
        deps=[dg.AssetKey(d) for d in model.all_deps],
        description=model.description or f"SQL model {model.file} ({model.materialized}).",
        kinds=kinds,
        code_version=model.sql_hash[:16],
        metadata={
            "file": model.file,
            "materialized": model.materialized,
            **({"partition_by": list(model.partition_by)} if model.partition_by else {}),
        },
        check_specs=[
            dg.AssetCheckSpec(
                t.name, asset=model.name, blocking=blocking and t.severity == "error", description=t.description
            )
            for t in model.tests
        ],
    )
    def _asset() -> Iterator[Any]:
        try:
            result = run_model(project, model.name, get_paths())
        except DataTestsFailed as failed:
            yield from (check_result(model, r) for r in failed.results)
            raise dg.Failure(description=str(failed)) from None
        yield dg.MaterializeResult(
            metadata=materialization_metadata(model, result),
            check_results=[check_result(model, r) for r in result.test_results],
        )

    return _asset


def check_result(model: Model, result: DataTestResult) -> dg.AssetCheckResult:
    metadata: dict[str, Any] = {"failing_rows": result.failing_count, "sql": dg.MetadataValue.md(
        f"```sql\n{result.test.failing_rows_sql(model.name)}\n```")}
    if result.error:
        metadata["error"] = result.error
    if result.examples:
        metadata["examples"] = dg.MetadataValue.md(markdown_table(result.columns, result.examples))
    return dg.AssetCheckResult(
        asset_key=model.name,
        check_name=result.test.name,
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR if result.test.severity == "error" else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=result.test.description,
    )


def materialization_metadata(model: Model, result: ModelRunResult) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "dagster/row_count": result.row_count,
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, type_, description=model.columns.get(name)) for name, type_ in result.columns]
        ),
        "sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```"),
        "preview": dg.MetadataValue.md(markdown_table(result.preview_columns, result.preview_rows)),
    }
    if result.fingerprint is not None:
        metadata["fingerprint"] = result.fingerprint[:16]
    if result.skipped:
        # the inputs, SQL, variables and code are those of the recorded run: its result stands
        metadata["skipped"] = True
        metadata["skipped_reason"] = "inputs, SQL, variables and code unchanged since the recorded run"
    if result.path is not None:
        metadata["path"] = dg.MetadataValue.path(str(result.path))
    if result.version_dir is not None:
        metadata["published_version"] = dg.MetadataValue.path(str(result.version_dir))
    undescribed = sorted(set(model.columns) - {name for name, _ in result.columns})
    if undescribed:
        metadata["described_columns_not_in_result"] = dg.MetadataValue.json(undescribed)
    return metadata
