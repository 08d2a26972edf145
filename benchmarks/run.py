"""The benchmark command: the pipeline and its two peers on national-scale data, measured together.

    .venv/bin/python -m benchmarks.run --scale 1.0            # national: pipeline, re-run, floor, pandas
    .venv/bin/python -m benchmarks.run --scale 0.1 0.3 1.0    # the scaling curve
    .venv/bin/python -m benchmarks.run --scale sample         # the committed sample (orchestration overhead)

For each scale: the data is generated once under ``benchmarks/data/scale-<x>/`` (git-ignored,
reproducible from ``--seed``); then, each in its own subprocess, measured by ``measure``:

1. the floor (``benchmarks/floor.py``) and the usual way (``benchmarks/pandas_way.py``);
2. the pipeline, ``ti-pipeline run`` in sample mode over that data, into a fresh data folder
   ``benchmarks/data/runs/scale-<x>/`` — per stage from its own Dagster event log (``stages``);
3. the same command again with unchanged inputs (the re-run: ``orchestration.up_to_date`` finds
   nothing to do and launches no run), then once more with ``--force`` (every run launched, each
   step skipping its unchanged work: what a schedule, a sensor or the UI costs).

The three give the same core aggregates (``aggregates``; checked here at every scale, and on the
sample by ``tests/test_benchmarks.py``). Results: ``benchmarks/results/<date>-<scales>.json`` and
a readable table on stdout. Timings on a shared machine are noisy: compare ratios within one run,
and with ``--repeat N`` (N rounds of all of it, one after the other) the ratios of the medians and
each round's, so that one lucky or unlucky round does not decide a target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import aggregates, measure, stages

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
GIB = 1024**3

TARGETS = {
    "pipeline_vs_floor_max": 2.0,  # full run at most 2x the floor
    "pandas_vs_pipeline_min": 2.0,  # at least 2x faster than pandas
    "peak_memory_max_bytes": 4 * GIB,
    "rerun_share_max": 0.10,  # re-run at most 10% of the full run
    "sample_overhead_max_s": 20.0,
}


def scale_label(scale: str) -> str:
    return scale if scale == "sample" else f"{float(scale):g}"


def data_dir(scale: str) -> Path:
    if scale == "sample":
        return ROOT / "data" / "sample"
    return DATA / f"scale-{float(scale):.1f}"


def ensure_data(scale: str, seed: int) -> Path:
    """Generate the data of ``scale`` once (a marker records scale and seed: same seed, same bytes)."""
    out = data_dir(scale)
    if scale == "sample":
        return out
    marker = out / ".generated.json"
    wanted = {"scale": float(scale), "seed": seed}
    if marker.exists() and {k: json.loads(marker.read_text()).get(k) for k in wanted} == wanted:
        return out
    shutil.rmtree(out, ignore_errors=True)
    print(f"generating scale {scale} (seed {seed}) into {out} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ti_pipeline.cli", "generate-sample", "--scale", str(float(scale)), "--seed", str(seed), "--out", str(out)],
        check=True,
        cwd=ROOT,
    )
    marker.write_text(json.dumps({**wanted, "seconds": round(time.perf_counter() - started, 1)}))
    return out


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    versions = {}
    for name in ("duckdb", "pandas", "pyarrow", "pandera", "dagster"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "memory_bytes": mem,
        "cpu_model": model,
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": commit,
        "loadavg_at_start": os.getloadavg(),
    }


def _env(sample_dir: Path, run_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TI_", "DAGSTER_"))}
    env.update({"TI_MODE": "sample", "TI_SAMPLE_DIR": str(sample_dir), "PYTHONPATH": str(ROOT)})
    if run_dir is not None:
        env.update({"TI_DATA_DIR": str(run_dir), "DAGSTER_HOME": str(run_dir / "dagster_home")})
    return env


def run_peer(name: str, sample_dir: Path, work: Path, mem_limit: int | None) -> tuple[dict, object]:
    out = work / f"{name}.parquet"
    out.unlink(missing_ok=True)
    m = measure.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--sample-dir", str(sample_dir), "--out", str(out)],
        env=_env(sample_dir), cwd=ROOT, log_path=work / f"{name}.log", mem_limit_bytes=mem_limit,
    )
    import pandas as pd

    frame = pd.read_parquet(out) if m.returncode == 0 and out.exists() else None
    return m.summary(), frame


def run_pipeline(
    sample_dir: Path, run_dir: Path, label: str, mem_limit: int | None, *extra: str
) -> tuple[dict, measure.Measurement]:
    m = measure.run(
        [sys.executable, "-m", "ti_pipeline.cli", "run", "--log-level", "WARNING", *extra],
        env=_env(sample_dir, run_dir), cwd=ROOT, log_path=run_dir.parent / f"{run_dir.name}-{label}.log",
        mem_limit_bytes=mem_limit,
    )
    steps = [s for s in stages.read_steps(run_dir / "dagster_home") if s.start >= m.started_at] if (run_dir / "dagster_home").exists() else []
    return {**m.summary(), **stages.summarize(steps, m)}, m


def bench_scale(scale: str, args) -> dict:
    """``args.repeat`` rounds of every measured run at ``scale``; the first round's runs in full
    (stages, steps), then every round's numbers and their medians (``rounds``, ``medians``), and
    the ratios of the medians (``ratios``) beside each round's (``ratios_by_round``)."""
    rounds = []
    for number in range(1, args.repeat + 1):
        if args.repeat > 1:
            print(f"[{scale_label(scale)}] round {number} of {args.repeat}", flush=True)
        rounds.append(bench_round(scale, args))
    return combine_rounds(rounds) if len(rounds) > 1 else rounds[0]


def combine_rounds(rounds: list[dict]) -> dict:
    """The first round in full, with every round's runs (``rounds``), the medians of the runs that
    succeeded in every round (``medians``), each round's ratios and the ratios of the medians."""
    result = dict(rounds[0])
    ok = [k for k in RUN_KEYS if all(r.get(k, {}).get("returncode") == 0 for r in rounds)]
    result["rounds"] = [{k: _brief(r[k]) for k in RUN_KEYS if k in r} for r in rounds]
    result["medians"] = {
        k: {m: statistics.median(r[k][m] for r in rounds) for m in ("wall_s", "cpu_s", "peak_rss_bytes")} for k in ok
    }
    result["ratios_by_round"] = [r["ratios"] for r in rounds]
    result["ratios"] = ratios({k: {"returncode": 0, **v} for k, v in result["medians"].items()})
    return result


RUN_KEYS = ("pipeline", "rerun", "rerun_forced", "floor", "pandas_way")


def _brief(run: dict) -> dict:
    return {k: run[k] for k in ("returncode", "wall_s", "cpu_s", "peak_rss_bytes") if k in run}


def bench_round(scale: str, args) -> dict:
    sample_dir = ensure_data(scale, args.seed)
    label = scale_label(scale)
    work = DATA / "runs"
    work.mkdir(parents=True, exist_ok=True)
    run_dir = work / f"scale-{label}"
    mem_limit = int(args.mem_limit_gib * GIB) if args.mem_limit_gib else None
    result: dict = {"scale": label, "sample_dir": str(sample_dir.relative_to(ROOT))}
    frames = {}
    for peer in args.peers:
        print(f"[{label}] {peer} ...", flush=True)
        result[peer], frames[peer] = run_peer(peer, sample_dir, work, mem_limit)
        print(f"[{label}] {peer}: {fmt_run(result[peer])}", flush=True)
    print(f"[{label}] pipeline (full run) ...", flush=True)
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    result["pipeline"], _ = run_pipeline(sample_dir, run_dir, "full", mem_limit)
    print(f"[{label}] pipeline: {fmt_run(result['pipeline'])}", flush=True)
    if result["pipeline"]["returncode"] == 0:
        frames["pipeline"] = aggregates.from_marts(run_dir / "marts")
        if not args.no_rerun:
            print(f"[{label}] pipeline (re-run, unchanged inputs) ...", flush=True)
            result["rerun"], _ = run_pipeline(sample_dir, run_dir, "rerun", mem_limit)
            print(f"[{label}] re-run: {fmt_run(result['rerun'])}", flush=True)
            # --force: every run launched, each step skipping its unchanged work inside (what a
            # schedule, a sensor or the UI costs when nothing changed)
            print(f"[{label}] pipeline (re-run --force, unchanged inputs) ...", flush=True)
            result["rerun_forced"], _ = run_pipeline(sample_dir, run_dir, "rerun-forced", mem_limit, "--force")
            print(f"[{label}] re-run --force: {fmt_run(result['rerun_forced'])}", flush=True)
    if "pipeline" in frames:
        result["aggregates"] = {
            peer: aggregates.compare(frames["pipeline"], frames[peer]) for peer in args.peers if frames.get(peer) is not None
        }
        result["territories"] = len(frames["pipeline"])
    result["ratios"] = ratios(result)
    return result


def ratios(r: dict) -> dict:
    out = {}
    p = r.get("pipeline", {})
    if p.get("returncode") == 0:
        if r.get("floor", {}).get("returncode") == 0:
            out["pipeline_vs_floor"] = round(p["wall_s"] / r["floor"]["wall_s"], 2)
        if r.get("pandas_way", {}).get("returncode") == 0:
            out["pandas_vs_pipeline"] = round(r["pandas_way"]["wall_s"] / p["wall_s"], 2)
        if r.get("rerun", {}).get("returncode") == 0:
            out["rerun_share"] = round(r["rerun"]["wall_s"] / p["wall_s"], 3)
        if r.get("rerun_forced", {}).get("returncode") == 0:
            out["rerun_forced_share"] = round(r["rerun_forced"]["wall_s"] / p["wall_s"], 3)
    return out


def fmt_bytes(n: int) -> str:
    return f"{n / GIB:.2f} GiB" if n >= GIB / 4 else f"{n / 1024**2:.0f} MiB"


def fmt_run(r: dict) -> str:
    status = "ok" if r["returncode"] == 0 else ("KILLED (memory budget)" if r.get("killed_for_memory") else f"FAILED rc={r['returncode']}")
    return f"{status}, wall {r['wall_s']:.1f} s, CPU {r['cpu_s']:.1f} s, peak {fmt_bytes(r['peak_rss_bytes'])}"


def table(results: list[dict]) -> str:
    lines = ["| scale | run | wall (s) | CPU (s) | peak memory | status |", "|---|---|---:|---:|---:|---|"]
    for r in results:
        for key, name in (("pipeline", "pipeline, full run"), ("rerun", "pipeline, re-run"), ("rerun_forced", "pipeline, re-run --force"),
                          ("floor", "floor (DuckDB)"), ("pandas_way", "usual way (pandas)")):
            if key in r:
                x = r[key]
                status = "ok" if x["returncode"] == 0 else ("killed: memory budget" if x.get("killed_for_memory") else f"failed ({x['returncode']})")
                lines.append(f"| {r['scale']} | {name} | {x['wall_s']:.1f} | {x['cpu_s']:.1f} | {fmt_bytes(x['peak_rss_bytes'])} | {status} |")
    lines += ["", "| scale | stage (pipeline, full run) | wall (s) | CPU (s) | peak memory |", "|---|---|---:|---:|---:|"]
    for r in results:
        for key, label in (("pipeline", ""), ("rerun", " (re-run)"), ("rerun_forced", " (re-run --force)")):
            for stage, x in r.get(key, {}).get("stages", {}).items():
                lines.append(f"| {r['scale']} | {stage}{label} | {x['wall_s']:.1f} | {x['cpu_s']:.1f} | {fmt_bytes(x['peak_rss_bytes'])} |")
            raw = r.get(key, {}).get("phases", {}).get("raw runs")
            if raw and raw["step_seconds"]:
                lines.append(f"| {r['scale']} | raw runs{label}, elapsed (their steps: {raw['step_seconds']:.1f} s) | {raw['elapsed_s']:.1f} | | |")
    if any("rounds" in r for r in results):
        lines += ["", "| scale | round | pipeline (s) | floor (s) | pandas (s) | pipeline / floor | pandas / pipeline |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for r in results:
            for number, (runs, q) in enumerate(zip(r.get("rounds", []), r.get("ratios_by_round", [])), 1):
                walls = [f"{runs[k]['wall_s']:.1f}" if k in runs else "n/a" for k in ("pipeline", "floor", "pandas_way")]
                lines.append(f"| {r['scale']} | {number} | {' | '.join(walls)} | {q.get('pipeline_vs_floor', 'n/a')} | {q.get('pandas_vs_pipeline', 'n/a')} |")
            if "medians" in r:
                walls = [f"{r['medians'][k]['wall_s']:.1f}" if k in r["medians"] else "n/a" for k in ("pipeline", "floor", "pandas_way")]
                q = r["ratios"]
                lines.append(f"| {r['scale']} | median | {' | '.join(walls)} | {q.get('pipeline_vs_floor', 'n/a')} | {q.get('pandas_vs_pipeline', 'n/a')} |")
    lines += ["", "| scale | pipeline / floor | pandas / pipeline | re-run / full | aggregates identical |", "|---|---:|---:|---:|---|"]
    for r in results:
        q = r.get("ratios", {})
        same = ", ".join(f"{k}: {'yes' if v['identical'] else 'NO'}" for k, v in r.get("aggregates", {}).items()) or "n/a"
        lines.append(f"| {r['scale']} | {q.get('pipeline_vs_floor', 'n/a')} | {q.get('pandas_vs_pipeline', 'n/a')} | {q.get('rerun_share', 'n/a')} | {same} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", nargs="+", default=["1.0"], help="fractions of national (0.1 0.3 1.0) or 'sample'")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--peers", nargs="*", default=["floor", "pandas_way"], choices=["floor", "pandas_way"])
    parser.add_argument("--no-rerun", action="store_true", help="skip the re-run with unchanged inputs")
    parser.add_argument("--mem-limit-gib", type=float, default=16.0, help="kill a measured run above this tree RSS (0: none)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="rounds of every run (pipeline and peers one after the other, N times): medians and each round's ratios")
    parser.add_argument("--out", type=Path, help="result JSON (default: benchmarks/results/<date>-<scales>.json)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    info = machine()
    results = [bench_scale(s, args) for s in args.scale]
    stamp = datetime.now(timezone.utc)
    report = {"generated_at": stamp.isoformat(timespec="seconds"), "machine": info, "targets": TARGETS, "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = args.out or RESULTS / f"{stamp:%Y%m%d-%H%M%S}-scale-{'-'.join(scale_label(s) for s in args.scale)}.json"
    out.write_text(json.dumps(report, indent=1, default=str))
    print()
    print(f"machine: {info['nproc']} cores, {info['memory_bytes'] / GIB:.0f} GiB, {info['cpu_model']}, load {info['loadavg_at_start']}")
    print(table(results))
    print(f"\nresults: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
