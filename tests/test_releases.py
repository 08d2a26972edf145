"""Releases: the marts published together with their catalog, or not at all; readers never see an
error or a mix; keeping, pinning, rolling back, comparing; the manifest read by a standard tool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ti_pipeline.releases import store
from ti_pipeline.releases.assemble import ReleaseRefused, candidate_marts, make_release
from ti_pipeline.releases.diff import diff_releases, format_diff
from ti_pipeline.sql_runner import DataTestsFailed, load_project, run_model

from test_sql_runner_support import RAW, models, paths, tree_bytes, write_communes, write_model  # noqa: F401

READER = textwrap.dedent("""
    # Reads the catalog in a loop until told to stop; prints the number of queries, the distinct
    # answers it got, and every error.
    import sys, time, duckdb
    from pathlib import Path
    catalog, stop, ready, mode = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    errors, queries, answers = [], 0, set()
    con = duckdb.connect(str(catalog), read_only=True) if mode == "hold" else None
    while not stop.exists():
        try:
            if mode == "hold":
                a = con.sql("select count(*), sum(population) from mart_ti_population").fetchall()
                b = con.sql("select count(*) from mart_ti_composition").fetchall()
                answers.add(repr((a, b)))
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
    print(len(answers))
    for e in errors:
        print(e)
""")


def refresh(project, paths, **kw):
    """What a refresh does to the SQL side: build every model, then publish a release."""
    for name in project.models:
        run_model(project, name, paths)
    return make_release(project, paths, with_portraits=False, **kw)


def test_a_release_holds_every_mart_its_catalog_and_a_manifest(models, paths):
    project = load_project(models, RAW)
    outcome = refresh(project, paths)
    release = outcome.release
    assert not outcome.kept and release.parent == paths.releases and store.current_release(paths) == release
    # readers open fixed links through releases/current, all relative (the data folder can move)
    for name in ("marts", "catalog.duckdb"):
        assert (paths.data_dir / name).is_symlink() and not os.path.isabs(os.readlink(paths.data_dir / name))
    assert (paths.marts / "mart_ti_population").resolve() == release / "marts" / "mart_ti_population"
    # the files are hard links of the audited builds: no copy
    build = next((paths.builds / "marts" / "mart_ti_composition").iterdir())
    assert os.path.samefile(build / "data.parquet", release / "marts" / "mart_ti_composition" / "data.parquet")
    manifest = json.loads((release / "datapackage.json").read_text())
    resources = {r["name"]: r for r in manifest["resources"]}
    assert set(resources) == {"mart_ti_composition", "mart_ti_population"}
    pop = resources["mart_ti_population"]
    assert pop["ti:row_count"] == 4 and pop["ti:partition_by"] == ["annee"]
    assert sorted(pop["path"]) == ["marts/mart_ti_population/annee=2023/data.parquet", "marts/mart_ti_population/annee=2024/data.parquet"]
    assert [f["name"] for f in pop["schema"]["fields"]] == ["id_ti", "population", "perimetre"]
    assert {t["name"]: t["passed"] for t in pop["ti:tests"]}["population_positive"] is True
    assert {(s["ti:source"], s["ti:millesime"]) for s in manifest["sources"]} == {("communes", 2024), ("communes", 2023), ("laureats", 2024)}
    assert manifest["ti:code"]["sha256"] and manifest["id"] == release.name
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        sql = con.sql("select sql from duckdb_views() where view_name = 'mart_ti_composition'").fetchall()[0][0]
        assert str(release / "marts" / "mart_ti_composition") in sql  # absolute, into the release itself
        assert con.sql("select sum(population) from mart_ti_population where annee = 2024").fetchall() == [(240,)]


def test_the_manifest_is_a_valid_data_package_for_a_standard_tool(models, paths):
    """Any tool reads and validates a release without our code: here the Frictionless framework."""
    frictionless = pytest.importorskip("frictionless")
    release = refresh(load_project(models, RAW), paths).release
    report = frictionless.validate(str(release / "datapackage.json"))
    assert report.valid, report.flatten(["title", "message"])
    package = frictionless.Package(str(release / "datapackage.json"))
    rows = package.get_resource("mart_ti_composition").read_rows()
    assert sorted(r["id_ti"] for r in rows) == ["ti-0001", "ti-0002"]


def test_nothing_is_published_while_a_mart_is_not_up_to_date(models, paths):
    project = load_project(models, RAW)
    first = refresh(project, paths).release
    published = tree_bytes(paths.marts)
    # a new vintage whose population fails a mart's test: that mart keeps its old build
    write_communes(paths, 2025, [("01001", "ti-0001", -10), ("09001", "ti-0009", 5)])
    with pytest.raises(DataTestsFailed):
        for name in project.models:
            run_model(project, name, paths)
    with pytest.raises(ReleaseRefused) as refused:
        make_release(project, paths, with_portraits=False)
    assert "mart mart_ti_population" in str(refused.value) and "not up to date" in str(refused.value)
    # mart_ti_composition was rebuilt with the new territory, yet nothing moved: no mix of states
    with duckdb.connect() as con:
        newest = sorted((paths.builds / "marts" / "mart_ti_composition").iterdir())[-1]
        assert ("ti-0009",) in con.sql(f"select id_ti from '{newest}/data.parquet'").fetchall()
    assert store.current_release(paths) == first and tree_bytes(paths.marts) == published
    assert candidate_marts(project, paths, extras=False).problems == [p for p in refused.value.problems]


def test_an_unchanged_refresh_keeps_the_release_and_force_makes_a_new_one(models, paths):
    project = load_project(models, RAW)
    first = refresh(project, paths)
    again = refresh(project, paths)
    assert again.kept and again.release == first.release
    forced = make_release(project, paths, with_portraits=False, force=True)
    assert not forced.kept and forced.release != first.release and store.current_release(paths) == forced.release


def test_old_releases_are_pruned_but_the_current_and_pinned_ones_stay(models, paths):
    project = load_project(models, RAW)
    first = refresh(project, paths).release
    store.pin(paths, first.name[:20])  # a prefix is enough
    made = [make_release(project, paths, with_portraits=False, force=True).release for _ in range(store.KEEP + 1)]
    kept = store.release_dirs(paths)
    assert kept == sorted(made[-store.KEEP:] + [first], reverse=True)  # the KEEP newest, and the pinned one
    store.pin(paths, first.name, on=False)
    make_release(project, paths, with_portraits=False, force=True)
    assert first not in store.release_dirs(paths) and len(store.release_dirs(paths)) == store.KEEP


def test_rollback_makes_the_previous_release_current(models, paths):
    project = load_project(models, RAW)
    first = refresh(project, paths).release
    write_communes(paths, 2025, [("01001", "ti-0001", 120), ("02001", "ti-0002", 80)])
    second = refresh(project, paths).release
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        assert con.sql("select max(annee) from mart_ti_population").fetchall() == [(2025,)]
    store.make_current(paths, first)
    assert store.current_release(paths) == first and second in store.release_dirs(paths)
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        assert con.sql("select max(annee) from mart_ti_population").fetchall() == [(2024,)]


def test_a_diff_says_rows_sources_and_the_values_that_moved(models, paths):
    write_model(models, "marts/mart_ti_indicateurs.sql", """
        select id_ti, 'population' as code_indicateur, annee, population::double as valeur from int_ti_population
        """)
    project = load_project(models, RAW)
    first = refresh(project, paths).release
    write_communes(paths, 2024, [("01001", "ti-0001", 220), ("01002", "ti-0001", 55), ("02001", "ti-0002", 75)], sha256="cd" * 32)
    second = refresh(project, paths).release
    d = diff_releases(first, second)
    assert {m["mart"]: (m["rows_old"], m["rows_new"]) for m in d.marts}["mart_ti_population"] == (4, 4)
    assert [(s["source"], s["millesime"], s["change"]) for s in d.sources] == [("communes", 2024, "new file")]
    assert d.moved[0]["id_ti"] == "ti-0001" and d.moved[0]["annee"] == 2024
    assert (d.moved[0]["avant"], d.moved[0]["apres"]) == (165.0, 275.0) and len(d.moved) == 1
    text = format_diff(d)
    assert "communes 2024: new file" in text and "ti-0001 population 2024: 165 -> 275 (+66.7 %)" in text


def test_what_a_dead_publication_left_is_removed_and_never_listed(models, paths):
    project = load_project(models, RAW)
    first = refresh(project, paths).release
    (paths.releases / ".tmp-20991231T000000Z-dead").mkdir()
    (paths.releases / "20991231T000000000000Z-deadbeef").mkdir()  # renamed, but no manifest yet
    assert store.release_dirs(paths) == [first]
    removed = store.remove_unfinished(paths)
    assert sorted(p.name for p in removed) == [".tmp-20991231T000000Z-dead", "20991231T000000000000Z-deadbeef"]
    assert store.current_release(paths) == first


def test_the_layout_before_releases_is_replaced_once(models, paths):
    old_marts = paths.marts / "mart_ti_composition"
    old_marts.mkdir(parents=True)
    (old_marts / "data.parquet").write_bytes(b"old")
    paths.catalog_db.write_bytes(b"old catalog")
    refresh(load_project(models, RAW), paths)
    assert paths.marts.is_symlink() and paths.catalog_db.is_symlink()
    assert (paths.marts / "mart_ti_composition" / "data.parquet").read_bytes() != b"old"
    assert not [p for p in paths.data_dir.iterdir() if p.name.startswith(".old-")]


def test_readers_of_the_catalog_see_no_error_and_a_held_release_does_not_change(models, paths, tmp_path):
    """A reader holding a release open through two refreshes sees no error and no change; a reader
    reconnecting each time sees no error either, and the new data once it reconnects."""
    project = load_project(models, RAW)
    refresh(project, paths)
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
        # Two refreshes (new data each time) while the readers query.
        for millesime in (2025, 2026):
            write_communes(paths, millesime, [("01001", "ti-0001", millesime), ("02001", "ti-0002", 1)])
            assert not refresh(project, paths).kept
    finally:
        stop.touch()
    for mode, proc, _ in readers:
        out, err = proc.communicate(timeout=30)
        lines = out.splitlines()
        assert proc.returncode == 0, err
        assert int(lines[0]) > 0 and lines[2:] == [], f"reader {mode} saw errors: {lines[2:]}"
        if mode == "hold":
            assert lines[1] == "1", "the held release changed under its reader"
    # A new connection sees the new data.
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        assert con.sql("select max(annee) from mart_ti_population").fetchall() == [(2026,)]


def test_the_releases_command_lists_shows_diffs_rolls_back_and_pins(models, paths, capsys):
    from ti_pipeline import cli

    project = load_project(models, RAW)
    assert cli.main(["releases"]) == 0 and "No release" in capsys.readouterr().out
    first = refresh(project, paths).release
    write_communes(paths, 2025, [("01001", "ti-0001", 120), ("02001", "ti-0002", 80)], sha256="ef" * 32)
    second = refresh(project, paths).release

    assert cli.main(["releases"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"*  {second.name}") and lines[1].startswith(f"   {first.name}")
    assert "2 marts" in lines[0]
    assert cli.main(["releases", "show"]) == 0
    shown = capsys.readouterr().out
    assert f"Release {second.name}" in shown and "mart_ti_population" in shown and "communes 2025" in shown
    assert cli.main(["releases", "diff"]) == 0
    diff = capsys.readouterr().out
    assert f"Release {first.name} -> {second.name}" in diff and "communes 2025: added" in diff

    assert cli.main(["releases", "rollback"]) == 0
    assert store.current_release(paths) == first and f"Current release: {first.name}" in capsys.readouterr().out
    assert cli.main(["releases", "pin", first.name[:22]]) == 0
    assert f"Pinned {first.name}" in capsys.readouterr().out
    assert cli.main(["releases"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith(f"*P {first.name}")
    assert cli.main(["releases", "show", "nope"]) == 2
    assert "'nope' is not a release" in capsys.readouterr().err
