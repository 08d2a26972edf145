"""The third peer: the pipeline's own work with no orchestration at all.

    python -m benchmarks.no_orchestration --sample-dir benchmarks/data/scale-1.0 --data-dir /tmp/work \
        --report /tmp/no_orchestration.json

The functions ``ti-pipeline run`` calls inside its Dagster steps, called directly, with the same
parallelism and nothing else:

1. raw: the same runs as a full refresh (``defs.plan.plan_source_runs`` of every vintage), one after
   the other in this process, as ``ti-pipeline run`` launches them; in each run, every source's
   vintages obtained, read, validated and written to the lake (``ingest.vintages.ingest_vintages``);
2. the SQL models, several at a time (``sql_runner.scheduler.run_models``), into the same lake and
   marts;
3. the geometry marts, the portraits and the release with its catalog (``geo.marts``, ``releases.assemble``).

What it leaves out is exactly what orchestration adds: Dagster is never imported (the report
says so, ``dagster_imported``), no instance, runs, events, asset checks or metadata (the data
folder must be new). The benchmark runs it beside the pipeline, so that the ratio
pipeline / this peer is what orchestration costs, and this peer / the floor what the work itself
costs (issue 8's "what limits further gains", measured in the same run rather than estimated).

The report (``--report``, JSON) gives each phase's wall time and CPU time, and each raw run's. The core aggregates
are read from the marts it published (``aggregates.from_marts``), as the pipeline's are.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

MODE = "sample"  # the benchmark data is a sample folder at national scale, as the pipeline reads it


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ingest_run(assets: tuple[str, ...], partitions: tuple[str, ...], unpartitioned: tuple[str, ...] = ()) -> dict:
    """One planned raw run, each source's vintages ingested in turn (a source read for the SIRENs
    of others comes after them in its run, as the plan puts it)."""
    from ti_pipeline.ingest.vintages import ingest_vintages
    from ti_pipeline.config import get_paths
    from ti_pipeline.sources.catalog import get_source

    started, cpu = time.perf_counter(), _cpu_seconds()
    paths = get_paths()
    rows = 0
    for asset in assets:
        source = get_source(asset)
        releases = [source.release(int(k)) for k in partitions] if partitions and asset not in unpartitioned else list(source.releases)
        ingested, _ = ingest_vintages(source, releases, paths, MODE)
        rows += sum(i.result.rows_in for i in ingested)
    return {
        "assets": list(assets),
        "partitions": list(partitions),
        "rows_in": rows,
        "wall_s": round(time.perf_counter() - started, 3),
        "cpu_s": round(_cpu_seconds() - cpu, 3),
        "dagster_imported": "dagster" in sys.modules,
    }


def run_raw() -> tuple[list[dict], float]:
    """Every planned raw run, one after the other; their reports and the phase's wall time."""
    from ti_pipeline.defs.plan import all_vintages, plan_source_runs
    from ti_pipeline.sources.catalog import SOURCES

    started = time.perf_counter()
    reports = [ingest_run(run.assets, run.partitions, run.unpartitioned) for run in plan_source_runs(all_vintages(SOURCES))]
    return reports, time.perf_counter() - started


def run_models() -> int:
    """Every SQL model of the project; a model that fails fails the peer, naming it."""
    from ti_pipeline.config import get_paths
    from ti_pipeline.sql_runner.project import pipeline_project
    from ti_pipeline.sql_runner.scheduler import run_models as build

    project = pipeline_project()
    built = 0
    for outcome in build(project, list(project.models), get_paths()):
        if not outcome.succeeded:
            why = outcome.error or f"not built, as {outcome.skipped_because} failed"
            raise RuntimeError(f"model {outcome.name} failed: {why}")
        built += 1
    return built


def publish() -> int:
    """The geometry marts, the portraits and the release (catalog, manifest), as the pipeline's
    last steps; the number of pages."""
    from ti_pipeline.config import get_paths
    from ti_pipeline.geo.marts import build_geo_marts
    from ti_pipeline.releases.assemble import build_release_portraits, make_release
    from ti_pipeline.sql_runner.project import pipeline_project

    paths, project = get_paths(), pipeline_project()
    build_geo_marts(paths)
    portraits = build_release_portraits(project, paths)
    make_release(project, paths)
    return len(portraits.details.territoires)


def run(sample_dir: Path, data_dir: Path) -> dict:
    """The whole work into ``data_dir`` (new or empty); the report of its phases."""
    data_dir = Path(data_dir)
    if data_dir.exists() and any(data_dir.iterdir()):
        raise SystemExit(f"{data_dir} is not empty: this peer measures a first run, into a new data folder")
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update({"TI_MODE": MODE, "TI_SAMPLE_DIR": str(Path(sample_dir).resolve()), "TI_DATA_DIR": str(data_dir.resolve())})
    report: dict = {"phases": {}}

    raw_runs, raw_wall = run_raw()
    report["raw_runs"] = raw_runs
    report["phases"]["raw"] = {"wall_s": round(raw_wall, 3), "cpu_s": round(sum(r["cpu_s"] for r in raw_runs), 3)}
    for phase, count, work in (("SQL models", "models", run_models), ("publication", "portraits", publish)):
        started, cpu = time.perf_counter(), _cpu_seconds()
        report[count] = work()
        report["phases"][phase] = {"wall_s": round(time.perf_counter() - started, 3), "cpu_s": round(_cpu_seconds() - cpu, 3)}
    report["dagster_imported"] = "dagster" in sys.modules or any(r["dagster_imported"] for r in raw_runs)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample-dir", required=True, type=Path)
    parser.add_argument("--data-dir", required=True, type=Path, help="a new folder: the lake, marts and portraits of this run")
    parser.add_argument("--report", type=Path, help="write the phases' times here (JSON)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = run(args.sample_dir, args.data_dir)
    report["wall_s"] = round(time.perf_counter() - started, 3)
    if args.report:
        args.report.write_text(json.dumps(report, indent=1))
    phases = ", ".join(f"{k} {v['wall_s']:.1f} s ({v['cpu_s']:.1f} CPU-s)" for k, v in report["phases"].items())
    print(f"no orchestration: {report['models']} models, {report['portraits']} portraits in {report['wall_s']:.1f} s: {phases}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
