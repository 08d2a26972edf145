"""Dagster's local SQLite instance storage, with the event log's connections kept open.

Dagster's ``SqliteEventLogStorage`` creates an SQLAlchemy engine and opens a new SQLite connection
(``NullPool``) for every write, and closes it after. On a WAL database the close of the last
connection checkpoints the log into the database file and deletes the log, so each of the hundreds
of events of a run (an asset check alone is two) pays file creation, syncs and a checkpoint. This is
a known cost of ``NullPool`` on SQLite (sqlalchemy/sqlalchemy#7490). Measured on the sample
(``ti-pipeline run``, one process): 11.1-12.3 s with Dagster's storage, 6.6-6.8 s with connections
kept open (issue 8, docs/benchmarks.md).

``SqliteStorage`` is Dagster's default local storage (same files under ``$DAGSTER_HOME``: runs,
schedules, one event database per run plus the index) with one change, in its event log: each
database file keeps its engine and pooled connections (``PooledSqliteEventLogStorage``), for the
index and the most recent runs' files. ``ti-pipeline`` writes it into the ``dagster.yaml`` it
creates; an operator's own storage (PostgreSQL...) is left alone.

Batches: Dagster hands its storage some events as a batch (``store_event_batch``) when
``DAGSTER_EVENT_BATCH_SIZE`` is set, as ``ti-pipeline`` does: chiefly the "planned" events it
writes when it creates a run, one per asset and check it selected (the downstream run: 167 of
them, 0.9 s written one by one at national scale, all before its first step). Dagster's SQLite
storage writes a batch event by event; here a batch goes into one transaction per database file
and is checkpointed once. Each event is still stored by Dagster's own ``store_event`` (the run's
file, the cross-run index, asset and check tables), so a batch stores exactly what the events
stored one by one would; if anything fails, the batch is rolled back whole and Dagster stores the
events one by one.

Schema questions: Dagster asks the index whether it has a table (``has_table``: the asset-check
table for every check event, the tags table for every tagged materialization) on a new engine
and connection each time, about 300 times in a run of the pipeline. A table found is remembered
(migrations only add tables); a table not found is asked for again.

One behaviour is kept on purpose: after each write to a run's event database the log is
checkpointed into the database file (``PRAGMA wal_checkpoint(PASSIVE)``), as the close did. The
Dagster UI shows a running run's events live by watching that file for changes (its watchdog looks
at ``<run_id>.db`` only, not at the ``-wal`` file); without the checkpoint it would see them late.

Private Dagster API used: ``SqliteEventLogStorage._connect`` (the method that opens a
connection; its body is Dagster's, with the engine kept). ``pyproject.toml`` pins Dagster to 1.13.x,
and the test suite runs every pipeline test on this storage (``tests/test_storage.py`` checks that
it is the one in use, that connections stay open, and that a run's file still changes per event).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator, Sequence

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._core.events.log import EventLogEntry
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine

# Engines kept open: the index and the recent runs' databases. A long-lived process (the Dagster
# UI reads many runs) closes the least recently used beyond this many.
MAX_OPEN_DATABASES = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` whose database files keep their engines (and pooled connections)
    open between writes; see the module docstring."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        self._batch = threading.local()  # .connections: shard -> open transaction, during a batch
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    def has_table(self, table_name: str) -> bool:
        """Whether the index database has ``table_name``. Dagster's opens a new engine and SQLite
        connection for each question, and asks it for every asset check event
        (``supports_asset_checks``) and every tagged materialization: about 300 times in a run of
        the pipeline, 1 ms each. Its migrations add tables and never drop them, so a table found
        is remembered; a table not found is asked for again (another process may migrate)."""
        if table_name in self._tables_found:
            return True
        # asked Dagster's way (a connection of its own): Dagster asks while it holds one of ours
        found = super().has_table(table_name)
        if found:
            self._tables_found.add(table_name)
        return found

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():
            # a forked child must not share its parent's SQLite connections: start afresh
            for engine in self._engines.values():
                engine.dispose(close=False)
            self._engines.clear()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            self._engines[shard] = engine
            while len(self._engines) > MAX_OPEN_DATABASES:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
        else:
            self._engines.move_to_end(shard)
        return engine

    def _ready_engine(self, shard: str) -> Engine:
        engine = self._engine(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:  # Dagster's, with the engine kept
        batch = getattr(self._batch, "connections", None)
        if batch is not None:  # inside store_event_batch: the batch's transaction on this file
            if shard not in batch:
                with self._db_lock:
                    engine = self._ready_engine(shard)
                conn = engine.connect()
                conn.begin()
                batch[shard] = conn
            yield batch[shard]
            return
        with self._db_lock:
            engine = self._ready_engine(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn
                if shard != INDEX_SHARD_NAME:
                    # the run's events into <run_id>.db, which the UI watches (module docstring)
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """The events in one transaction per database file, checkpointed once (module docstring)."""
        if getattr(self._batch, "connections", None) is not None or len(events) < 2:
            for event in events:  # a batch within a batch, or nothing to gain
                self.store_event(event)
            return
        self._batch.connections = connections = {}
        try:
            for event in events:
                self.store_event(event)
        except BaseException:
            for conn in connections.values():
                conn.rollback()
                conn.close()
            raise
        else:
            for shard, conn in connections.items():
                conn.commit()
                if shard != INDEX_SHARD_NAME:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")  # the UI watches the run's file
                conn.close()
        finally:
            self._batch.connections = None

    def close_databases(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self.close_databases()  # the run files are about to be deleted
        self._tables_found.clear()
        super().wipe()

    def dispose(self) -> None:
        self.close_databases()
        super().dispose()


class SqliteStorage(DagsterSqliteStorage):
    """Dagster's default local storage (``DagsterSqliteStorage``, same layout under ``base_dir``)
    with ``PooledSqliteEventLogStorage`` as its event log. In ``dagster.yaml``::

        storage:
          custom:
            module: ti_pipeline.orchestration.storage
            class: SqliteStorage
            config:
              base_dir: {env: DAGSTER_HOME}
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value) -> "SqliteStorage":
        return cls.from_local(inst_data=inst_data, **config_value)  # Dagster's names its own class


__all__ = ["MAX_OPEN_DATABASES", "PooledSqliteEventLogStorage", "SqliteStorage"]
