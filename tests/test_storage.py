"""The Dagster instance ``ti-pipeline`` writes (orchestration.storage, cli's dagster.yaml).

Its event log keeps its SQLite connections open between events (counted here against Dagster's own
storage), a run's events still reach a Dagster UI that watches the run live (a second instance on
the same folder, as the webserver is), and the ``dagster.yaml`` is ours to update but never an
operator's.
"""

from __future__ import annotations

import os
import threading
import time

import dagster as dg
import pytest
import sqlalchemy

from ti_pipeline import cli
from ti_pipeline.orchestration.storage import MAX_OPEN_DATABASES, PooledSqliteEventLogStorage

DAGSTER_DEFAULT_YAML = "telemetry:\n  enabled: false\n"  # no storage key: Dagster's own SQLite storage


def _home(tmp_path, monkeypatch, yaml: str | None = None):
    home = tmp_path / "dagster_home"
    home.mkdir()
    if yaml is not None:
        (home / "dagster.yaml").write_text(yaml)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@dg.op
def _noop() -> None:
    return None


@dg.job
def _tiny_job() -> None:
    _noop()


def _count_new_connections(home, events: int) -> int:
    """SQLite connections opened while ``events`` engine events of one run are stored."""
    opened = []

    def on_connect(dbapi_connection, connection_record) -> None:
        opened.append(1)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        run = instance.create_run_for_job(_tiny_job)
        instance.report_engine_event("warm-up", run)  # creates the run's file
        sqlalchemy.event.listen(sqlalchemy.engine.Engine, "connect", on_connect)
        try:
            for i in range(events):
                instance.report_engine_event(f"event {i}", run)
        finally:
            sqlalchemy.event.remove(sqlalchemy.engine.Engine, "connect", on_connect)
    return len(opened)


def test_the_cli_instance_keeps_event_log_connections_open(tmp_path, monkeypatch):
    home = _home(tmp_path, monkeypatch)
    cli._prepare_instance_env()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    assert _count_new_connections(home, events=50) <= 2


def test_dagster_default_storage_opens_a_connection_per_event(tmp_path, monkeypatch):
    """The comparison that makes the test above meaningful: the same events on Dagster's storage."""
    home = _home(tmp_path, monkeypatch, DAGSTER_DEFAULT_YAML)
    cli._prepare_instance_env()  # an operator's own dagster.yaml: left as it is
    assert (home / "dagster.yaml").read_text() == DAGSTER_DEFAULT_YAML
    assert _count_new_connections(home, events=50) >= 50


def test_a_run_watched_from_another_instance_gets_its_events_live(tmp_path, monkeypatch):
    """The Dagster UI shows a running run's events as they come by watching the run's database
    file; the writer's connection stays open, so each write must still reach that file."""
    home = _home(tmp_path, monkeypatch)
    cli._prepare_instance_env()
    received: list[str] = []
    arrived = threading.Event()

    def on_event(entry, cursor) -> None:
        received.append(entry.message or "")
        if any("live 3" in m for m in received):
            arrived.set()

    with dg.DagsterInstance.from_config(str(home)) as writer, dg.DagsterInstance.from_config(str(home)) as ui:
        run = writer.create_run_for_job(_tiny_job)
        writer.report_engine_event("live 0", run)
        ui.watch_event_logs(run.run_id, None, on_event)
        time.sleep(0.5)  # the watcher is scheduled
        for i in range(1, 4):
            writer.report_engine_event(f"live {i}", run)
        assert arrived.wait(timeout=15), f"the watching instance received only {received}"
        ui.end_watch_event_logs(run.run_id, on_event)


def test_open_databases_are_bounded(tmp_path, monkeypatch):
    """A long-lived process (the UI reads many runs) keeps at most MAX_OPEN_DATABASES files open."""
    home = _home(tmp_path, monkeypatch)
    cli._prepare_instance_env()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for _ in range(MAX_OPEN_DATABASES + 4):
            run = instance.create_run_for_job(_tiny_job)
            instance.report_engine_event("hello", run)
        storage = instance.event_log_storage
        assert len(storage._engines) == MAX_OPEN_DATABASES
        assert len(instance.get_runs()) == MAX_OPEN_DATABASES + 4
        # every run's events are still there, read back through closed and reopened files
        assert all(
            any(e.message == "hello" for e in instance.all_logs(r.run_id)) for r in instance.get_runs()
        )


@pytest.mark.parametrize(
    "existing",
    [
        pytest.param(cli.EARLIER_INSTANCE_YAMLS[0], id="written-by-an-earlier-version"),
        pytest.param(cli.INSTANCE_YAML_MARKER + "storage:\n  sqlite:\n    base_dir: /moved/away\n", id="ours-moved"),
    ],
)
def test_a_dagster_yaml_we_wrote_is_brought_up_to_date(tmp_path, monkeypatch, existing):
    home = _home(tmp_path, monkeypatch, existing)
    cli._prepare_instance_env()
    assert (home / "dagster.yaml").read_text() == cli.local_instance_yaml(home.resolve())


def test_an_operators_dagster_yaml_is_never_touched(tmp_path, monkeypatch):
    own = "storage:\n  postgres:\n    postgres_url: postgresql://ops@db/dagster\n"
    home = _home(tmp_path, monkeypatch, own)
    cli._prepare_instance_env()
    assert (home / "dagster.yaml").read_text() == own


def _planned_run(instance, batch: bool, monkeypatch) -> str:
    """A run of 20 assets with a check each, its planned events batched or not."""
    if batch:
        monkeypatch.setenv(cli.EVENT_BATCH_ENV, "1000")
    else:
        monkeypatch.delenv(cli.EVENT_BATCH_ENV, raising=False)

    @dg.multi_asset(specs=[dg.AssetSpec(f"m{i}") for i in range(20)],
                    check_specs=[dg.AssetCheckSpec(f"c{i}", asset=f"m{i}") for i in range(20)])
    def many():
        for i in range(20):
            yield dg.MaterializeResult(asset_key=f"m{i}", check_results=[dg.AssetCheckResult(asset_key=f"m{i}", check_name=f"c{i}", passed=True)])

    result = dg.materialize([many], instance=instance)
    assert result.success
    return result.run_id


def test_batched_events_are_stored_as_one_by_one(tmp_path, monkeypatch):
    """Dagster batches a run's planned events when DAGSTER_EVENT_BATCH_SIZE is set (the CLI sets it
    with its storage): stored in a few transactions, they must be the same events, in the same
    indexes, as stored one by one."""
    home = _home(tmp_path, monkeypatch)
    cli._prepare_instance_env()
    assert cli.EVENT_BATCH_ENV in os.environ
    commits: list[int] = []

    def on_commit(conn) -> None:
        commits.append(1)

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "commit", on_commit)
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            _planned_run(instance, batch=False, monkeypatch=monkeypatch)  # creates the index's tables
            before = len(commits)
            one_by_one = _planned_run(instance, batch=False, monkeypatch=monkeypatch)
            commits_one_by_one = len(commits) - before
            batched = _planned_run(instance, batch=True, monkeypatch=monkeypatch)
            commits_batched = len(commits) - before - commits_one_by_one

            def kinds(run_id):
                return sorted(e.dagster_event.event_type_value for e in instance.all_logs(run_id) if e.dagster_event)

            assert kinds(batched) == kinds(one_by_one)
            assert kinds(batched).count("ASSET_MATERIALIZATION_PLANNED") == 20
            assert kinds(batched).count("ASSET_CHECK_EVALUATION_PLANNED") == 20
            # the cross-run index knows the batched run's planned materializations and checks
            planned = instance.get_latest_planned_materialization_info(dg.AssetKey("m7"))
            assert planned is not None and planned.run_id == batched
            history = instance.event_log_storage.get_asset_check_execution_history(
                dg.AssetCheckKey(dg.AssetKey("m7"), "c7"), limit=5
            )
            assert [r.run_id for r in history][:2] == [batched, one_by_one]
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "commit", on_commit)
    # the 40 planned events went into a few transactions instead of one (or more) each
    assert commits_batched < commits_one_by_one - 40, (commits_batched, commits_one_by_one)


def test_a_failed_batch_leaves_nothing_half_written(tmp_path, monkeypatch):
    home = _home(tmp_path, monkeypatch)
    cli._prepare_instance_env()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run = instance.create_run_for_job(_tiny_job)
        instance.report_engine_event("before", run)
        storage = instance.event_log_storage
        entries = [e for e in instance.all_logs(run.run_id)]
        good = entries[-1]
        with pytest.raises(Exception, match="not a EventLogEntry"):
            storage.store_event_batch([good, "not an event"])  # the second fails inside the batch
        # the first event of the failed batch was rolled back with it
        assert [e.message for e in instance.all_logs(run.run_id)].count("before") == 1
        storage.store_event_batch([good, good])
        assert [e.message for e in instance.all_logs(run.run_id)].count("before") == 3


def test_a_table_found_in_the_index_is_not_asked_for_again(tmp_path, monkeypatch):
    """Dagster asks whether the index has the asset-check table for every check event, each time on
    a new SQLite connection; a table found stays found, a missing one is asked for again."""
    import sqlite3

    home = _home(tmp_path, monkeypatch)
    cli._prepare_instance_env()
    opened = []

    def on_connect(dbapi_connection, connection_record) -> None:
        opened.append(1)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        assert storage.has_table("asset_check_executions")
        sqlalchemy.event.listen(sqlalchemy.engine.Engine, "connect", on_connect)
        try:
            assert all(storage.supports_asset_checks for _ in range(20))
            assert opened == []
            assert not storage.has_table("table_added_later")
            index = next(home.rglob("index.db"))
            with sqlite3.connect(index) as con:  # another process's migration adds it
                con.execute("create table table_added_later (id integer)")
            assert storage.has_table("table_added_later")
            assert len(opened) == 2
        finally:
            sqlalchemy.event.remove(sqlalchemy.engine.Engine, "connect", on_connect)
