"""The benchmark peers compute the pipeline's numbers, and the harness measures what it says.

On the embedded sample: the core aggregates of the pipeline's marts, of the DuckDB floor, of the
pandas way and of the pipeline's work run without orchestration are identical
(``benchmarks/aggregates.py``). No timing is asserted: speed is measured
by ``python -m benchmarks.run``, never in tests.
"""

from __future__ import annotations

import sys

import pytest

from ti_pipeline.config import PROJECT_ROOT

# benchmarks/ is a folder of the repository, not of the installed package
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks import aggregates, alternate, floor, measure, pandas_way, stages  # noqa: E402

SAMPLE = PROJECT_ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def pipeline_aggregates(sample_run):
    return aggregates.from_marts(sample_run.marts)


def test_pipeline_aggregates_cover_every_territory(pipeline_aggregates):
    assert len(pipeline_aggregates) == 10
    assert list(pipeline_aggregates.columns) == ["id_ti", *aggregates.COLUMNS]
    row = pipeline_aggregates.set_index("id_ti").loc["ti-8402"]
    # figures of the sample (RP 2022, lauréats placed by their SIRET)
    assert row["population"] > 0 and row["emplois_rp"] >= row["emplois_industrie_rp"] > 0
    assert row["nb_laureats_siret"] >= 1
    assert (pipeline_aggregates[aggregates.COLUMNS] > 0).any().all(), "every aggregate is non-zero somewhere"


@pytest.mark.parametrize("peer", [floor, pandas_way], ids=["floor", "pandas_way"])
def test_peer_gives_the_pipelines_aggregates(peer, pipeline_aggregates):
    report = aggregates.compare(pipeline_aggregates, peer.compute(SAMPLE))
    assert report["identical"], report


def test_the_work_without_orchestration_gives_the_pipelines_aggregates_without_dagster(pipeline_aggregates, tmp_path):
    """``benchmarks.no_orchestration`` in its own process, as the benchmark runs it: every model
    built and every portrait written, the same core aggregates as the pipeline's marts, and neither
    it nor its raw runs ever imported Dagster (else it would measure some orchestration)."""
    import json
    import os
    import subprocess

    from benchmarks.run import run_no_orchestration

    data_dir, report = tmp_path / "work", tmp_path / "work.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TI_", "DAGSTER_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.no_orchestration", "--sample-dir", str(SAMPLE), "--data-dir", str(data_dir),
         "--report", str(report)],
        cwd=PROJECT_ROOT, env={**env, "PYTHONPATH": str(PROJECT_ROOT)}, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    details = json.loads(report.read_text())
    assert details["dagster_imported"] is False and not any(r["dagster_imported"] for r in details["raw_runs"])
    # 43: stg_filosofi, int_filosofi_communes, stg_rp_serie_historique, int_population_historique (issue 24)
    assert details["models"] == 43 and details["portraits"] == 10
    assert set(details["phases"]) == {"raw", "SQL models", "publication"}
    # the same four runs as a full refresh, every raw source ingested once
    assets = [a for r in details["raw_runs"] for a in r["assets"]]
    from ti_pipeline.sources.catalog import SOURCES

    # 6: raw_filosofi's vintages and the census historical series' single vintage are one more run each (issue 24)
    # seven: rp_emploi's vintages (2011-2022) are no longer those of rp_population (a run each)
    assert len(details["raw_runs"]) == 7 and sorted(assets) == sorted(s.asset_name for s in SOURCES)
    assert (data_dir / "catalog.duckdb").is_file() and (data_dir / "portraits").exists()
    report_ = aggregates.compare(pipeline_aggregates, aggregates.from_marts(data_dir / "marts"))
    assert report_["identical"], report_
    # the harness's call: measured, its phases kept, the aggregates read from its marts
    summary, frame = run_no_orchestration(SAMPLE, tmp_path / "harness", None)
    assert summary["returncode"] == 0 and set(summary["phases"]) == {"raw", "SQL models", "publication"}
    assert aggregates.compare(pipeline_aggregates, frame)["identical"]


def test_the_work_without_orchestration_refuses_a_used_data_folder(tmp_path):
    from benchmarks import no_orchestration

    (tmp_path / "lake").mkdir()
    with pytest.raises(SystemExit, match="not empty"):
        no_orchestration.run(SAMPLE, tmp_path)


def test_compare_reports_a_difference(pipeline_aggregates):
    changed = pipeline_aggregates.copy()
    changed.loc[0, "population"] += 1
    report = aggregates.compare(pipeline_aggregates, changed)
    assert not report["identical"]
    assert report["examples"][0]["column"] == "population"


def test_measure_reports_exit_cpu_and_peak_memory(tmp_path):
    # allocate ~200 MB and spin a little: the peak and the CPU time must show it
    code = "import time; b = bytearray(200 * 1024 * 1024); t = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    m = measure.run([sys.executable, "-c", code], interval=0.05)
    assert m.returncode == 0
    assert m.peak_rss_bytes > 150 * 1024 * 1024
    assert m.cpu_s >= 0.2
    assert m.wall_s >= m.cpu_s * 0.5
    assert m.samples


def test_measure_counts_the_cpu_of_a_descendant_never_waited_for(tmp_path):
    # a child spins 0.6 CPU-s, its parent exits without waiting for it (reparented): wait4 does
    # not count it, the tree's samples do (a process per step, a run launcher's subprocess)
    done = tmp_path / "done"
    child = f"import time, pathlib; t = time.process_time()\nwhile time.process_time() - t < 0.6: pass\npathlib.Path({str(done)!r}).touch(); time.sleep(0.5)"
    parent = (
        f"import os, subprocess, sys, time, pathlib; subprocess.Popen([sys.executable, '-c', {child!r}])\n"
        f"while not pathlib.Path({str(done)!r}).exists(): time.sleep(0.02)\n"
        "time.sleep(0.2); os._exit(0)"
    )
    m = measure.run([sys.executable, "-c", parent], interval=0.05)
    assert m.returncode == 0 and done.exists()
    assert m.cpu_user_s + m.cpu_sys_s < 0.5  # the parent alone: imports and polling
    assert m.cpu_s >= 0.6 and m.cpu_s == m.cpu_tree_s


def test_measure_kills_a_run_over_its_memory_budget():
    code = "import time; b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"
    m = measure.run([sys.executable, "-c", code], interval=0.05, mem_limit_bytes=100 * 1024 * 1024)
    assert m.killed_for_memory and m.returncode != 0
    assert m.wall_s < 25


def test_stages_read_from_the_runs_event_log(sample_run):
    steps = stages.read_steps(sample_run.data_dir / "dagster_home")
    keys = {s.key for s in steps}
    assert {"raw_sirene_etablissements", "stg_sirene_etablissements", "mart_ti_indicateurs"} <= keys
    assert all(s.end >= s.start for s in steps)
    assert {stages.stage_of(k) for k in keys} == {"raw", "SQL models", "publication"}
    fake = measure.Measurement(["x"], 0, wall_s=steps[-1].end - steps[0].start + 1, cpu_user_s=1, cpu_sys_s=0,
                               peak_rss_bytes=1, started_at=steps[0].start - 0.5,
                               samples=[(steps[0].start - 0.5, 10, 0.0), (steps[-1].end + 0.5, 20, 1.0)])
    summary = stages.summarize(steps, fake)
    assert {"SQL models", "publication", "orchestration"} <= set(summary["stages"])
    assert summary["stages"]["orchestration"]["wall_s"] >= 0


def test_overlapping_steps_count_once_in_elapsed_time_and_share_cpu():
    """Raw runs run side by side: orchestration is the time no step ran, and two steps running at
    once share the tree's CPU instead of each counting all of it."""
    a = stages.Step("r1", "raw_flores_a38", 0.0, 4.0, "STEP_SUCCESS")
    b = stages.Step("r2", "raw_cog_communes", 2.0, 6.0, "STEP_SUCCESS")
    c = stages.Step("r3", "stg_rp", 7.0, 8.0, "STEP_SUCCESS")
    assert stages._union_length([(s.start, s.end) for s in (a, b, c)]) == 7.0
    # the tree used 2 CPU-seconds per second throughout
    samples = [(t / 10, 0, 2 * t / 10) for t in range(0, 101)]
    m = measure.Measurement(["x"], 0, 10.0, 20.0, 0.0, 0, 0.0, samples=samples)
    summary = stages.summarize([a, b, c], m)
    assert summary["stages"]["orchestration"]["wall_s"] == pytest.approx(3.0)  # 10 s - 7 s covered
    assert summary["phases"]["raw runs"] == {"elapsed_s": 6.0, "step_seconds": 8.0}
    cpu = {r["step"]: r["cpu_s"] for r in summary["steps"]}
    assert cpu["stg_rp"] == pytest.approx(2.0, abs=0.3)
    assert cpu["raw_flores_a38"] + cpu["raw_cog_communes"] == pytest.approx(12.0, abs=1.0)  # not 16


def test_rounds_give_medians_and_the_ratios_of_the_medians():
    from benchmarks.run import combine_rounds, ratios

    def round_of(pipeline, floor, pandas, rerun=2.0, bare=25.0):
        runs = {"pipeline": pipeline, "floor": floor, "pandas_way": pandas, "rerun": rerun, "no_orchestration": bare}
        r = {k: {"returncode": 0, "wall_s": v, "cpu_s": v, "peak_rss_bytes": 1} for k, v in runs.items()}
        r["ratios"] = ratios(r)
        return r

    rounds = [round_of(30.0, 5.0, 70.0), round_of(40.0, 6.0, 60.0), round_of(35.0, 9.0, 80.0, rerun=3.0)]
    combined = combine_rounds(rounds)
    assert combined["medians"]["pipeline"]["wall_s"] == 35.0 and combined["medians"]["floor"]["wall_s"] == 6.0
    assert combined["ratios"] == {
        "pipeline_vs_floor": round(35 / 6, 2), "pandas_vs_pipeline": 2.0, "rerun_share": round(2 / 35, 3),
        "pipeline_vs_no_orchestration": round(35 / 25, 2), "no_orchestration_vs_floor": round(25 / 6, 2),
    }
    assert [q["pandas_vs_pipeline"] for q in combined["ratios_by_round"]] == [2.33, 1.5, 2.29]
    assert len(combined["rounds"]) == 3 and combined["rounds"][2]["floor"]["wall_s"] == 9.0
    # a run that failed in one round has no median, and no ratio is made of it
    rounds[1]["pandas_way"]["returncode"] = 1
    combined = combine_rounds(rounds)
    assert "pandas_way" not in combined["medians"] and "pandas_vs_pipeline" not in combined["ratios"]


def test_the_targets_are_judged_on_the_medians_and_the_worst_round():
    from benchmarks.run import GIB, combine_rounds, ratios, target_checks

    def round_of(pipeline, floor, pandas, peak, rerun=1.0, bare=20.0):
        runs = {"pipeline": pipeline, "floor": floor, "pandas_way": pandas, "rerun": rerun, "no_orchestration": bare}
        r = {k: {"returncode": 0, "wall_s": v, "cpu_s": v, "peak_rss_bytes": 1} for k, v in runs.items()}
        r["pipeline"]["peak_rss_bytes"] = peak
        r["scale"], r["ratios"] = "1", ratios(r)
        return r

    national = combine_rounds([round_of(20.0, 8.0, 90.0, 2 * GIB), round_of(24.0, 9.0, 40.0, 5 * GIB),
                               round_of(22.0, 10.0, 70.0, 3 * GIB, bare=16.0)])
    checks = {c["target"]: c for c in target_checks(national)}
    assert "full run / DuckDB floor" not in checks  # the floor is a reference line, no longer a target
    bare = checks["full run / the same work without orchestration"]
    assert bare["value"] == round(22 / 20, 2) and bare["met"]
    assert checks["pandas way / full run"]["met"]  # 70 / 22 on the medians, though one round gave 40 / 24
    assert not checks["peak memory of the full run, every round"]["met"]  # one round took 5 GiB
    assert checks["re-run with unchanged inputs / full run"]["met"]
    sample = {"scale": "sample", "pipeline": {"returncode": 0, "wall_s": 25.0, "marts_published_s": 14.0}}
    assert [(c["value"], c["met"]) for c in target_checks(sample)] == [(14.0, True)]  # to the marts, not the exit
    assert target_checks({"scale": "0.1", "pipeline": {"returncode": 0, "wall_s": 5.0}}) == []


def test_each_round_turns_the_order_of_the_runs():
    from benchmarks.run import round_order

    names = ["floor", "pandas_way", "pipeline"]
    assert [round_order(names, r) for r in range(4)] == [
        ["floor", "pandas_way", "pipeline"],
        ["pipeline", "floor", "pandas_way"],
        ["pandas_way", "pipeline", "floor"],
        ["floor", "pandas_way", "pipeline"],
    ]
    assert round_order(["pipeline"], 1) == ["pipeline"] and round_order([], 2) == []


def test_alternate_runs_two_versions_in_turn(tmp_path, capsys):
    """``benchmarks.alternate`` on the sample: this commit checked out beside the working tree,
    one full run of each to make their data, then their re-runs in turn."""
    import subprocess

    try:
        assert alternate.main(["--before", "HEAD", "--pairs", "1", "--rerun", "plain", "--scale", "sample",
                               "--work-dir", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "pair 1: before" in out and "pair 1: after" in out
        assert out.count("median") == 2
        assert (tmp_path / "runs" / "alternate-before" / "lake").is_dir()
        assert any((tmp_path / "worktrees").glob("*/ti_pipeline/cli.py"))
    finally:
        for tree in (tmp_path / "worktrees").glob("*"):
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=PROJECT_ROOT, check=False)


def test_command_to_marts_is_the_newest_mart_link_published_since_the_start(sample_run):
    """``stages.marts_published_s``: the target's "command to marts", from the mart links the run
    replaced; none for a run that published nothing after the given start."""
    import os

    marts = sample_run.data_dir / "marts"
    links = [p for p in marts.iterdir() if not p.name.startswith(".")]
    newest = max(os.lstat(p).st_mtime for p in links)
    assert stages.marts_published_s(marts, newest - 5.0) == pytest.approx(5.0, abs=0.01)
    assert stages.marts_published_s(marts, newest + 1.0) is None
    assert stages.marts_published_s(sample_run.data_dir / "no-marts", 0.0) is None
