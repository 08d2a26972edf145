"""SQL models as Dagster assets: an asset per model, with its tests as asset checks.

The Dagster edge of ``ti_pipeline.sql_runner``: the asset body only calls ``scheduler.run_models``
and translates results into Dagster events and metadata. Paths and variables are read at run time (``config``),
so the same definitions serve the UI, the CLI and tests pointed at a temporary ``TI_DATA_DIR``.

- asset key = model name; group = layer folder; ``deps`` = what the SQL and the tests read;
  ``code_version`` = sha256 of the SQL file (the UI shows models whose SQL changed as stale);
- tests = ``AssetCheckSpec``s of the asset, blocking when their severity is ``error`` (any layer).
  Tests run inside the build, before the output is kept (write-audit-keep); on failure the check
  results are reported, the model is not materialized, the models that read it are not built, and
  the step fails once the others are built, so that nothing downstream (the portraits and the
  release) runs: no release mixes the new state of some marts with the old state of others.

The models are one multi-asset (``sql_models``, subsettable: the UI, the schedule or automation
can select any of them), as dagster-dbt does for a dbt project: one step builds the selected
models several at a time, each as soon as what it reads is built. Dagster's executors run the
steps of a run in process one after the other, or each in its own process (seconds of imports per
step); a threaded executor is an open request (dagster-io/dagster#4041). A step per model cost
about 0.07 s of Dagster bookkeeping each and used one core while DuckDB and pyarrow wait on the
other (issue 8: docs/benchmarks.md). Each model still reports its own materialization, checks,
metadata and time (``seconds``); the step's log says when each one was built.

Not here: any SQL or file logic (``ti_pipeline.sql_runner``).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import dagster as dg

from ti_pipeline.config import forced, get_paths
from ti_pipeline.sql_runner.data_tests import DataTestResult, markdown_table
from ti_pipeline.sql_runner.execute import DataTestsFailed, ModelRunResult, test_model
from ti_pipeline.sql_runner.project import Model, SqlProject
from ti_pipeline.sql_runner.scheduler import in_dependency_order, run_models

SQL_MODELS_OP = "sql_models"  # the step that builds the models


def build_sql_assets(project: SqlProject, *, name: str = SQL_MODELS_OP) -> list[dg.AssetsDefinition]:
    """The models of ``project`` as one multi-asset: an asset (with its checks) per model, built
    together in one step, several at a time (``scheduler.run_models``)."""
    return [_models_asset(project, name)] if project.models else []


def model_spec(model: Model) -> dg.AssetSpec:
    kinds = {"duckdb", "sql"} | ({"parquet"} if model.materialized in ("table", "mart") else set())
    return dg.AssetSpec(
        key=model.name,
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
        # a model below one that failed is not built: the step reports the failure and goes on
        skippable=True,
    )


def model_check_specs(model: Model) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(t.name, asset=model.name, blocking=t.severity == "error", description=t.description)
        for t in model.tests
    ]


def _models_asset(project: SqlProject, name: str) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=name,
        specs=[model_spec(m) for m in project.models.values()],
        check_specs=[c for m in project.models.values() for c in model_check_specs(m)],
        can_subset=True,
        description="The SQL models of dbt_like_sql/, built by DuckDB several at a time, each as soon as what it reads is built.",
    )
    def _models(context) -> Iterator[Any]:  # an AssetExecutionContext (not annotated: the module defers annotations)
        selected = {k.to_user_string() for k in context.selected_asset_keys}
        checks = context.selected_asset_check_keys
        paths = get_paths()
        failures: list[str] = []
        reuse = not forced(context.run.tags)  # a run tagged ti/force rebuilds unchanged models too
        for outcome in in_dependency_order(project, selected, run_models(project, selected, paths, reuse=reuse)):
            model = project.models[outcome.name]
            if outcome.result is not None:
                result = outcome.result
                # DEBUG, as Dagster's own step events: in the UI's log, not on the CLI's terminal by
                # default. Built models only: an unchanged one says so in its materialization's
                # metadata, and a log line is one more stored event (~10 ms each) on every re-run.
                if not result.skipped:
                    context.log.debug(f"{model.name}: built ({result.row_count:,} rows, {outcome.seconds:.1f} s)")
                yield dg.MaterializeResult(
                    asset_key=model.name,
                    metadata=materialization_metadata(model, result, outcome.seconds, outcome.started_at),
                    check_results=[c for c in (check_result(model, r) for r in result.test_results) if _selected(c, checks)],
                )
            elif isinstance(outcome.error, DataTestsFailed):
                yield from (c for c in (check_result(model, r) for r in outcome.error.results) if _selected(c, checks))
                failures.append(str(outcome.error))
            elif outcome.error is not None:
                context.log.error(f"{model.name} failed: {type(outcome.error).__name__}: {outcome.error}")
                failures.append(f"{model.file}: {type(outcome.error).__name__}: {outcome.error}")
            else:
                context.log.warning(f"{model.name}: not built, as {outcome.skipped_because} failed")
        # checks asked for without their model (the UI's "Execute" on a check): the model's output as it is
        for model_name in sorted({k.asset_key.to_user_string() for k in checks} - selected):
            model = project.models[model_name]
            results = test_model(project, model_name, paths)
            yield from (c for c in (check_result(model, r) for r in results) if _selected(c, checks))
        if failures:
            raise dg.Failure(
                description=f"{len(failures)} model(s) failed; the others were built.\n\n" + "\n\n".join(failures)
            )

    return _models


def _selected(check: dg.AssetCheckResult, selected: Iterable[dg.AssetCheckKey]) -> bool:
    return dg.AssetCheckKey(dg.AssetKey.from_coercible(check.asset_key), check.check_name) in selected


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


def materialization_metadata(
    model: Model, result: ModelRunResult, seconds: float | None = None, started_at: float | None = None
) -> dict[str, Any]:
    """``seconds``, ``started_at``: how long this materialization took (a model not rebuilt: the
    time to find it unchanged) and when it started; the benchmarks read them to time each model
    of the step (the materialization event itself may come later than the build's end: Dagster
    takes them in dependency order)."""
    metadata: dict[str, Any] = {
        "dagster/row_count": result.row_count,
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, type_, description=model.columns.get(name)) for name, type_ in result.columns]
        ),
        "sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```"),
        "preview": dg.MetadataValue.md(markdown_table(result.preview_columns, result.preview_rows)),
    }
    if seconds is not None:
        metadata["seconds"] = round(seconds, 3)
    if started_at is not None:
        metadata["started_at"] = dg.MetadataValue.timestamp(started_at)
    if result.fingerprint is not None:
        metadata["fingerprint"] = result.fingerprint[:16]
    if result.skipped:
        # the inputs, SQL, variables and code are those of the recorded run: its result stands
        metadata["skipped"] = True
        metadata["skipped_reason"] = "inputs, SQL, variables and code unchanged since the recorded run"
    if result.path is not None:
        metadata["path"] = dg.MetadataValue.path(str(result.path))
    if result.version_dir is not None:
        metadata["build"] = dg.MetadataValue.path(str(result.version_dir))
    undescribed = sorted(set(model.columns) - {name for name, _ in result.columns})
    if undescribed:
        metadata["described_columns_not_in_result"] = dg.MetadataValue.json(undescribed)
    return metadata
