"""Before/after of a change: ``ti-pipeline run`` of two versions of the code, alternated, same data.

    python -m benchmarks.alternate --before 193ed40 --pairs 6              # full national runs
    python -m benchmarks.alternate --before HEAD~1 --pairs 6 --rerun force  # forced re-runs

The machines are noisy (the same run varies by several seconds): one run of each version says
little, and runs of a version in a row share the machine's mood of the moment. This alternates
them (before, after; then after, before...) on the same national data (``benchmarks.run``
generates it), each full run into a fresh data folder, and prints every wall time (command start
to its process's exit) and the medians. ``--before`` is checked out as a git worktree under
``benchmarks/data/worktrees/`` and run with that tree first on ``PYTHONPATH`` (the same
virtualenv); ``--after`` is this working tree unless given. ``--rerun``: instead of full runs, the
re-run with nothing to do (``plain``) or with ``--force``, on each version's data folder (made by
one full run first, not counted).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.run import DATA as DATA_ROOT, ROOT, ensure_data

def worktree(rev: str, work_dir: Path) -> Path:
    """A checkout of ``rev`` under ``work_dir/worktrees`` (reused when already there)."""
    commit = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    path = work_dir / "worktrees" / commit[:12]
    if not (path / "ti_pipeline").is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", "--force", str(path), commit], cwd=ROOT, check=True,
                       capture_output=True)
    return path


def run_once(tree: Path, data_dir: Path, sample_dir: Path, extra: list[str], fresh: bool) -> float:
    if fresh:
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TI_", "DAGSTER_"))}
    env.update(TI_MODE="sample", TI_SAMPLE_DIR=str(sample_dir), TI_DATA_DIR=str(data_dir),
               DAGSTER_HOME=str(data_dir / "dagster_home"), PYTHONPATH=str(tree))
    started = time.perf_counter()
    with open(data_dir.with_suffix(".log"), "w") as log:
        # cwd = the tree: ``python -m`` puts the working directory first on sys.path
        code = subprocess.run([sys.executable, "-m", "ti_pipeline.cli", "run", "--log-level", "WARNING", *extra],
                              cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"{tree}: ti-pipeline run exited {code} (log: {data_dir.with_suffix('.log')})")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, help="git revision of the code before the change")
    parser.add_argument("--after", help="git revision after (default: this working tree)")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--scale", default="1.0", help="data scale, as benchmarks.run (default 1.0)")
    parser.add_argument("--rerun", choices=["plain", "force"], help="time re-runs instead of full runs")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work-dir", type=Path, default=DATA_ROOT, help="worktrees and runs' data (default benchmarks/data)")
    args = parser.parse_args(argv)

    sample_dir = ensure_data(args.scale, args.seed)
    trees = {"before": worktree(args.before, args.work_dir), "after": worktree(args.after, args.work_dir) if args.after else ROOT}
    data = {name: args.work_dir / "runs" / f"alternate-{name}" for name in trees}
    extra = ["--force"] if args.rerun == "force" else []
    if args.rerun:
        for name, tree in trees.items():  # each version's lake, instance and recorded results
            run_once(tree, data[name], sample_dir, [], fresh=True)
    walls: dict[str, list[float]] = {name: [] for name in trees}
    for pair in range(args.pairs):
        for name in (["before", "after"] if pair % 2 == 0 else ["after", "before"]):
            wall = run_once(trees[name], data[name], sample_dir, extra, fresh=not args.rerun)
            walls[name].append(wall)
            print(f"pair {pair + 1}: {name:6s} {wall:6.2f} s", flush=True)
    for name, values in walls.items():
        print(f"{name:6s} ({trees[name]}): {', '.join(f'{v:.2f}' for v in sorted(values))}; median {statistics.median(values):.2f} s")
    return 0 if all(walls.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
