"""``ti-pipeline run`` launches only the runs that have something to do (orchestration.up_to_date).

A second run with nothing changed launches no Dagster run at all; a changed sample file launches
its source's raw run and the downstream run; a changed variable only the models that read it and
what depends on them; a raw
vintage whose validation check blocked last time is run again; ``--force`` launches every run.
Runs are counted in the Dagster instance the command writes to.
"""

from __future__ import annotations

import shutil

import dagster as dg
import pytest

from ti_pipeline import cli
from ti_pipeline.config import PROJECT_ROOT
from ti_pipeline.sources.catalog import get_source, sample_path

ALL_RUNS = 5  # four raw runs (one per partitions definition) and the downstream run


def _run(tmp_path, *args: str, **env: str) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TI_DATA_DIR", str(tmp_path / "data"))
        mp.setenv("TI_SAMPLE_DIR", str(tmp_path / "sample"))
        mp.setenv("TI_MODE", "sample")
        mp.setenv("DAGSTER_HOME", str(tmp_path / "data" / "dagster_home"))
        for key, value in env.items():
            mp.setenv(key, value)
        return cli.main(["run", "--log-level", "WARNING", *args])


def _runs(tmp_path) -> list:
    with dg.DagsterInstance.from_config(str(tmp_path / "data" / "dagster_home")) as instance:
        return list(reversed(instance.get_runs()))  # oldest first


def _selection(run) -> set[str]:
    return {k.to_user_string() for k in run.asset_selection or ()}


@pytest.fixture()
def built(tmp_path):
    shutil.copytree(PROJECT_ROOT / "data" / "sample", tmp_path / "sample")
    assert _run(tmp_path) == 0
    assert len(_runs(tmp_path)) == ALL_RUNS
    return tmp_path


def test_nothing_changed_launches_no_run_and_force_launches_them_all(built, capsys):
    marts = {p.name: p.resolve() for p in (built / "data" / "marts").iterdir() if not p.name.startswith(".")}
    capsys.readouterr()
    assert _run(built) == 0
    out = capsys.readouterr().out
    assert "Up to date in" in out and "no run launched" in out
    assert out.count("  up to date  raw_") == 4
    assert len(_runs(built)) == ALL_RUNS
    assert {p.name: p.resolve() for p in (built / "data" / "marts").iterdir() if not p.name.startswith(".")} == marts

    assert _run(built, "--force") == 0
    assert len(_runs(built)) == 2 * ALL_RUNS


def test_nothing_to_do_does_not_even_open_the_instance(built):
    """The instance (0.7 s of SQLite storage set-up) is opened only when a run is launched."""
    from ti_pipeline.definitions import defs
    from ti_pipeline.orchestration.refresh import InstanceRef, full_plan, run_plan

    opened = []
    from_ref = dg.DagsterInstance.from_ref

    def spy(ref, *args, **kwargs):  # Dagster's own, counted
        opened.append(ref)
        return from_ref(ref, *args, **kwargs)

    ref = InstanceRef.from_dir(str(built / "data" / "dagster_home"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TI_DATA_DIR", str(built / "data"))
        mp.setenv("TI_SAMPLE_DIR", str(built / "sample"))
        mp.setenv("TI_MODE", "sample")
        mp.setattr(dg.DagsterInstance, "from_ref", staticmethod(spy))
        result = run_plan(defs, full_plan(defs), ref, skip_up_to_date=True, log_level="WARNING", workers=1)
        assert result.nothing_to_do and result.success and opened == []
        result = run_plan(defs, full_plan(defs), ref, log_level="WARNING", workers=1)  # --force
        assert result.success and len(result.runs) == ALL_RUNS and opened == [ref]
    assert len(_runs(built)) == 2 * ALL_RUNS


def test_a_changed_file_runs_its_source_and_what_is_downstream(built):
    source = get_source("flores_a38")
    path = sample_path(built / "sample", source, source.releases[0])
    path.write_bytes(path.read_bytes())  # same bytes, new modification time: hashed again, still the same
    assert _run(built) == 0
    assert len(_runs(built)) == ALL_RUNS, "an identical file (same sha256) is up to date"

    source = get_source("ti_territoires")
    path = sample_path(built / "sample", source, source.releases[0])
    path.write_text(path.read_text(encoding="utf-8").replace("Bassin de Bourg-en-Bresse", "Bassin de Bourg"), encoding="utf-8")
    assert _run(built) == 0
    new = _runs(built)[ALL_RUNS:]
    assert len(new) == 2
    assert "raw_ti_territoires" in _selection(new[0]) and "raw_flores_a38" not in _selection(new[0])
    assert {"stg_ti_territoires", "mart_ti_portrait", "portraits"} <= _selection(new[1])


def test_a_changed_variable_runs_only_the_models(built):
    assert _run(built, TI_INDUSTRY_SCOPE="C") == 0
    new = _runs(built)[ALL_RUNS:]
    assert len(new) == 1
    selection = _selection(new[0])
    assert not any(a.startswith("raw_") for a in selection)
    # the models that read industry_scope (int_activites_a38) and what depends on them
    assert {"int_activites_a38", "int_divisions_naf", "mart_ti_indicateurs", "duckdb_catalog", "portraits"} <= selection
    assert "stg_ti_communes" not in selection and "int_passage_communes" not in selection, (
        "a model that does not read the variable, nor reads a model that does, is up to date"
    )


def test_a_vintage_whose_check_blocked_is_run_again(tmp_path):
    shutil.copytree(PROJECT_ROOT / "data" / "sample", tmp_path / "sample")
    source = get_source("ti_communes")  # no rejected row allowed: one blocks what is downstream
    path = sample_path(tmp_path / "sample", source, source.releases[0])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '"ABCDE"' + lines[1][lines[1].index(","):]  # not a commune code
    path.write_text("".join(lines), encoding="utf-8")
    assert _run(tmp_path) == 1
    first = len(_runs(tmp_path))
    assert _run(tmp_path) == 1
    new = _runs(tmp_path)[first:]
    assert any("raw_ti_communes" in _selection(r) for r in new), "the blocked source is reported again"


def test_the_whole_refresh_known_without_dagster_is_the_definitions_plan():
    """``up_to_date.whole_refresh`` (asked before Dagster is imported) plans what ``full_plan``
    finds in the definitions: a new asset kind must be added to both."""
    from ti_pipeline.definitions import SQL_PROJECT, defs
    from ti_pipeline.orchestration import up_to_date
    from ti_pipeline.orchestration.refresh import full_plan
    from ti_pipeline.sql_runner.project import pipeline_project

    raw_runs, downstream = up_to_date.whole_refresh(pipeline_project())
    plan = full_plan(defs)
    assert raw_runs == plan.raw_runs
    assert downstream == sorted(k.to_user_string() for k in plan.downstream)
    assert set(pipeline_project().models) == set(SQL_PROJECT.models)


def test_a_rerun_with_nothing_to_do_imports_neither_dagster_nor_the_definitions(built):
    """The command's own process, as run from a shell: with nothing to do it answers from the
    lake, the marts and the portraits' state, and never imports Dagster (nor pandera or pandas)."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from ti_pipeline import cli\n"
        "code = cli.main(['run', '--log-level', 'WARNING'])\n"
        "print(json.dumps({'code': code, 'imported': sorted(m for m in ('dagster', 'ti_pipeline.definitions', "
        "'pandera', 'pandas') if m in sys.modules)}))\n"
    )
    env = {**os.environ, "TI_DATA_DIR": str(built / "data"), "TI_SAMPLE_DIR": str(built / "sample"), "TI_MODE": "sample",
           "DAGSTER_HOME": str(built / "data" / "dagster_home")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Up to date in" in done.stdout and done.stdout.count("  up to date  raw_") == 4
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"code": 0, "imported": []}
    assert len(_runs(built)) == ALL_RUNS


def test_what_the_command_found_pending_is_not_asked_again(built):
    """A changed file: the command's check (before Dagster) finds the raw run to launch, and the
    refresh uses that answer instead of asking again (in live mode, a second conditional GET)."""
    from ti_pipeline.orchestration import up_to_date

    source = get_source("ti_territoires")
    path = sample_path(built / "sample", source, source.releases[0])
    path.write_text(path.read_text(encoding="utf-8").replace("Bassin de Bourg-en-Bresse", "Bassin de Bourg"), encoding="utf-8")
    asked = []
    real = up_to_date.pending

    def counted(*args, **kwargs):  # the real answer, counted
        asked.append(args[0])
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(up_to_date, "pending", counted)
        assert _run(built) == 0
    assert len(asked) == 1
    new = _runs(built)[ALL_RUNS:]
    assert len(new) == 2 and "raw_ti_territoires" in _selection(new[0])
