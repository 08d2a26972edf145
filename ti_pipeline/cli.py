"""The ``ti-pipeline`` command line: run the pipeline, list the source catalog, generate data.

    ti-pipeline run [--mode sample|live] [--select ASSET ...] [--force] [--workers N]   materialize assets (default: all)
    ti-pipeline backfill SOURCE VINTAGES [--raw-only]           some vintages of a source, then downstream
    ti-pipeline catalog [--mode sample|live]                     what each mode reads or downloads
    ti-pipeline generate-sample [--scale sample|national|0.1] [--out DIR] [--seed N]
    ti-pipeline portraits [--out DIR]                            the HTML portraits, from the published marts
    ti-pipeline docs [--check]                                   regenerate docs/marts.md and docs/sources.md

``run`` and ``backfill`` execute Dagster runs (``orchestration.refresh``: the raw sources, one run
per partitions definition, side by side in worker processes, then everything downstream in this
process) against a persistent Dagster instance (``$DAGSTER_HOME``, default ``data/dagster_home``),
so their runs show in the Dagster UI started with the same ``DAGSTER_HOME``. Only argument parsing,
the instance's ``dagster.yaml`` and printing live here.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

from ti_pipeline.config import MODES, get_paths


INSTANCE_YAML_MARKER = "# Written by ti-pipeline (rewritten when outdated); your own dagster.yaml is never touched.\n"
LOCAL_INSTANCE_YAML = INSTANCE_YAML_MARKER + """\
storage:
  custom:
    module: ti_pipeline.orchestration.storage
    class: SqliteStorage
    config:
      base_dir: {home}
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
freshness:
  enabled: true
"""
# What versions before the marker wrote: such a file is ours too, and brought up to date.
EARLIER_INSTANCE_YAMLS = (
    "telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\nfreshness:\n  enabled: true\n",
)


def local_instance_yaml(home: Path) -> str:
    return LOCAL_INSTANCE_YAML.format(home=json.dumps(str(home)))  # a JSON string is a YAML string


EVENT_BATCH_ENV = "DAGSTER_EVENT_BATCH_SIZE"
EVENT_BATCH_SIZE = 1000


def _prepare_instance_env() -> Path:
    paths = get_paths()
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home)))
    home.mkdir(parents=True, exist_ok=True)
    # A minimal dagster.yaml: the local SQLite storage in DAGSTER_HOME, with the event log's
    # connections kept open (orchestration.storage), no telemetry (these machines reach no host but
    # the package registries), one slot per concurrency pool (the duckdb_catalog writer) and the
    # freshness daemon (freshness policies per source cadence). An operator's own dagster.yaml
    # (e.g. PostgreSQL storage, see README) is never overwritten; one we wrote is kept up to date
    # (this version's settings, the folder's current path if it was moved).
    config = home / "dagster.yaml"
    wanted = local_instance_yaml(home.resolve())
    current = config.read_text() if config.exists() else None
    if current != wanted and (current is None or current.startswith(INSTANCE_YAML_MARKER) or current in EARLIER_INSTANCE_YAMLS):
        config.write_text(wanted)
        current = wanted
    if current == wanted:
        # our storage writes the events Dagster batches in one transaction (a run's planned events:
        # orchestration.storage); Dagster batches only when this is set
        os.environ.setdefault(EVENT_BATCH_ENV, str(EVENT_BATCH_SIZE))
    return home


def _print_up_to_date(elapsed: float) -> int:
    print(
        f"Up to date in {elapsed:.1f} s: every source vintage (file sha256, declaration, code) and every model, "
        "catalog and portrait is as last built; no run launched (`ti-pipeline run --force` runs anyway)."
    )
    return 0


def _print_refresh(result, paths, elapsed: float) -> int:
    """The summary of ``run`` and ``backfill``: what was materialized, failed checks, failures."""
    if result.nothing_to_do:
        return _print_up_to_date(elapsed)
    import dagster as dg

    events = result.get_asset_materialization_events()
    assets = {e.asset_key.to_user_string() for e in events if e.asset_key}
    vintages = sum(1 for e in events if e.partition)
    # A check that did not pass is an error (blocking, or a failed data test) or a warning (e.g.
    # the programme's reference figures, which a 10-territory sample cannot reach): say which.
    failed_checks: dict[str, list[str]] = {"ERROR": [], "WARN": []}
    for e in result.get_asset_check_evaluations():
        if not e.passed:
            severity = "WARN" if e.severity == dg.AssetCheckSeverity.WARN else "ERROR"
            failed_checks[severity].append(f"{e.asset_check_key.asset_key.to_user_string()}:{e.asset_check_key.name}")
    of_vintages = f", {vintages} source vintages" if vintages else ""
    runs = " ".join(run_id[:8] for run_id in result.run_ids)
    print(f"{len(assets)} assets materialized{of_vintages} in {elapsed:.1f} s ({len(result.runs)} runs: {runs}).")
    if failed_checks["ERROR"]:
        print("Checks that failed: " + ", ".join(sorted(failed_checks["ERROR"])))
    if failed_checks["WARN"]:
        print("Warnings (checks of severity WARN): " + ", ".join(sorted(failed_checks["WARN"])))
    if result.skipped:
        print(f"Not rebuilt, as {', '.join(sorted(result.blocked))} did not deliver: {', '.join(sorted(result.skipped))}")
    marts = sorted(p.name for p in paths.marts.glob("*") if p.is_dir() and not p.name.startswith("."))
    if marts:
        print(f"Marts in {paths.marts}: {', '.join(marts)}")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"FAILED {event.step_key}: {event.step_failure_data.error.message.strip()}", file=sys.stderr)
        return 1
    return 0


def _run_plan(
    args: argparse.Namespace, make_plan, skip_up_to_date: bool = False, every_raw_run: bool = False,
    whole_refresh: bool = False,
) -> int:
    """``whole_refresh``: the plan is every asset (``run`` without ``--select``), whose up-to-date
    check (``skip_up_to_date``) is then asked before Dagster and the definitions are imported."""
    if args.mode:
        os.environ["TI_MODE"] = args.mode
    home = _prepare_instance_env()
    from ti_pipeline.orchestration import workers

    paths = get_paths()
    use_server = args.executor == "in_process" and (args.workers or workers.default_workers()) > 1
    if use_server and workers.raw_runs_will_launch(paths, every_raw_run=every_raw_run):
        # raw runs will launch: their workers fork from a server that imports the definitions;
        # started now, it imports them on another core while this process imports them too
        workers.start_server()

    def header() -> None:
        print(f"ti-pipeline: mode={os.environ.get('TI_MODE', 'sample')} data={paths.data_dir} DAGSTER_HOME={home}")

    def log(message: str) -> None:  # live mode's download progress, a worker's warnings
        print(f"  {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    known = None
    if skip_up_to_date and whole_refresh:
        # what is up to date, asked without Dagster (orchestration.up_to_date): with nothing to
        # do the command ends here, having imported neither Dagster nor the definitions
        from ti_pipeline.config import get_mode
        from ti_pipeline.orchestration.up_to_date import whole_refresh_pending

        known = whole_refresh_pending(paths, get_mode(), log=log)
        if known.nothing:
            header()
            for run in known.raw_up_to_date:
                print(f"  up to date  {run.label}")
            return _print_up_to_date(time.perf_counter() - started)
        if use_server and len(known.raw_runs) > 1:
            workers.start_server()  # several raw runs will launch (idempotent if started above)

    from ti_pipeline.definitions import defs
    from ti_pipeline.orchestration.refresh import InstanceRef, run_plan

    # what the imports built lives as long as this process: frozen out of the collector's way
    import ti_pipeline.orchestration.long_lived  # noqa: F401

    try:
        plan = make_plan(defs)
    except (KeyError, ValueError) as exc:
        print(f"ti-pipeline: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    header()

    def on_run(outcome) -> None:
        print(f"  {'ok    ' if outcome.success else 'FAILED'} {outcome.label} (run {outcome.run_id[:8]})")
        if outcome.detail:
            print(f"         {outcome.detail}", file=sys.stderr)

    # The instance of $DAGSTER_HOME, opened by run_plan when a run is launched, while the raw runs'
    # workers start. Except the first time: the workers and this process would then all create the
    # storage's databases at once, so this process creates them first.
    with contextlib.ExitStack() as stack:
        instance = InstanceRef.from_dir(str(home))
        if not (home / "history" / "runs.db").exists():
            import dagster as dg

            instance = stack.enter_context(dg.DagsterInstance.from_ref(instance))
        result = run_plan(defs, plan, instance, executor=args.executor, log_level=args.log_level, on_run=on_run,
                          workers=args.workers, skip_up_to_date=skip_up_to_date, pending=known,
                          on_up_to_date=lambda label: print(f"  up to date  {label}"), log=log)
    return _print_refresh(result, paths, time.perf_counter() - started)


# The plans are imported when made, inside _run_plan: importing them imports Dagster, which the
# worker server (started first thing in _run_plan) imports meanwhile on another core.
def cmd_run(args: argparse.Namespace) -> int:
    def make_plan(defs):
        from ti_pipeline.orchestration.refresh import full_plan

        return full_plan(defs, args.select)

    # --force on everything launches every raw run: the workers' server is then certainly needed
    return _run_plan(args, make_plan, skip_up_to_date=not args.force, every_raw_run=args.force and not args.select,
                     whole_refresh=not args.select)


def cmd_backfill(args: argparse.Namespace) -> int:
    def make_plan(defs):
        from ti_pipeline.orchestration.partitions import parse_vintages
        from ti_pipeline.orchestration.refresh import backfill_plan
        from ti_pipeline.sources.catalog import get_source

        source = get_source(args.source)
        return backfill_plan(defs, source, parse_vintages(source, args.vintages), downstream=not args.raw_only)

    return _run_plan(args, make_plan)


def cmd_catalog(args: argparse.Namespace) -> int:
    from ti_pipeline.sources.listing import print_catalog

    print_catalog(args.mode)
    return 0


def cmd_generate_sample(args: argparse.Namespace) -> int:
    from ti_pipeline.sample import generate

    scale: str | float = args.scale
    try:
        scale = float(args.scale)  # a fraction of national scale, e.g. 0.1
    except ValueError:
        pass  # a named scale: 'sample' or 'national' (the generator rejects any other name)
    out = Path(args.out) if args.out else get_paths().sample_dir
    try:
        summary = generate(out, scale=scale, seed=args.seed)
    except ValueError as exc:  # an unknown scale: say so without a traceback
        print(f"ti-pipeline generate-sample: {exc}", file=sys.stderr)
        return 2
    print(f"Generated {out} (scale={args.scale}, seed={args.seed}): {summary}")
    return 0


def cmd_portraits(args: argparse.Namespace) -> int:
    from ti_pipeline.portraits import MartsUnavailable, PortraitsOutputError, build_portraits, default_out_dir

    paths = get_paths()
    out = Path(args.out) if args.out else default_out_dir(paths.data_dir)
    try:
        built = build_portraits(paths.marts, out)
    except (MartsUnavailable, PortraitsOutputError) as exc:
        print(f"ti-pipeline portraits: {exc}", file=sys.stderr)
        return 1
    synthetic = " (synthetic sample data, marked on every page)" if built.synthetic else ""
    print(f"{len(built.territoires)} portraits and the index in {built.out_dir}{synthetic}: open {built.index}")
    if built.marts_absents:
        print("Not published yet, the pages say so: " + ", ".join(sorted(built.marts_absents)))
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from ti_pipeline import docs

    return docs.main(["--check"] if args.check else [])


WORKERS_HELP = (
    "processes for the raw runs, which run side by side (default: one per core; 1: one after the other, in this process)"
)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ti-pipeline", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="materialize the assets (default: every asset) in this process")
    run.add_argument("--mode", choices=MODES, help="sample (default, data/sample) or live (real downloads)")
    run.add_argument("--select", nargs="+", metavar="ASSET", help="only these asset keys")
    run.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    run.add_argument("--executor", default="in_process", choices=["in_process", "multiprocess"], help="in_process (default, measured faster here) or a process per step")
    run.add_argument("--workers", type=_positive_int, help=WORKERS_HELP)
    run.add_argument(
        "--force",
        action="store_true",
        help="launch every run even when its sources and models are up to date (steps still skip unchanged work)",
    )
    run.set_defaults(func=cmd_run)

    backfill = sub.add_parser("backfill", help="materialize some vintages of a source, then what depends on it")
    backfill.add_argument("source", help="source name (rp_emploi) or raw asset (raw_rp_emploi)")
    backfill.add_argument("vintages", help="2021, 2021...2022 (either order), 2021,2022 or all")
    backfill.add_argument("--raw-only", action="store_true", help="only the raw vintages, not the models downstream")
    backfill.add_argument("--mode", choices=MODES, help="sample (default, data/sample) or live (real downloads)")
    backfill.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    backfill.add_argument("--executor", default="in_process", choices=["in_process", "multiprocess"])
    backfill.add_argument("--workers", type=_positive_int, help=WORKERS_HELP)
    backfill.set_defaults(func=cmd_backfill)

    catalog = sub.add_parser("catalog", help="list the sources, vintages, URLs and licences")
    catalog.add_argument("--mode", choices=MODES, default="live")
    catalog.set_defaults(func=cmd_catalog)

    gen = sub.add_parser("generate-sample", help="write synthetic data in the real formats")
    gen.add_argument("--scale", default="sample", help="'sample', 'national', or a fraction of national (0.1)")
    gen.add_argument("--out", help="output folder (default: the sample folder)")
    gen.add_argument("--seed", type=int, default=42)
    gen.set_defaults(func=cmd_generate_sample)
    portraits = sub.add_parser("portraits", help="write the HTML portraits (one page per territory) from the published marts")
    portraits.add_argument("--out", help="output folder (default: data/portraits), replaced atomically")
    portraits.set_defaults(func=cmd_portraits)
    docs_cmd = sub.add_parser("docs", help="rewrite docs/marts.md and docs/sources.md from the SQL headers and the catalog")
    docs_cmd.add_argument("--check", action="store_true", help="exit 1 if a generated page is out of date")
    docs_cmd.set_defaults(func=cmd_docs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        # Ctrl-C: the interrupted steps and runs are recorded as failed in the instance (the UI
        # shows them); nothing half-written was published (marts and lake are replaced atomically)
        print("\nti-pipeline: interrupted; the runs in progress stopped and are recorded as failed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
