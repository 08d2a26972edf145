"""docs/marts.md: generated from the mart headers and dim_indicateur, committed up to date, and its
reading examples (pandas, DuckDB) run as written against the marts of the sample run."""

from __future__ import annotations

import os
import re

from ti_pipeline import docs
from ti_pipeline.config import PROJECT_ROOT
from ti_pipeline.sources.catalog import SOURCES
from ti_pipeline.sql_runner import DEFAULT_MODELS_DIR, load_project


def test_docs_marts_md_is_up_to_date():
    committed = (PROJECT_ROOT / "docs" / "marts.md").read_text(encoding="utf-8")
    assert committed == docs.generate(), "docs/marts.md is stale: run python -m ti_pipeline.docs"


def test_docs_sources_md_is_up_to_date():
    # the data dictionary of every source, from the catalog's Field declarations
    committed = (PROJECT_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert committed == docs.generate_sources(), "docs/sources.md is stale: run python -m ti_pipeline.docs"
    for source in SOURCES:
        assert source.name in committed


def test_docs_describe_every_mart_column_and_indicator():
    project = load_project(DEFAULT_MODELS_DIR, raw_sources=[s.name for s in SOURCES])
    text = docs.generate(project)
    for model in project.marts:
        assert f"## {model.name}\n" in text
        assert model.columns, f"{model.name} describes no column"
        for column in model.columns:
            assert f"| `{column}` |" in text, (model.name, column)
    for code in ("nb_epci", "evol_population_5a", "part_postes_ind_etab_250_plus", "laureats_pour_10k_postes_ind"):
        assert f"`{code}`" in text
    assert "[`docs/marts.md`](docs/marts.md)" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_reading_examples_run(sample_run, tmp_path):
    # the examples read data/marts and data/catalog.duckdb relative to the working directory
    (tmp_path / "data").symlink_to(sample_run.data_dir, target_is_directory=True)
    blocks = re.findall(r"```python\n(.*?)```", docs.generate(), re.S)
    assert len(blocks) >= 2
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for block in blocks:
            namespace: dict = {}
            exec(compile(block, "docs/marts.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert len(namespace["con"].sql("select * from mart_laureats where not est_localise").fetchall()) == 1
