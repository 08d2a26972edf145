"""Atomic publication of mart folders and the read-only DuckDB catalog, with readers running."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ti_pipeline.sql_runner import build_catalog, load_project, run_model
from ti_pipeline.sql_runner import publish

from test_sql_runner_support import RAW, models, paths, tree_bytes, write_communes  # noqa: F401

READER = textwrap.dedent("""
    # Reads the catalog in a loop until told to stop; prints the number of queries and every error.
    import sys, time, duckdb
    from pathlib import Path
    catalog, stop, ready, mode = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    errors, queries = [], 0
    con = duckdb.connect(str(catalog), read_only=True) if mode == "hold" else None
    while not stop.exists():
        try:
            if mode == "hold":
                con.sql("select count(*), sum(population) from mart_ti_population").fetchall()
                con.sql("select count(*) from mart_ti_composition").fetchall()
            else:
                with duckdb.connect(str(catalog), read_only=True) as c:
                    c.sql("select count(*), sum(population) from mart_ti_population").fetchall()
            queries += 1
        except Exception as e:
            errors.append(repr(e))
        if queries == 1:
            ready.touch()
        time.sleep(0.002)
    print(queries)
    for e in errors:
        print(e)
""")


def run_marts(project, paths):
    for name in project.models:
        run_model(project, name, paths)
    build_catalog(paths, [m.name for m in project.marts])


def test_readers_of_the_catalog_see_no_error_during_runs(models, paths, tmp_path):
    project = load_project(models, RAW)
    run_marts(project, paths)
    script = tmp_path / "reader.py"
    script.write_text(READER)
    stop = tmp_path / "stop"
    readers = []
    for mode in ("hold", "reconnect"):
        ready = tmp_path / f"ready_{mode}"
        proc = subprocess.Popen(
            [sys.executable, str(script), str(paths.catalog_db), str(stop), str(ready), mode],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        readers.append((mode, proc, ready))
    try:
        for mode, proc, ready in readers:
            deadline = time.time() + 30
            while not ready.exists():
                assert proc.poll() is None, proc.communicate()
                assert time.time() < deadline, f"reader {mode} never queried"
                time.sleep(0.01)
        # Two full refreshes (new data each time) while the readers query.
        for millesime in (2025, 2026):
            write_communes(paths, millesime, [("01001", "ti-0001", millesime), ("02001", "ti-0002", 1)])
            run_marts(project, paths)
    finally:
        stop.touch()
    for mode, proc, _ in readers:
        out, err = proc.communicate(timeout=30)
        lines = out.splitlines()
        assert proc.returncode == 0, err
        assert int(lines[0]) > 0 and lines[1:] == [], f"reader {mode} saw errors: {lines[1:]}"

    # A new connection sees the new data.
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        assert con.sql("select max(annee) from mart_ti_population").fetchall() == [(2026,)]


def test_catalog_views_are_absolute_and_point_at_published_versions(models, paths, tmp_path, monkeypatch):
    project = load_project(models, RAW)
    for name in ("stg_communes", "mart_ti_composition"):
        run_model(project, name, paths)
    built = build_catalog(paths, ["mart_ti_composition", "mart_ti_population"])
    assert built == {"views": ["mart_ti_composition"], "skipped": ["mart_ti_population"]}
    monkeypatch.chdir(tmp_path)  # readers start anywhere
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        sql = con.sql("select sql from duckdb_views() where view_name = 'mart_ti_composition'").fetchall()[0][0]
        assert str((paths.marts / "mart_ti_composition").resolve()) in sql and "/.versions/" in sql
        assert con.sql("select count(*) from mart_ti_composition").fetchall() == [(2,)]
    assert [p.name for p in paths.catalog_db.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_publish_replaces_a_plain_directory_once(tmp_path):
    marts = tmp_path / "marts"
    (marts / "mart_x").mkdir(parents=True)
    (marts / "mart_x" / "data.parquet").write_bytes(b"old")
    candidate = publish.new_candidate_dir(marts, "mart_x")
    (candidate / "data.parquet").write_bytes(b"new")
    version = publish.publish_candidate(marts, "mart_x", candidate)
    assert (marts / "mart_x").is_symlink()
    assert (marts / "mart_x" / "data.parquet").read_bytes() == b"new"
    assert publish.current_version_dir(marts, "mart_x") == version
    legacy = [p for p in (marts / ".versions" / "mart_x").iterdir() if "legacy" in p.name]
    assert len(legacy) == 1 and (legacy[0] / "data.parquet").read_bytes() == b"old"
    # The symlink is relative: the data folder can be moved.
    assert not Path(str((marts / "mart_x").readlink())).is_absolute()
    moved = tmp_path / "moved"
    marts.rename(moved)
    assert (moved / "mart_x" / "data.parquet").read_bytes() == b"new"


def test_stale_candidates_of_killed_runs_are_removed(tmp_path, monkeypatch):
    marts = tmp_path / "marts"
    stale = publish.new_candidate_dir(marts, "mart_x")
    fresh_other = publish.new_candidate_dir(marts, "mart_y")
    monkeypatch.setattr(publish.time, "time", lambda: stale.stat().st_mtime + publish.STALE_CANDIDATE_SECONDS + 1)
    current = publish.new_candidate_dir(marts, "mart_x")
    assert not stale.exists() and current.exists() and fresh_other.exists()


def test_never_published(tmp_path):
    assert publish.current_version_dir(tmp_path, "mart_x") is None


def test_versions_read_by_the_catalog_survive_republishing_without_a_catalog_rebuild(models, paths):
    project = load_project(models, RAW)
    run_marts(project, paths)
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        listed = dict(con.sql("select mart, version_dir from catalog_marts").fetchall())
    assert listed["mart_ti_composition"] == (paths.marts / "mart_ti_composition").resolve().as_posix()
    for _ in range(publish.KEEP + 2):  # e.g. an engineer re-running one mart from the UI
        run_model(project, "mart_ti_composition", paths)
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        assert con.sql("select count(*) from mart_ti_composition").fetchall() == [(2,)]
    assert len(list((paths.marts / ".versions" / "mart_ti_composition").iterdir())) == publish.KEEP + 1
