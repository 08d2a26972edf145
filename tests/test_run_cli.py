"""``ti-pipeline run`` launches Dagster runs every time; the steps keep what did not change.

Run twice: the second run launches the same runs, rebuilds nothing and says so ("unchanged,
kept"), and the marts stay the published versions. ``--force``: every step rebuilt, new mart
versions. A changed file rebuilds its source and what depends on it; a changed variable the models
that read it; a vintage whose check blocked is read and reported again. A backfill of one vintage
through the CLI and through Dagster's own API give the same lake. What each step did is read from
its materialization metadata (``refresh.materialization_outcome``), in the instance the command
wrote to.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from ti_pipeline import cli
from ti_pipeline.config import PROJECT_ROOT
from ti_pipeline.launch import KEPT, REBUILT, materialization_outcome
from ti_pipeline.sources.catalog import get_source, sample_path

# seven raw runs (one per partitions definition; the census historical series, a single vintage 2022,
# is one more since issue 24, and rp_emploi's vintages 2011-2022, no longer those of rp_population,
# another) and the downstream run
ALL_RUNS = 8


def _env(mp: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> None:
    mp.setenv("TI_DATA_DIR", str(tmp_path / "data"))
    mp.setenv("TI_SAMPLE_DIR", str(tmp_path / "sample"))
    mp.setenv("TI_MODE", "sample")
    mp.setenv("DAGSTER_HOME", str(tmp_path / "data" / "dagster_home"))
    for key, value in env.items():
        mp.setenv(key, value)


def _cli(tmp_path, *args: str, **env: str) -> int:
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, tmp_path, **env)
        return cli.main([*(args or ("run",)), "--log-level", "WARNING"])


def _runs(tmp_path) -> list:
    with dg.DagsterInstance.from_config(str(tmp_path / "data" / "dagster_home")) as instance:
        return list(reversed(instance.get_runs()))  # oldest first


def _outcomes(tmp_path, runs) -> dict[str, str]:
    """Asset (``raw_x [2021]`` for a vintage) -> rebuilt or kept, over ``runs``."""
    out = {}
    with dg.DagsterInstance.from_config(str(tmp_path / "data" / "dagster_home")) as instance:
        for run in runs:
            for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
                event = record.dagster_event
                name = event.asset_key.to_user_string()
                out[f"{name} [{event.partition}]" if event.partition else name] = materialization_outcome(event)
    return out


def _rebuilt(tmp_path, runs) -> set[str]:
    return {a for a, o in _outcomes(tmp_path, runs).items() if o == REBUILT}


def _published(tmp_path) -> dict[str, Path]:
    marts = tmp_path / "data" / "marts"
    return {p.name: p.resolve() for p in marts.iterdir() if not p.name.startswith(".")}


@pytest.fixture()
def built(tmp_path):
    shutil.copytree(PROJECT_ROOT / "data" / "sample", tmp_path / "sample")
    assert _cli(tmp_path) == 0
    runs = _runs(tmp_path)
    assert len(runs) == ALL_RUNS
    assert set(_outcomes(tmp_path, runs).values()) == {REBUILT}, "a first run builds everything"
    return tmp_path


def test_a_second_run_rebuilds_nothing_and_says_so(built, capsys):
    marts, portraits = _published(built), (built / "data" / "portraits").resolve()
    capsys.readouterr()
    assert _cli(built) == 0
    out = capsys.readouterr().out
    new = _runs(built)[ALL_RUNS:]
    assert len(new) == ALL_RUNS, "the same runs are launched: the steps decide what to keep"
    outcomes = _outcomes(built, new)
    assert outcomes and set(outcomes.values()) == {KEPT}, _rebuilt(built, new)
    assert f"0 rebuilt, {len(outcomes)} unchanged and kept" in out
    assert "Unchanged, kept" in out and "Rebuilt (" not in out
    assert _published(built) == marts and (built / "data" / "portraits").resolve() == portraits
    assert f"Portraits: open {built / 'data' / 'portraits' / 'index.html'}" in out


def test_force_rebuilds_every_step_and_publishes_new_mart_versions(built, capsys):
    marts = _published(built)
    capsys.readouterr()
    assert _cli(built, "run", "--force") == 0
    out = capsys.readouterr().out
    new = _runs(built)[ALL_RUNS:]
    assert len(new) == ALL_RUNS and all(r.tags.get("ti/force") == "true" for r in new)
    outcomes = _outcomes(built, new)
    assert set(outcomes.values()) == {REBUILT}, [a for a, o in outcomes.items() if o != REBUILT]
    assert f"{len(outcomes)} rebuilt, 0 unchanged and kept" in out
    after = _published(built)
    assert after.keys() == marts.keys() and all(after[m] != marts[m] for m in marts), "a new version of every mart"
    # and the next run, not forced, finds everything unchanged again (the fingerprints were recorded)
    assert _cli(built) == 0
    assert set(_outcomes(built, _runs(built)[2 * ALL_RUNS:]).values()) == {KEPT}


def test_a_changed_file_rebuilds_its_source_and_what_is_downstream(built):
    source = get_source("flores_a38")
    path = sample_path(built / "sample", source, source.releases[0])
    path.write_bytes(path.read_bytes())  # same bytes, new modification time: hashed again, still the same
    assert _cli(built) == 0
    assert _rebuilt(built, _runs(built)[ALL_RUNS:]) == set(), "an identical file (same sha256) is unchanged"

    source = get_source("ti_territoires")
    path = sample_path(built / "sample", source, source.releases[0])
    path.write_text(path.read_text(encoding="utf-8").replace("Bassin de Bourg-en-Bresse", "Bassin de Bourg"), encoding="utf-8")
    assert _cli(built) == 0
    rebuilt = _rebuilt(built, _runs(built)[2 * ALL_RUNS:])
    assert {"raw_ti_territoires", "stg_ti_territoires", "mart_ti_portrait", "release", "portraits"} <= rebuilt
    assert not any(a.startswith("raw_flores_a38") or a == "stg_flores_a38" for a in rebuilt)


def test_a_changed_variable_rebuilds_only_the_models_that_read_it(built):
    assert _cli(built, TI_INDUSTRY_SCOPE="C") == 0
    rebuilt = _rebuilt(built, _runs(built)[ALL_RUNS:])
    assert not any(a.startswith("raw_") for a in rebuilt)
    # the models that read industry_scope (int_activites_a38) and what depends on them
    assert {"int_activites_a38", "int_divisions_naf", "mart_ti_indicateurs", "release", "portraits"} <= rebuilt
    assert "stg_ti_communes" not in rebuilt and "int_passage_communes" not in rebuilt, (
        "a model that does not read the variable, nor reads a model that does, is kept"
    )


def test_a_vintage_whose_check_blocked_is_reported_again(tmp_path):
    shutil.copytree(PROJECT_ROOT / "data" / "sample", tmp_path / "sample")
    source = get_source("ti_communes")  # no rejected row allowed: one blocks what is downstream
    path = sample_path(tmp_path / "sample", source, source.releases[0])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '"ABCDE"' + lines[1][lines[1].index(","):]  # not a commune code
    path.write_text("".join(lines), encoding="utf-8")
    assert _cli(tmp_path) == 1
    first = len(_runs(tmp_path))
    assert _cli(tmp_path) == 1, "the blocked source fails its check again"
    with dg.DagsterInstance.from_config(str(tmp_path / "data" / "dagster_home")) as instance:
        failed = [
            e.event_specific_data
            for r in _runs(tmp_path)[first:]
            for e in (x.dagster_event for x in instance.all_logs(r.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION))
            if not e.event_specific_data.passed
        ]
    assert any(c.asset_key.to_user_string() == "raw_ti_communes" for c in failed)


def _lake(data_dir: Path) -> dict[str, bytes]:
    """The raw lake's Parquet rows (not the files' bytes: they carry a retrieval time)."""
    import duckdb

    out = {}
    for f in sorted((data_dir / "lake").rglob("*.parquet")):
        rows = duckdb.sql(f"select * from read_parquet('{f}') order by all").fetchall()
        out[str(f.relative_to(data_dir))] = repr(rows).encode()
    return out


def test_a_backfill_through_the_cli_and_through_dagster_gives_the_same_lake(tmp_path):
    shutil.copytree(PROJECT_ROOT / "data" / "sample", tmp_path / "sample")
    by_cli, by_dagster = tmp_path / "cli", tmp_path / "dagster"
    by_cli.mkdir(), by_dagster.mkdir()
    (by_cli / "sample").symlink_to(tmp_path / "sample")
    (by_dagster / "sample").symlink_to(tmp_path / "sample")

    assert _cli(by_cli, "backfill", "rp_emploi", "2021", "--raw-only") == 0

    from ti_pipeline.definitions import defs

    with pytest.MonkeyPatch.context() as mp:
        _env(mp, by_dagster)
        home = by_dagster / "data" / "dagster_home"
        home.mkdir(parents=True)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
                instance=instance, asset_selection=[dg.AssetKey("raw_rp_emploi")], partition_key="2021"
            )
    assert result.success
    lake = _lake(by_cli / "data")
    assert lake and any("millesime=2021" in f for f in lake) and not any("millesime=2022" in f for f in lake)
    assert lake == _lake(by_dagster / "data")


# ------------------------------------------------------------------------------------------------
# What a new user sees
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["run", "backfill", "catalog", "generate-sample", "portraits", "docs"])
def test_every_sub_command_says_what_it_does(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([command, "--help"])
    assert exit_.value.code == 0
    usage, _, rest = capsys.readouterr().out.partition("\n\n")
    description = rest.split("\n\n")[0]
    assert not description.lstrip().startswith(("options:", "positional arguments:")), f"{command} has no description"


def test_the_catalog_prints_whole_urls(capsys):
    from ti_pipeline.sources.listing import catalog_rows

    assert cli.main(["catalog", "--mode", "live"]) == 0
    out = capsys.readouterr().out
    urls = [r["url"] for r in catalog_rows("live") if str(r["url"]).startswith("http")]
    assert urls and all(u in out for u in urls)
    assert not any(line.rstrip().endswith("…") for line in out.splitlines())


def test_the_instance_the_cli_creates_has_telemetry_off_and_an_operators_file_is_kept(tmp_path, monkeypatch):
    import yaml

    monkeypatch.setenv("TI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    home = cli._prepare_instance_env()
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config["telemetry"] == {"enabled": False} and "storage" not in config  # Dagster's own SQLite storage
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert not instance.telemetry_enabled
    (home / "dagster.yaml").write_text(cli.INSTANCE_YAML_MARKER + "telemetry:\n  enabled: true\n")  # an older one of ours
    cli._prepare_instance_env()
    assert (home / "dagster.yaml").read_text() == cli.LOCAL_INSTANCE_YAML
    own = "telemetry:\n  enabled: false\nstorage:\n  postgres: {}\n"
    (home / "dagster.yaml").write_text(own)
    cli._prepare_instance_env()
    assert (home / "dagster.yaml").read_text() == own, "an operator's dagster.yaml is never touched"
