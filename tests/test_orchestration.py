"""Orchestration: vintages as partitions, backfills, the monthly schedule, the source-release sensor
(against a real local HTTP server), automation downstream and the run policies.

Runs are in process against temporary data directories and Dagster instances; nothing reaches the
internet (the sensor tests point every official host at the local server with TI_MIRROR_URL).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pandas as pd
import pytest

from conftest import run_pipeline
from http_server import local_server, mirrored  # noqa: F401 - fixtures
from test_pipeline import MARTS, read_mart
from ti_pipeline import cli
from ti_pipeline.config import PROJECT_ROOT, Paths, get_paths
from ti_pipeline.defs.partitions import PARTITIONED_SOURCES, is_partitioned, parse_vintages, vintage_keys
from ti_pipeline.defs.plan import all_vintages, newest_vintages, plan_source_runs
from ti_pipeline.defs.automation import retry_allowed
from ti_pipeline.ingest.signals import ReleaseSignal, new_releases
from ti_pipeline.defs.automation import ASSET_JOB, monthly_refresh_requests
from ti_pipeline.sources import catalog
from ti_pipeline.sources.catalog import SOURCES, get_source
from ti_pipeline.sources.download import DownloadError, HostNotAllowed
from ti_pipeline.ingest.obtain import clear_memo


@pytest.fixture(scope="module")
def defs():
    from ti_pipeline.definitions import defs

    return defs


# ------------------------------------------------------------------------------------------------
# Partitions and plans (plain)
# ------------------------------------------------------------------------------------------------
def test_partitions_come_from_the_catalog_newest_first(defs):
    graph = defs.resolve_asset_graph()
    for source in SOURCES:
        node = graph.get(dg.AssetKey(source.asset_name))
        if source.cadence == "annual" or len(source.releases) > 1:
            assert node.partitions_def.get_partition_keys() == [str(m) for m in source.millesimes]
            assert node.backfill_policy == dg.BackfillPolicy.single_run()
        else:
            assert node.partitions_def is None, source.name
    assert [s.name for s in PARTITIONED_SOURCES] == [s.name for s in SOURCES if is_partitioned(s)]
    assert vintage_keys(catalog.RP_EMPLOI) == ("2022", "2021", "2020", "2019", "2016", "2011")
    assert not is_partitioned(catalog.SIRENE_ETABLISSEMENTS)  # a monthly stock replaces the previous one
    # everything downstream of the raw sources is unpartitioned and reads every vintage
    for key in graph.materializable_asset_keys:
        if not key.to_user_string().startswith("raw_"):
            assert graph.get(key).partitions_def is None, key


def test_vintage_ranges_either_direction():
    rp = catalog.RP_EMPLOI
    assert parse_vintages(rp, "2021...2022") == parse_vintages(rp, "2022...2021") == ("2022", "2021")
    assert parse_vintages(rp, "2021") == ("2021",)
    assert parse_vintages(rp, "2021,2022") == ("2022", "2021")
    assert parse_vintages(rp, "all") == ("2022", "2021", "2020", "2019", "2016", "2011")
    assert parse_vintages(rp, "2011...2019") == ("2019", "2016", "2011")
    with pytest.raises(ValueError, match="no vintage '2018'; known: 2022, 2021, 2020, 2019, 2016, 2011"):
        parse_vintages(rp, "2018...2021")
    with pytest.raises(ValueError, match="not partitioned.*--select raw_ti_communes"):
        parse_vintages(catalog.TI_COMMUNES, "2024")


def test_plan_groups_sources_sharing_partitions():
    runs = plan_source_runs(all_vintages(SOURCES))
    # every source in exactly one run; one run per partitions definition, the unpartitioned sources
    # in the first of them (a run fewer)
    assert sorted(a for r in runs for a in r.assets) == sorted(s.asset_name for s in SOURCES)
    by_assets = {r.assets: r.partitions for r in runs}
    assert by_assets[("raw_rp_population",)] == ("2022", "2021")
    # rp_emploi's older vintages (RP 2011 -> 2020) give it partitions of its own: a run of its own
    assert by_assets[("raw_rp_emploi",)] == ("2022", "2021", "2020", "2019", "2016", "2011")
    assert all(r.partitions for r in runs)
    assert len(runs) == len({vintage_keys(s) for s in SOURCES if is_partitioned(s)})
    cog = next(r for r in runs if "raw_cog_communes" in r.assets)
    assert "raw_cog_regions" in cog.assets  # they share the COG zip: one run fetches it once
    unpartitioned = {s.asset_name for s in SOURCES if not is_partitioned(s)}
    assert runs[0].partitions == ("2025",) and set(runs[0].unpartitioned) == unpartitioned <= set(runs[0].assets)
    assert runs[0].label.endswith("[2025] + " + ", ".join(runs[0].unpartitioned))
    rp = next(r for r in runs if "raw_rp_emploi" in r.assets)
    assert rp.partition_tags() == {
        "dagster/asset_partition_range_start": "2022",
        "dagster/asset_partition_range_end": "2011",
    }
    # one vintage per run for the schedule and the sensor
    per_vintage = plan_source_runs(all_vintages(SOURCES), per_vintage=True)
    assert all(len(r.partitions) <= 1 for r in per_vintage)
    assert sum(1 for r in per_vintage if "raw_rp_emploi" in r.assets) == 6
    assert {a for r in per_vintage if not r.partitions for a in r.assets} == unpartitioned  # a run of their own


def test_only_network_failures_are_retried():
    assert retry_allowed(DownloadError("s", "u", "connection failed"))
    assert retry_allowed(DownloadError("s", "u", "gave up", status=503))
    assert retry_allowed(DownloadError("s", "u", "gave up", status=429))
    assert not retry_allowed(DownloadError("s", "u", "moved", status=404))
    assert not retry_allowed(HostNotAllowed("s", "u", "not allowed"))
    assert not retry_allowed(ValueError("schema drift"))


def test_no_asset_has_a_retry_policy(defs):
    """Raw assets request their network retries themselves (RetryRequested with NETWORK_RETRY's
    delays): Dagster applies a step's retry_policy to interrupts too, and Ctrl-C must stop a run
    (tests/test_live_mode.py interrupts one)."""
    from ti_pipeline.defs.automation import NETWORK_RETRY

    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        assert graph.get(key).assets_def.op.retry_policy is None, key
    assert NETWORK_RETRY.backoff == dg.Backoff.EXPONENTIAL and NETWORK_RETRY.jitter == dg.Jitter.PLUS_MINUS
    assert graph.get(dg.AssetKey("release")).assets_def.op.pool == "release"


def test_the_asset_job_name_is_dagsters_implicit_job(defs):
    assert ASSET_JOB == defs.resolve_implicit_global_asset_job_def().name


# ------------------------------------------------------------------------------------------------
# Backfills in process
# ------------------------------------------------------------------------------------------------
def _cli(data_dir: Path, *args: str, sample_dir: Path | None = None) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TI_DATA_DIR", str(data_dir))
        mp.setenv("TI_MODE", "sample")
        mp.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
        if sample_dir is not None:
            mp.setenv("TI_SAMPLE_DIR", str(sample_dir))
        return cli.main([*args, "--log-level", "WARNING"])


def _raw_rows(data_dir: Path, source: str) -> dict[int, int]:
    rows = duckdb.sql(
        f"select millesime, count(*) from read_parquet('{data_dir}/lake/raw/{source}/*/*.parquet', hive_partitioning=true) "
        "group by all order by 1"
    ).fetchall()
    return dict(rows)


def _runs(data_dir: Path) -> list:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
        with dg.DagsterInstance.get() as instance:
            return list(instance.get_runs())


def test_backfill_two_vintages_in_one_run_then_rerun_one(tmp_path, capsys):
    assert _cli(tmp_path, "backfill", "rp_emploi", "2021...2022", "--raw-only") == 0
    out = capsys.readouterr().out
    assert "raw_rp_emploi [2022...2021]" in out and "Rebuilt (2): raw_rp_emploi [2021], raw_rp_emploi [2022]" in out
    first = _raw_rows(tmp_path, "rp_emploi")
    assert set(first) == {2021, 2022} and all(first.values())
    runs = _runs(tmp_path)
    assert len(runs) == 1  # both vintages in one run (single-run backfill policy)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
        with dg.DagsterInstance.get() as instance:
            assert instance.get_materialized_partitions(dg.AssetKey("raw_rp_emploi")) == {"2021", "2022"}

    # re-running one vintage replaces it: same rows, one file per vintage, the other untouched
    other = tmp_path / "lake/raw/rp_emploi/millesime=2022/data.parquet"
    before = other.stat().st_mtime_ns
    assert _cli(tmp_path, "backfill", "raw_rp_emploi", "2021", "--raw-only") == 0
    assert _raw_rows(tmp_path, "rp_emploi") == first
    assert [p.name for p in (tmp_path / "lake/raw/rp_emploi/millesime=2021").glob("*.parquet")] == ["data.parquet"]
    assert other.stat().st_mtime_ns == before


def test_backfill_refuses_unknown_vintages(tmp_path, capsys):
    assert _cli(tmp_path, "backfill", "rp_emploi", "2018") == 2
    assert "known: 2022, 2021, 2020, 2019, 2016, 2011" in capsys.readouterr().err


def test_rerun_of_a_vintage_with_downstream_keeps_the_marts(tmp_path):
    assert run_pipeline(tmp_path) == 0
    paths = Paths(tmp_path, tmp_path)
    before = {m: read_mart(paths, m) for m in MARTS}
    rows = _raw_rows(tmp_path, "rp_population")
    assert _cli(tmp_path, "backfill", "rp_population", "2021") == 0
    assert _raw_rows(tmp_path, "rp_population") == rows
    for mart, df in before.items():
        after = read_mart(paths, mart)
        keys = list(df.columns)
        pd.testing.assert_frame_equal(
            df.sort_values(keys).reset_index(drop=True), after[keys].sort_values(keys).reset_index(drop=True)
        )
    # the backfill rebuilt only what depends on the source: the run of the models left the
    # EPCI staging model alone
    last = _runs(tmp_path)[0]
    assert "stg_rp" in {k.to_user_string() for k in last.asset_selection}
    assert "stg_epci_communes" not in {k.to_user_string() for k in last.asset_selection}


def test_dagster_cli_materializes_a_partition_range(tmp_path):
    # The documented way from a shell, without ti-pipeline: Dagster's own CLI and a range.
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"), "TI_DATA_DIR": str(tmp_path), "TI_MODE": "sample"}
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m", "ti_pipeline.definitions",
         "--select", "raw_rp_population", "--partition-range", "2021...2022"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    # Dagster's range is in partition order, newest first: 2021...2022 is empty, so say it
    assert proc.returncode != 0 or not (tmp_path / "lake/raw/rp_population").exists()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m", "ti_pipeline.definitions",
         "--select", "raw_rp_population", "--partition-range", "2022...2021"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert set(_raw_rows(tmp_path, "rp_population")) == {2021, 2022}


def test_a_missing_sample_file_fails_without_retrying(tmp_path):
    from ti_pipeline.definitions import defs
    from ti_pipeline.launch import backfill_plan, run_plan

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TI_DATA_DIR", str(tmp_path))
        mp.setenv("TI_SAMPLE_DIR", str(tmp_path / "no-sample"))
        mp.setenv("TI_MODE", "sample")
        plan = backfill_plan(defs, catalog.RP_EMPLOI, ("2021",), downstream=False)
        result = run_plan(defs, plan, dg.DagsterInstance.ephemeral(), log_level="ERROR")
    assert not result.success
    assert result.blocked == {"raw_rp_emploi"}
    kinds = [e.event_type_value for e in result.all_events]
    assert "STEP_FAILURE" in kinds and "STEP_UP_FOR_RETRY" not in kinds
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "SampleMissing" in failure.step_failure_data.error.message


# ------------------------------------------------------------------------------------------------
# The monthly schedule
# ------------------------------------------------------------------------------------------------
def test_monthly_schedule_requests_the_newest_vintage_of_every_source(defs):
    schedule = defs.get_schedule_def("monthly_refresh")
    assert schedule.cron_schedule == "0 6 3 * *" and schedule.execution_timezone == "Europe/Paris"
    when = dt.datetime(2026, 12, 3, 6, 0, tzinfo=ZoneInfo("Europe/Paris"))
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, repository_def=defs.get_repository_def()
        )
        data = schedule.evaluate_tick(context)
    requests = data.run_requests
    assert requests and all(r.run_key.startswith("2026-12:") for r in requests)
    assert len({r.run_key for r in requests}) == len(requests)
    got = {}
    for r in requests:
        for key in r.asset_selection:
            got[key.to_user_string()] = r.partition_key
        assert r.tags["ti/trigger"] == "monthly_refresh"
    expected = {s.asset_name: (str(s.millesimes[0]) if is_partitioned(s) else None) for s in SOURCES}
    assert got == expected  # every source once, newest vintage; nothing downstream (automation)
    assert got["raw_rp_emploi"] == "2022" and got["raw_sirene_etablissements"] is None
    # the same requests as the plain function, one per partitions definition and vintage
    assert [r.run_key for r in monthly_refresh_requests("2026-12")] == [r.run_key for r in requests]
    assert len(requests) == len(plan_source_runs(newest_vintages(SOURCES), per_vintage=True))


# ------------------------------------------------------------------------------------------------
# The source-release sensor, against a local HTTP server
# ------------------------------------------------------------------------------------------------
def test_new_release_rules():
    sig = ReleaseSignal("rp_emploi", 2021, "https://x/a.zip", etag='"1"')
    seen = {sig.key: sig}
    never = lambda s, m: False  # noqa: E731
    always = lambda s, m: True  # noqa: E731
    assert new_releases(seen, [sig], never) == []
    changed = ReleaseSignal("rp_emploi", 2021, "https://x/a.zip", etag='"2"')
    assert new_releases(seen, [changed], never) == [changed]
    # first sight: new only if never materialized
    other = ReleaseSignal("rp_emploi", 2022, "https://x/b.zip", etag='"1"')
    assert new_releases(seen, [other], never) == [other]
    assert new_releases(seen, [other], always) == []
    # no validator at all: nothing to compare, never a trigger
    assert new_releases({}, [ReleaseSignal("urssaf_ape", 2024, "https://x/c.csv")], never) == []


@pytest.fixture
def live_catalog(mirrored, monkeypatch):
    """Every release served by the local server at its live path; live mode pointed at it."""
    env = mirrored.publish_catalog(get_paths().sample_dir)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TI_MODE", "live")
    clear_memo()
    return mirrored


def _materialize_everything(instance: dg.DagsterInstance, but: tuple = ()) -> None:
    for source in SOURCES:
        key = dg.AssetKey(source.asset_name)
        for partition in vintage_keys(source) or (None,):
            if (source.name, partition) not in but:
                instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def _tick(defs, instance, cursor):
    sensor = defs.get_sensor_def("source_release_sensor")
    context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
    data = sensor.evaluate_tick(context)
    requested = sorted(
        (tuple(k.to_user_string() for k in r.asset_selection), r.partition_key) for r in data.run_requests
    )
    return requested, data


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def test_sensor_requests_only_new_releases_and_their_assets(defs, live_catalog):
    server = live_catalog
    with dg.instance_for_test() as instance:
        _materialize_everything(instance)

        # first tick: every signal recorded, nothing requested (all vintages are in the lake)
        requested, data = _tick(defs, instance, None)
        assert requested == [], data.skip_message
        cursor = data.cursor
        assert len(set(cursor.split('"url"'))) > 10

        # nothing changed: nothing requested; the probes were conditional (304, no body)
        rp_path = _path(catalog.RP_EMPLOI.release(2021).url)
        requested, data = _tick(defs, instance, cursor)
        assert requested == [] and data.cursor == cursor
        assert server.hits(rp_path)[-1]["headers"].get("If-None-Match") == server.files[rp_path].etag

        # Insee republishes RP 2021 (new ETag): one run, that asset and that vintage only
        server.add_file(rp_path, server.files[rp_path].data + b"\n")
        requested, data = _tick(defs, instance, cursor)
        assert requested == [(("raw_rp_emploi",), "2021")]
        assert data.run_requests[0].tags["ti/trigger"] == "source_release"
        cursor = data.cursor
        # ... and never twice
        requested, data = _tick(defs, instance, cursor)
        assert requested == []
        cursor = data.cursor

        # a server without ETag: Last-Modified alone is the signal. The COG zip feeds two sources,
        # both sharing one partitions definition: one run for both.
        cog_path = _path(catalog.COG_COMMUNES.releases[0].url)
        server.files[cog_path].etag = None
        requested, data = _tick(defs, instance, cursor)  # the ETag disappeared: a new signal
        cursor = data.cursor
        requested, data = _tick(defs, instance, cursor)
        assert requested == []
        server.files[cog_path].last_modified = email.utils.formatdate(1760000000, usegmt=True)
        requested, data = _tick(defs, instance, cursor)
        assert requested == [(("raw_cog_communes", "raw_cog_regions"), "2025")]
        cursor = data.cursor

        # data.gouv.fr: ANCT updates one resource (last_modified): only that source
        slug = catalog.TI_COMMUNES.datagouv.dataset
        resources = server.dataset(slug)["resources"]
        for r in resources:
            if r["title"] == catalog.TI_COMMUNES.releases[0].file_name:
                r["last_modified"] = "2025-02-01T08:00:00+00:00"
        server.set_dataset(slug, resources)
        requested, data = _tick(defs, instance, cursor)
        assert requested == [(("raw_ti_communes",), None)]
        requested, _ = _tick(defs, instance, data.cursor)
        assert requested == []


def test_sensor_requests_vintages_never_materialized(defs, live_catalog):
    with dg.instance_for_test() as instance:
        _materialize_everything(instance, but=(("rp_population", "2022"),))
        requested, _ = _tick(defs, instance, None)
        assert requested == [(("raw_rp_population",), "2022")]


def test_sensor_skips_in_sample_mode(defs, monkeypatch):
    monkeypatch.setenv("TI_MODE", "sample")
    with dg.instance_for_test() as instance:
        requested, data = _tick(defs, instance, None)
    assert requested == [] and "not live" in data.skip_message


# ------------------------------------------------------------------------------------------------
# Automation downstream
# ------------------------------------------------------------------------------------------------
def _everything_materialized(graph, instance) -> None:
    """Record every asset (every vintage) as materialized and every check as passed."""
    for key in graph.materializable_asset_keys:
        source = get_source(key.to_user_string()) if key.to_user_string().startswith("raw_") else None
        for partition in (vintage_keys(source) if source else ()) or (None,):
            instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))
    for check in graph.asset_check_keys:
        instance.report_runless_asset_event(dg.AssetCheckEvaluation(check.asset_key, check.name, passed=True))


def test_a_new_raw_vintage_brings_only_its_downstream(defs, tmp_path, monkeypatch):
    monkeypatch.setenv("TI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TI_MODE", "sample")
    graph = defs.resolve_asset_graph()
    with dg.instance_for_test() as instance:
        _everything_materialized(graph, instance)  # a lake where everything was built ...
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert first.total_requested == 0

        # ... then a real run brings Flores 2024 (its validation check passes)
        job = defs.resolve_implicit_global_asset_job_def()
        run = job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey("raw_flores_a38")], partition_key="2024")
        assert run.success
        second = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
        requested = {r.key.to_user_string() for r in second.results if r.true_subset.size}
        # what depends on Flores, and only that, is requested (in one go: an asset whose parent
        # will be requested on this tick counts as updated)
        downstream = dg.AssetSelection.assets("raw_flores_a38").downstream().resolve(graph)
        assert {k.to_user_string() for k in graph.get(dg.AssetKey("raw_flores_a38")).child_keys} <= requested
        assert requested <= {k.to_user_string() for k in downstream}
        assert "stg_rp" not in requested and "stg_epci_communes" not in requested


def test_new_laureats_bring_their_sirene_establishments(defs, tmp_path, monkeypatch):
    # Sirene is read for the lauréats' SIRENs (its siren_filter): a new lauréats file must bring
    # their establishments in by automation, not wait for the next monthly refresh.
    monkeypatch.setenv("TI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TI_MODE", "sample")
    graph = defs.resolve_asset_graph()
    with dg.instance_for_test() as instance:
        _everything_materialized(graph, instance)
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert first.total_requested == 0

        job = defs.resolve_implicit_global_asset_job_def()
        run = job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey("raw_relance_laureats")])
        assert run.success
        second = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
        requested = {r.key.to_user_string() for r in second.results if r.true_subset.size}
        assert {"raw_sirene_etablissements", "stg_relance_laureats", "stg_sirene_etablissements"} <= requested
        assert not {"raw_laureats_ti", "raw_flores_a38", "stg_rp"} & requested


# ------------------------------------------------------------------------------------------------
# Executor and production instance
# ------------------------------------------------------------------------------------------------
def test_executor_is_in_process_unless_the_environment_says_otherwise():
    from ti_pipeline.defs.automation import EXECUTOR, default_executor_config

    assert default_executor_config({}) == {"in_process": {}}
    assert default_executor_config({"TI_EXECUTOR": "multiprocess", "TI_MAX_CONCURRENT": "8"}) == {
        "multiprocess": {"max_concurrent": 8}
    }
    with pytest.raises(ValueError, match="TI_EXECUTOR"):
        default_executor_config({"TI_EXECUTOR": "celery"})
    # a run may still choose either by run config
    assert set(EXECUTOR.config_schema.as_field().config_type.fields) == {"in_process", "multiprocess"}


def test_production_instance_config_loads(tmp_path, monkeypatch):
    import yaml

    config = yaml.safe_load((PROJECT_ROOT / "docs" / "dagster.production.yaml").read_text())
    # the PostgreSQL storage against a real server: tests/test_postgres.py
    assert set(config.pop("storage")) == {"postgres"}
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.run_monitoring_enabled and instance.freshness_enabled
