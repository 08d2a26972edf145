"""dbt_like_sql: every SQL file is a model, run by DuckDB, kept only once its tests pass (write-audit-keep).

Modules:
- ``sql_parsing``: sqlglot parsing and table references;
- ``references``: the table references of each query remembered on disk (sqlglot imported on a miss);
- ``data_tests``: the header's data tests as SQL returning failing rows;
- ``project``: loading the models folder (header, SQL, dependencies, errors naming files; the
  ``macros/`` folder of DuckDB macros every model can call);
- ``parquet_metadata``: provenance and versions written into every Parquet file;
- ``builds``: where audited mart builds are kept until a release publishes them (``ti_pipeline.releases``);
- ``relations``: SQL reading raw sources, tables and mart versions, and where outputs live;
- ``state``: fingerprints and the results kept in ``lake/.state`` (an unchanged model is not rebuilt);
- ``execute``: one model built on an in-memory DuckDB connection (``run_model``), macros loaded;
- ``scheduler``: several models built at once, each when what it reads is built (``run_models``).

Nothing here imports Dagster (a process that only builds models, such as the no-orchestration
benchmark peer, does not pay for it): the assets and checks are in ``ti_pipeline.defs.sql``.
"""

from ti_pipeline.sql_runner.data_tests import DataTest, DataTestResult
from ti_pipeline.sql_runner.execute import DataTestsFailed, ModelRunResult, run_model, test_model
from ti_pipeline.sql_runner.scheduler import ModelOutcome, run_models
from ti_pipeline.sql_runner.relations import ModelInputMissing
from ti_pipeline.sql_runner.project import DEFAULT_MODELS_DIR, Model, SqlProject, SqlProjectError, load_project



__all__ = [
    "DEFAULT_MODELS_DIR",
    "DataTest",
    "DataTestResult",
    "DataTestsFailed",
    "Model",
    "ModelInputMissing",
    "ModelOutcome",
    "ModelRunResult",
    "SqlProject",
    "SqlProjectError",
    "load_project",
    "run_model",
    "run_models",
    "test_model",
]
