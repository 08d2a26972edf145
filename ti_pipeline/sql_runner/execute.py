"""Running one model on DuckDB over Parquet, write-audit-keep for tables and marts. No Dagster here.

Each run opens its own DuckDB connection to an in-memory database (DESIGN.md decision 1: no DuckDB
file is ever shared between writers): a database of its own, or the one its caller opened for the
models it builds at once (``open_database``; ``scheduler.run_models`` opens one per call, as
creating a database costs 10-25 ms and each has its own threads). The connection sets the
variables ``industry_scope`` and ``target_cog_year`` and creates a temporary view (the
connection's own: models sharing a database never see each other's) for everything the model
reads:

- ``raw_<source>``: ``read_parquet(lake/raw/<source>/millesime=*/*.parquet)``, hive-partitioned (the
  ``millesime`` column comes from the folder) and ``union_by_name`` (vintages differ in columns);
- a ``view`` model: its SQL, recursively with what it reads;
- a ``table`` model: ``read_parquet(lake/<layer>/<name>.parquet)``;
- a ``mart``: its latest audited build (``builds.latest_build``: what the next release will hold).

Then, by materialization:

- ``view``: nothing is written; the SQL is validated, counted and tested;
- ``table``: written to a candidate file beside ``lake/<layer>/<name>.parquet``, tested there, and
  renamed into place only if no blocking test fails;
- ``mart``: written into a private candidate folder, tested there *as readers will read it*, and
  kept as an immutable build (``builds``) only if no blocking test fails. Builds are published by
  a release (``ti_pipeline.releases``), all marts together, never here.

A test of severity ``error`` that fails blocks, whatever the materialization: ``DataTestsFailed``
names the tests with example rows, the model's previous output is untouched, nothing is recorded
(so the model is not up to date, and no release can be made until it is), and the models that
read it are not built.

Every database opened for models holds the project's macros (``dbt_like_sql/macros/*.sql``, e.g.
the SIREN/SIRET key ``identifiant_entreprise_valide``), created before any model's SQL runs.

A model whose inputs did not change is not run again (``reuse``): ``run_model`` asks ``state`` for
its fingerprint and recorded result, and records the new result after a build; any change
upstream, in the SQL, the macros it calls, the variables or the code recomputes.

Not here: fingerprints and the kept results (``state``), where outputs live (``relations``),
parsing (``project``), test SQL (``data_tests``), where builds are kept (``builds``), releases.
"""

from __future__ import annotations

import contextlib
import os
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ti_pipeline.config import Paths, get_industry_scope
from ti_pipeline.lake import write_parquet_atomic
from ti_pipeline.sources.catalog import TARGET_COG_YEAR
from ti_pipeline.sql_runner import builds
from ti_pipeline.sql_runner.data_tests import DataTestResult, quote_ident, quote_literal, run_tests_and_count
from ti_pipeline.sql_runner.parquet_metadata import model_file_metadata
from ti_pipeline.sql_runner.project import DEFAULT_MODELS_DIR, Model, SqlProject, macro_files, read_macros
from ti_pipeline.sql_runner.relations import (
    MART_FILE,
    ModelInputMissing,
    mart_path,
    mart_read_sql,
    parquet_read_sql,
    raw_read_sql,
    table_path,
)
from ti_pipeline.sql_runner.state import (
    FINGERPRINT_KEY,
    STATE_DIR,
    ModelRunResult,
    model_fingerprint,
    record_result,
    recorded_result,
    recorded_seconds,
    runner_code_fingerprint,
)

PREVIEW_ROWS = 10


class DataTestsFailed(RuntimeError):
    """Blocking tests of a model failed: its output was not kept, the previous one is unchanged."""

    def __init__(self, model: Model, results: list[DataTestResult]):
        self.model = model
        self.results = results
        failed = [r for r in results if r.blocks]
        kept = {"mart": "mart {} was not kept for release", "table": "table {} was not replaced"}.get(
            model.materialized, "{} blocks the models that read it")
        super().__init__(
            f"{model.file}: {len(failed)} of {len(results)} test(s) failed; {kept.format(model.name)} "
            f"(its previous output, if any, is still in place).\n\n" + "\n\n".join(r.summary() for r in failed)
        )


TABLE_BATCH_ROWS = 500_000


def default_variables() -> dict[str, Any]:
    return {"industry_scope": get_industry_scope(), "target_cog_year": TARGET_COG_YEAR}


def run_model(
    project: SqlProject,
    name: str,
    paths: Paths,
    variables: Mapping[str, Any] | None = None,
    *,
    reuse: bool = True,
    connections=None,
    database: duckdb.DuckDBPyConnection | None = None,
) -> ModelRunResult:
    """Materialize model ``name`` (see the module docstring) and run its tests.

    With ``reuse``, a model whose fingerprint equals the recorded one returns the recorded result;
    without (a forced run), it is built anyway, and its fingerprint recorded for the next run.
    ``connections`` (``scheduler.Connections``): where the model's DuckDB connection is registered
    while it is open, so that a caller building several models at once can interrupt it.
    ``database`` (``open_database``): the in-memory database to connect to; by default one of its own."""
    model = project.models[name]
    variables = {**default_variables(), **(variables or {})}
    fingerprint = model_fingerprint(project, name, paths, variables)
    if reuse and fingerprint is not None:
        recorded = recorded_result(paths, model, fingerprint)
        if recorded is not None:
            return recorded
    started = time.perf_counter()
    result = _run_model(project, model, paths, variables, fingerprint, connections, database)
    result.fingerprint = fingerprint
    result.seconds = round(time.perf_counter() - started, 3)
    if fingerprint is not None:
        record_result(paths, model, result)
    return result


def _run_model(
    project: SqlProject, model: Model, paths: Paths, variables: Mapping[str, Any], fingerprint: str | None,
    connections=None,
    database: duckdb.DuckDBPyConnection | None = None,
) -> ModelRunResult:
    with open_connection(variables, paths, database, project) as con:
        with connections.registered(con) if connections is not None else contextlib.nullcontext():
            return _build(con, project, model, paths, variables, fingerprint)


def _build(
    con: duckdb.DuckDBPyConnection, project: SqlProject, model: Model, paths: Paths, variables: Mapping[str, Any],
    fingerprint: str | None,
) -> ModelRunResult:
    name = model.name
    create_input_views(con, project, model, paths)
    if model.materialized == "view":
        con.execute(f"create temp view {name} as {model.sql}")
        return _finish(con, model, path=None, metadata={})
    metadata = model_file_metadata(project, model, paths, variables)
    if fingerprint is not None:
        metadata[FINGERPRINT_KEY] = fingerprint
    if model.materialized == "table":
        path = table_path(paths, model)
        candidate = path.with_name(f".candidate_{path.name}.{uuid.uuid4().hex}")
        try:
            # streamed in batches: a national intermediate table (up to 2.8 M rows) never sits whole in memory
            write_parquet_atomic(
                con.sql(model.sql).to_arrow_reader(TABLE_BATCH_ROWS), candidate, metadata=metadata,
                column_descriptions=model.columns,
            )
            con.execute(f"create temp view {name} as {parquet_read_sql(candidate)}")
            result = _finish(con, model, path=path, metadata=metadata)
            con.execute(f"drop view {name}")  # it reads the candidate, about to move
            os.replace(candidate, path)
        finally:
            candidate.unlink(missing_ok=True)
        con.execute(f"create temp view {name} as {parquet_read_sql(path)}")
        return result
    return _write_audit_keep(con, project, model, paths, variables, fingerprint)


def test_model(
    project: SqlProject, name: str, paths: Paths, variables: Mapping[str, Any] | None = None
) -> list[DataTestResult]:
    """The tests of model ``name`` on its output as it is, nothing rebuilt: a view's SQL, a table's
    file, a mart's published version (what "execute this check" in the UI asks for)."""
    model = project.models[name]
    variables = {**default_variables(), **(variables or {})}
    with open_connection(variables, paths, project=project) as con:
        create_input_views(con, project, model, paths)
        sql = model.sql if model.materialized == "view" else output_read_sql(paths, model, f"testing {model.file}: ")
        con.execute(f"create temp view {name} as {sql}")
        results, _ = run_tests_and_count(con, model.tests, name)
    return results


# DuckDB's default (80 % of the machine's memory) lets one national query take most of a shared
# machine; past this limit it spills to ``temp_directory`` instead (issue 8: peak under 4 GiB).
DEFAULT_MEMORY_LIMIT = "3GB"


def open_database(paths: Paths, project: SqlProject | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB database for models, its memory limited (``TI_DUCKDB_MEMORY_LIMIT``),
    spilling to ``data/.duckdb_tmp``, holding the macros of ``project`` (by default the pipeline's,
    ``dbt_like_sql/macros/``). Several models may connect to it at once (``cursor``): the limit
    and DuckDB's threads are then theirs together, the macros too."""
    database = duckdb.connect(":memory:")
    database.execute(f"set memory_limit = {quote_literal(os.environ.get('TI_DUCKDB_MEMORY_LIMIT', DEFAULT_MEMORY_LIMIT))}")
    database.execute(f"set temp_directory = {quote_literal(str(paths.data_dir / '.duckdb_tmp'))}")
    load_macros(database, project)
    return database


def load_macros(con: duckdb.DuckDBPyConnection, project: SqlProject | None = None) -> None:
    """Create the macros of ``project`` (by default the pipeline's) in the database of ``con``: every
    connection to that database can then call them. For any code running a model's SQL itself."""
    macros = project.macros if project is not None else macro_files(DEFAULT_MODELS_DIR)
    if macros:
        con.execute(read_macros(macros))


@contextlib.contextmanager
def open_connection(
    variables: Mapping[str, Any],
    paths: Paths,
    database: duckdb.DuckDBPyConnection | None = None,
    project: SqlProject | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection of one model to ``database`` (by default a database of its own, with the macros
    of ``project``, closed with it), with the model's variables; its temporary views are its own
    (DuckDB keeps a connection's temporary objects and variables to itself)."""
    with contextlib.ExitStack() as stack:
        if database is None:
            database = stack.enter_context(open_database(paths, project))
        con = stack.enter_context(database.cursor())
        for key, value in variables.items():
            con.execute(f"set variable {quote_ident(key)} = {quote_literal(value)}")
        yield con


def output_read_sql(paths: Paths, model: Model, context: str = "") -> str:
    """SQL reading the current output of a table or a mart (its latest audited build); a clear
    ``ModelInputMissing`` (its message starting with ``context``) when there is none yet."""
    if model.materialized == "table":
        path = table_path(paths, model)
        if not path.exists():
            raise ModelInputMissing(f"{context}{model.name}, not materialized yet ({path} is missing)")
        return parquet_read_sql(path)
    version = builds.latest_build(paths, model.name)
    if version is None:
        raise ModelInputMissing(f"{context}mart {model.name}, not built yet (no audited build in {builds.marts_builds(paths)})")
    return mart_read_sql(version)


def create_input_views(con: duckdb.DuckDBPyConnection, project: SqlProject, model: Model, paths: Paths) -> None:
    """A view for every relation ``model`` (and its tests) reads, upstream first."""
    created: set[str] = set()

    def create(dep: str) -> None:
        if dep in created:
            return
        created.add(dep)
        if dep in project.raw_sources:
            sql = raw_read_sql(paths, dep)
        else:
            upstream = project.models[dep]
            if upstream.materialized == "view":
                for d in upstream.deps:  # a view's tests do not run here, only its SQL
                    create(d)
                sql = upstream.sql
            else:
                sql = output_read_sql(paths, upstream, f"{model.file} reads ")
        con.execute(f"create temp view {dep} as {sql}")

    for dep in model.all_deps:
        create(dep)


def _write_audit_keep(
    con: duckdb.DuckDBPyConnection,
    project: SqlProject,
    model: Model,
    paths: Paths,
    variables: Mapping[str, Any],
    fingerprint: str | None = None,
) -> ModelRunResult:
    relation = con.sql(model.sql)
    types = dict(zip(relation.columns, (str(t) for t in relation.types)))
    partitioning = None
    if model.partition_by:
        missing = [c for c in model.partition_by if c not in types]
        if missing:
            raise ValueError(f"{model.file}: partition_by columns {missing} are not in the result {list(types)}")
        partitioning = {
            "columns": list(model.partition_by),
            "types": {c: types[c] for c in model.partition_by},
            # Hive readers append partition columns at the end; DuckDB readers get the query's order back.
            "column_order": list(types),
        }
    metadata = model_file_metadata(project, model, paths, variables, partitioning=partitioning)
    if fingerprint is not None:
        metadata[FINGERPRINT_KEY] = fingerprint
    table = relation.to_arrow_table()

    candidate = builds.new_candidate_dir(paths, model.name)
    try:
        write_mart_files(table, candidate, model, metadata)
        # Test the files as readers will read them (hive types included), not the query result.
        con.execute(f"create temp view {model.name} as {mart_read_sql(candidate)}")
        results, row_count = run_tests_and_count(con, model.tests, model.name)
        if any(r.blocks for r in results):
            raise DataTestsFailed(model, results)
        stats = _describe(con, model.name, row_count)
        con.execute(f"drop view {model.name}")  # the view reads the candidate folder, about to move
        version = builds.keep_candidate(paths, model.name, candidate)
    except BaseException:
        builds.discard_candidate(candidate)
        raise
    return ModelRunResult(
        model=model.name,
        materialized=model.materialized,
        path=mart_path(paths, model),
        version_dir=version,
        test_results=results,
        file_metadata=metadata,
        **stats,
    )


def write_mart_files(table: pa.Table, folder: Path, model: Model, metadata: Mapping[str, Any]) -> list[Path]:
    """``data.parquet``, or one ``col=value/.../data.parquet`` per partition (partition columns live in
    the folder names only, as hive readers expect)."""
    if not model.partition_by:
        return [write_parquet_atomic(table, folder / MART_FILE, metadata=metadata, column_descriptions=model.columns)]
    if table.num_rows == 0:
        raise ValueError(f"{model.file}: the query returned no rows; an empty partitioned mart cannot be written")
    cols = list(model.partition_by)
    nulls = [c for c in cols if table[c].null_count]
    if nulls:
        raise ValueError(f"{model.file}: partition column(s) {nulls} contain nulls")
    written = []
    for key in table.select(cols).group_by(cols).aggregate([]).to_pylist():
        mask = None
        for c in cols:
            m = pc.equal(table[c], pa.scalar(key[c], type=table.schema.field(c).type))
            mask = m if mask is None else pc.and_(mask, m)
        part_dir = folder.joinpath(*(f"{c}={urllib.parse.quote(str(key[c]), safe='')}" for c in cols))
        written.append(
            write_parquet_atomic(
                table.filter(mask).drop_columns(cols),
                part_dir / MART_FILE,
                metadata=metadata,
                column_descriptions=model.columns,
            )
        )
    return written


def _finish(con: duckdb.DuckDBPyConnection, model: Model, *, path: Path | None, metadata: dict) -> ModelRunResult:
    results, row_count = run_tests_and_count(con, model.tests, model.name)
    if any(r.blocks for r in results):
        raise DataTestsFailed(model, results)
    return ModelRunResult(
        model=model.name,
        materialized=model.materialized,
        path=path,
        test_results=results,
        file_metadata=metadata,
        **_describe(con, model.name, row_count),
    )


def _describe(con: duckdb.DuckDBPyConnection, relation: str, row_count: int | None = None) -> dict[str, Any]:
    """Row count (unless already counted with the tests), columns and a preview."""
    rel = con.sql(f"select * from {relation}")
    preview = con.sql(f"select * from {relation} limit {PREVIEW_ROWS}")
    return {
        "row_count": row_count if row_count is not None else con.sql(f"select count(*) from {relation}").fetchall()[0][0],
        "columns": list(zip(rel.columns, (str(t) for t in rel.types))),
        "preview_columns": list(preview.columns),
        "preview_rows": preview.fetchall(),
    }


__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "DataTestsFailed",
    "PREVIEW_ROWS",
    "TABLE_BATCH_ROWS",
    "create_input_views",
    "default_variables",
    "load_macros",
    "open_connection",
    "open_database",
    "output_read_sql",
    "run_model",
    "test_model",
    "write_mart_files",
    # kept by ``state`` and ``relations``, re-exported: callers imported them from here
    "FINGERPRINT_KEY",
    "STATE_DIR",
    "ModelRunResult",
    "mart_path",
    "model_fingerprint",
    "recorded_seconds",
    "runner_code_fingerprint",
    "table_path",
]
