"""Per-stage numbers of a pipeline run, from what the run itself recorded in its Dagster instance.

Every step's start and end come from the run's event log (``STEP_START`` / ``STEP_SUCCESS`` or
``STEP_FAILURE``); raw assets may also say, in their materialization metadata, how their time
split between reading the file (``read_seconds``), validating it (``validate_seconds``) and
writing the lake (``write_seconds``). A step's CPU time and peak memory are read off the process
tree's timeline (``measure``) between its start and end; the raw runs run side by side in worker
processes, so where steps overlap the tree's CPU of that time is shared equally between them (an
estimate; exact where one step runs at a time, as downstream).

A stage's ``wall_s`` is the time its steps took, summed: with parallel raw runs the raw stages sum
to more than the time that passed (``elapsed_s`` of ``raw runs`` is that time: from the first raw
step's start to the last one's end, gaps included).

Stages: ``extract/parse`` and ``validate`` (raw assets; their remainder, writing the raw Parquet,
is ``write raw``), ``SQL models`` (staging and intermediate), ``publication`` (marts, the DuckDB
catalog, the portraits), and ``orchestration``: the command's wall time when no step was running
(process start, imports, loading the definitions, run and event bookkeeping).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.measure import Measurement, window

RAW_SPLIT = ("read_seconds", "validate_seconds", "write_seconds")
STAGES = ("extract/parse", "validate", "write raw", "raw (unsplit)", "SQL models", "publication", "orchestration")


@dataclass
class Step:
    run_id: str
    key: str
    start: float
    end: float
    status: str
    metadata: dict = field(default_factory=dict)

    @property
    def wall_s(self) -> float:
        return self.end - self.start


def stage_of(step_key: str) -> str:
    if step_key.startswith("raw_"):
        return "raw"
    if step_key.startswith(("stg_", "int_")):
        return "SQL models"
    return "publication"


def read_steps(dagster_home: Path) -> list[Step]:
    """Every step of every run recorded in ``dagster_home``, in time order.

    The SQL models are built by one step, several at a time (``sql_runner.scheduler``): that step
    is read as one step per model it built, from the model's materialization (``started_at`` and
    ``seconds`` of its metadata; a model not rebuilt: the time it took to find it unchanged). The
    rest of that step's time, when no model was being built, is Dagster's bookkeeping: it counts
    as orchestration."""
    import dagster as dg

    steps: list[Step] = []
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for run in instance.get_runs():
            open_steps: dict[str, float] = {}
            metadata: dict[str, dict] = {}
            models: dict[str, list[Step]] = {}  # step key -> the models it built
            for entry in instance.all_logs(run.run_id):
                event = entry.dagster_event
                if event is None or entry.step_key is None:
                    continue
                kind = event.event_type_value
                if kind == "STEP_START":
                    open_steps[entry.step_key] = entry.timestamp
                elif kind == "ASSET_MATERIALIZATION":
                    materialization = event.event_specific_data.materialization
                    values = {k: v.value for k, v in materialization.metadata.items()}
                    if "seconds" in values:
                        seconds = float(values["seconds"])
                        start = float(values.get("started_at", entry.timestamp - seconds))
                        models.setdefault(entry.step_key, []).append(
                            Step(run.run_id, materialization.asset_key.to_user_string(), start, start + seconds, "success",
                                 {k: v for k, v in values.items() if k.startswith("skipped")})
                        )
                        continue
                    metadata.setdefault(entry.step_key, {}).update(
                        {k: v for k, v in values.items() if k in RAW_SPLIT or k.startswith("skipped")}
                    )
                elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and entry.step_key in open_steps:
                    start = open_steps.pop(entry.step_key)
                    if entry.step_key in models:
                        steps.extend(models.pop(entry.step_key))
                        continue
                    steps.append(
                        Step(run.run_id, entry.step_key, start, entry.timestamp,
                             kind.removeprefix("STEP_").lower(), metadata.get(entry.step_key, {}))
                    )
    return sorted(steps, key=lambda s: s.start)


def marts_published_s(marts_dir: Path, started_at: float) -> float | None:
    """Seconds from the command's start to the publication of its last mart: the modification
    time of the newest mart link (``data/marts/<mart>``, replaced atomically when a version is
    published), the "command to marts" of the targets. None when the run published no mart (a
    re-run that skipped them all)."""
    import os

    if not Path(marts_dir).is_dir():
        return None
    times = [os.lstat(p).st_mtime for p in Path(marts_dir).iterdir() if not p.name.startswith(".")]
    times = [t for t in times if t >= started_at]
    return round(max(times) - started_at, 3) if times else None


def summarize(steps: list[Step], measurement: Measurement) -> dict:
    """``{stage: {wall_s, cpu_s, peak_rss_bytes}}`` plus ``steps``: the slowest steps."""
    stages = {name: {"wall_s": 0.0, "cpu_s": 0.0, "peak_rss_bytes": 0} for name in STAGES}
    rows = []
    shared = _shared_cpu(steps, measurement)
    for step in steps:
        _, peak = window(measurement.samples, step.start, step.end)
        cpu = shared[id(step)]
        stage = stage_of(step.key)
        parts: dict[str, float]
        if stage == "raw":
            split = [float(step.metadata[k]) for k in RAW_SPLIT if k in step.metadata]
            if len(split) == 3:
                read, validate, write = split
                # what the asset did not time itself (obtaining the file, metadata, events) is extraction
                parts = {"extract/parse": max(step.wall_s - validate - write, 0.0), "validate": validate, "write raw": write}
            else:
                parts = {"raw (unsplit)": step.wall_s}
        else:
            parts = {stage: step.wall_s}
        total = sum(parts.values()) or 1.0
        for name, seconds in parts.items():
            s = stages[name]
            s["wall_s"] += seconds
            s["cpu_s"] += cpu * seconds / total  # a step's CPU shared in proportion to its parts' time
            s["peak_rss_bytes"] = max(s["peak_rss_bytes"], peak)
        rows.append({"step": step.key, "stage": stage, "status": step.status, "wall_s": round(step.wall_s, 3),
                     "cpu_s": round(cpu, 3), "peak_rss_bytes": peak, **{k: step.metadata[k] for k in step.metadata}})
    in_steps = _union_length([(s.start, s.end) for s in steps])
    cpu_in_steps = sum(stages[n]["cpu_s"] for n in STAGES if n != "orchestration")
    stages["orchestration"] = {
        "wall_s": max(measurement.wall_s - in_steps, 0.0),
        "cpu_s": max(measurement.cpu_s - cpu_in_steps, 0.0),
        # memory outside every step: imports, definitions, run bookkeeping
        "peak_rss_bytes": max(
            (s[1] for s in measurement.samples if not any(st.start <= s[0] <= st.end for st in steps)), default=0
        ),
    }
    for s in stages.values():
        s["wall_s"] = round(s["wall_s"], 3)
        s["cpu_s"] = round(s["cpu_s"], 3)
    stages = {k: v for k, v in stages.items() if v["wall_s"] > 0 or k == "orchestration"}
    raw = [s for s in steps if stage_of(s.key) == "raw"]
    phases = {"raw runs": {"elapsed_s": round(max(s.end for s in raw) - min(s.start for s in raw), 3) if raw else 0.0,
                           "step_seconds": round(sum(s.wall_s for s in raw), 3)}}
    rows.sort(key=lambda r: -r["wall_s"])
    return {"stages": stages, "phases": phases, "steps": rows}


def _shared_cpu(steps: list[Step], measurement: Measurement) -> dict[int, float]:
    """Each step's CPU seconds: the tree's CPU of each stretch of time, shared equally between the
    steps running then (one step at a time: all of it)."""
    cpu = {id(s): 0.0 for s in steps}
    bounds = sorted({t for s in steps for t in (s.start, s.end)})
    for start, end in zip(bounds, bounds[1:]):
        running = [s for s in steps if s.start <= start and s.end >= end]
        if running:
            seconds, _ = window(measurement.samples, start, end)
            for s in running:
                cpu[id(s)] += seconds / len(running)
    return cpu


def _union_length(intervals: list[tuple[float, float]]) -> float:
    """Time covered by at least one interval."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total
