"""Shared fixtures.

``sample_run``: the whole pipeline materialized once per test session on the embedded sample, into
a temporary data directory (never the repository's ``data/``). Tests read its marts; tests that
must change inputs or outputs make their own data directory instead of touching this one.
"""

from __future__ import annotations

import pytest

from ti_pipeline.config import Paths, get_paths


def run_pipeline(data_dir, *extra_args: str, mode: str = "sample") -> int:
    """Run ``ti-pipeline run`` in this process with its data (and Dagster instance) in ``data_dir``."""
    from ti_pipeline import cli

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TI_DATA_DIR", str(data_dir))
        mp.setenv("TI_MODE", mode)
        mp.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
        return cli.main(["run", "--log-level", "WARNING", *extra_args])


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Paths:
    data_dir = tmp_path_factory.mktemp("sample_run")
    assert run_pipeline(data_dir) == 0, "the pipeline failed on the embedded sample"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TI_DATA_DIR", str(data_dir))
        return get_paths()
