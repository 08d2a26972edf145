"""The ``ti-pipeline`` command line: run the pipeline, list the source catalog, generate data.

    ti-pipeline run [--mode sample|live] [--select ASSET ...] [--force] [--executor ...]   materialize assets (default: all)
    ti-pipeline backfill SOURCE VINTAGES [--raw-only] [--force]  some vintages of a source, then downstream
    ti-pipeline catalog [--mode sample|live]                     what each mode reads or downloads
    ti-pipeline generate-sample [--scale sample|national|0.1] [--out DIR] [--seed N]
    ti-pipeline portraits --out DIR [--pdf]                      the HTML portraits (and PDFs), from the published marts
    ti-pipeline releases [list|show|diff|rollback|pin|unpin]     the published releases (``cli_releases``)
    ti-pipeline docs [--check]                                   regenerate docs/marts.md and docs/sources.md

``run`` and ``backfill`` launch Dagster runs (``ti_pipeline.launch``: the raw sources, one run
per partitions definition, then everything downstream) on the Dagster instance of
``$DAGSTER_HOME`` (default ``data/dagster_home``), the one the UI, the schedule and the sensors use,
wait for them and report, per asset, whether it was rebuilt or found unchanged and kept. Before
the runs: the settings and folders are checked (``user_errors``), the data folder's lock is taken
(``run_lock``) and what a killed command left is cleaned (``recovery``); after them, the problems
and warnings are listed (``run_report``). Exit codes of ``run`` and ``backfill``: 0 done (warnings
allowed), 1 something failed or was blocked, 2 a usage or settings error (nothing was run), 3 another
command is using the data folder, 130 interrupted. Only argument parsing, the instance's
``dagster.yaml`` and printing live here.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
from pathlib import Path

from ti_pipeline.config import MODES, get_paths

INSTANCE_YAML_MARKER = "# Written by ti-pipeline (rewritten when outdated); your own dagster.yaml is never touched.\n"
# Dagster's own local storage (SQLite files in DAGSTER_HOME, its default), plus: no telemetry, one
# slot per concurrency pool (the release pool: one publisher at a time) and the freshness daemon.
LOCAL_INSTANCE_YAML = INSTANCE_YAML_MARKER + """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
freshness:
  enabled: true
"""


def _prepare_instance_env() -> Path:
    """``DAGSTER_HOME`` (default ``data/dagster_home``) and its ``dagster.yaml``: an operator's own
    file (e.g. PostgreSQL storage, ``docs/dagster.production.yaml``) is never touched; one that
    ti-pipeline wrote (it starts with the marker) is brought up to date."""
    paths = get_paths()
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home)))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    current = config.read_text() if config.exists() else None
    if current is None or (current.startswith(INSTANCE_YAML_MARKER) and current != LOCAL_INSTANCE_YAML):
        config.write_text(LOCAL_INSTANCE_YAML)
    return home


# Said once, not six times: the ref_programme checks compare the programme's national figures
# (183 territories, 2,400 lauréats...) with what the data give.
REF_PROGRAMME_NOTE = {
    # sample mode also reads the benchmarks' national-scale synthetic data: not "10 territories"
    "sample": "synthetic figures (sample mode) differ from the programme's national figures by design",
    "live": "a large gap means a source is incomplete or a definition differs (mart ref_programme)",
}


def _wrapped(title: str, names: list[str]) -> str:
    return textwrap.fill(", ".join(sorted(names)), width=100, initial_indent=f"{title} ({len(names)}): ",
                         subsequent_indent="    ", break_on_hyphens=False)


def _release_line(result, paths) -> str:
    """What the refresh did to the published release: a new one, the same kept, or none."""
    from ti_pipeline.releases.store import current_release

    for event in result.get_asset_materialization_events():
        if event.asset_key.to_user_string() == "release":
            metadata = event.materialization.metadata
            release_id = metadata["release_id"].value
            if "skipped" in metadata:
                return f"Release {release_id} unchanged, still current (marts in {paths.marts})."
            return (f"Release {release_id} published: marts in {paths.marts}, catalog {paths.catalog_db}, "
                    f"manifest {paths.releases / release_id / 'datapackage.json'}.")
    current = current_release(paths)
    still = f"release {current.name} is still current" if current else "nothing is published yet"
    return f"No new release ({still}): see below."


def _print_refresh(result, paths, elapsed: float, mode: str, debug: bool = False) -> int:
    """The summary of ``run`` and ``backfill``: what was rebuilt or kept, where the marts and
    portraits are, then the problems (source, file, column, rule, counts, rejects file: ``run_report``)
    and warnings; returns the exit code."""
    from ti_pipeline.launch import KEPT, REBUILT, asset_outcomes
    from ti_pipeline.run_report import build_report

    outcomes: dict[str, str] = {}
    for run in result.runs:
        outcomes.update(asset_outcomes(run.result))
    rebuilt = [a for a, o in outcomes.items() if o == REBUILT]
    kept = [a for a, o in outcomes.items() if o == KEPT]
    if rebuilt:
        print(_wrapped("Rebuilt", rebuilt))
    if kept:
        print(_wrapped("Unchanged, kept", kept))
    runs = " ".join(run_id[:8] for run_id in result.run_ids)
    print(f"{len(rebuilt)} rebuilt, {len(kept)} unchanged and kept, in {elapsed:.1f} s ({len(result.runs)} Dagster runs: {runs}).")
    if result.skipped:
        print(f"Not rebuilt, as {', '.join(sorted(result.blocked))} did not deliver: {', '.join(sorted(result.skipped))}")
    print(_release_line(result, paths))
    portraits = paths.portraits / "index.html"
    if portraits.exists():
        print(f"Portraits: open {portraits}")
    report = build_report(result, paths, debug=debug)
    if report.warnings:
        print(f"Warnings ({len(report.warnings)}):\n" + "\n".join(_indented(w) for w in report.warnings))
    reference = report.grouped_warnings.get("ref_programme")
    if reference:
        print(f"{reference} warnings of ref_programme (programme figures vs the data): {REF_PROGRAMME_NOTE[mode]}.")
    if not result.success and not report.problems:  # never exit 0 on a failed run, said or not
        report.problems.append("a run failed (see it in the UI)")
    if report.problems:
        sys.stdout.flush()  # the summary so far first, even when both streams go to one file
        print(f"Problems ({len(report.problems)}):\n" + "\n".join(_indented(p) for p in report.problems), file=sys.stderr)
    counts = f"{len(report.problems)} problem(s), {report.warning_count} warning(s)"
    if report.exit_code:
        hint = "; --debug shows the tracebacks" if report.failed_steps and not debug else ""
        print(f"FAILED: {counts}; exit code {report.exit_code}{hint}.", flush=True)
    else:
        print(f"OK: {counts}.")
    return report.exit_code


def _indented(entry: str) -> str:
    return "\n".join("  " + line for line in entry.splitlines())


def _run_plan(args: argparse.Namespace, make_plan) -> int:
    """Check the settings and folders, hold the data folder's lock, recover what a killed command
    left, then launch the runs of ``make_plan(defs)`` on the instance of ``$DAGSTER_HOME``, wait, report."""
    from ti_pipeline.run_lock import RunLockBusy, run_lock
    from ti_pipeline.run_report import EXIT_BUSY, EXIT_USAGE
    from ti_pipeline.user_errors import UserError, preflight

    if args.mode:
        os.environ["TI_MODE"] = args.mode
    paths = get_paths()
    try:
        mode = preflight(paths, Path(os.environ.get("DAGSTER_HOME") or paths.dagster_home))
    except UserError as exc:
        print(f"ti-pipeline: {exc}", file=sys.stderr)
        return EXIT_USAGE

    def waiting(who: str) -> None:
        print(f"ti-pipeline: waiting for the other command using {paths.data_dir} to end ({who})", flush=True)

    try:
        with run_lock(paths.data_dir, wait=args.wait, on_wait=waiting):
            return _run_locked(args, make_plan, paths, mode)
    except RunLockBusy as exc:
        print(f"ti-pipeline: {exc}; run again once it has ended, or add --wait", file=sys.stderr)
        return EXIT_BUSY


def _run_locked(args: argparse.Namespace, make_plan, paths, mode: str) -> int:
    home = _prepare_instance_env()
    import dagster as dg

    from ti_pipeline.config import ACCEPT_VOLUME_TAG
    from ti_pipeline.definitions import defs
    from ti_pipeline.launch import KEPT, asset_outcomes, run_plan
    from ti_pipeline.recovery import DATA_DIR_TAG, recover
    from ti_pipeline.run_report import EXIT_USAGE

    started = time.perf_counter()
    try:
        plan = make_plan(defs)
    except (KeyError, ValueError) as exc:
        print(f"ti-pipeline: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"ti-pipeline: mode={mode} data={paths.data_dir} DAGSTER_HOME={home} executor={args.executor}"
          + (" force" if args.force else ""))

    def on_run(outcome) -> None:
        done = asset_outcomes(outcome.result)
        kept = sum(1 for o in done.values() if o == KEPT)
        what = f": {len(done) - kept} rebuilt, {kept} unchanged" if done else ""
        print(f"  {'ok    ' if outcome.success else 'FAILED'} {outcome.label} (run {outcome.run_id[:8]}){what}", flush=True)

    # Dagster's own console log (with tracebacks) only when asked: the summary says what failed
    log_level = args.log_level or ("INFO" if args.debug else "CRITICAL")
    with dg.DagsterInstance.get() as instance:
        recovered = recover(instance, paths).line()
        if recovered:
            print(recovered, flush=True)
        result = run_plan(defs, plan, instance, executor=args.executor, log_level=log_level, force=args.force,
                          tags={DATA_DIR_TAG: str(paths.data_dir), **({ACCEPT_VOLUME_TAG: args.accept_volume} if args.accept_volume else {})},
                          on_run=on_run)
    return _print_refresh(result, paths, time.perf_counter() - started, mode, debug=args.debug)


def cmd_run(args: argparse.Namespace) -> int:
    def make_plan(defs):
        from ti_pipeline.launch import full_plan

        return full_plan(defs, args.select)

    return _run_plan(args, make_plan)


def cmd_backfill(args: argparse.Namespace) -> int:
    def make_plan(defs):
        from ti_pipeline.defs.partitions import parse_vintages
        from ti_pipeline.launch import backfill_plan
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
    from ti_pipeline.portraits import MartsUnavailable, PortraitsOutputError, build_portraits

    paths = get_paths()
    out = Path(args.out)
    try:
        built = build_portraits(paths.marts, out, pdf=args.pdf)
    except (MartsUnavailable, PortraitsOutputError) as exc:
        print(f"ti-pipeline portraits: {exc}", file=sys.stderr)
        return 1
    synthetic = " (synthetic sample data, marked on every page)" if built.synthetic else ""
    print(f"{len(built.territoires)} portraits and the index in {built.out_dir}{synthetic}: open {built.index}")
    if built.pdf:
        print(f"{len(built.pdf.durees)} PDF (A4) in {built.pdf.secondes:.1f} s, {built.pdf.par_portrait:.2f} s a portrait")
    if built.pdf_message:
        print(f"ti-pipeline portraits: {built.pdf_message}", file=sys.stderr)
    if built.marts_absents:
        print("Not published yet, the pages say so: " + ", ".join(sorted(built.marts_absents)))
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from ti_pipeline import docs

    return docs.main(["--check"] if args.check else [])


EXECUTOR_ENV = "TI_EXECUTOR"
LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]

RUN_DESCRIPTION = """\
Materialize every asset (or --select some): the raw sources (one Dagster run per partitions
definition, every vintage), then the SQL models, marts, portraits and the release (one run), on
the Dagster instance of $DAGSTER_HOME (default data/dagster_home), the one the UI, the schedule and
the sensors use. Work whose inputs did not change is found so inside each step and kept; the summary
says, per asset, "rebuilt" or "unchanged, kept", then the problems and warnings. The sample takes
about 10 s the first time. One command at a time per data folder (--wait to queue behind another).
Exit codes: 0 done (warnings allowed), 1 something failed or was blocked, 2 a bad argument, setting
or folder (nothing run), 3 another command is using the data folder, 130 interrupted."""

BACKFILL_DESCRIPTION = """\
Materialize some vintages of one source (one Dagster run, a partition range, validated before
anything is written), then, unless --raw-only, everything that depends on the source. Summary,
lock and exit codes as for `run`."""

FORCE_HELP = "rebuild everything, even what is unchanged (runs tagged ti/force=true): a new release is published"


def _default_executor() -> str:
    value = os.environ.get(EXECUTOR_ENV, "in_process").strip() or "in_process"
    return value if value in ("in_process", "multiprocess") else "in_process"


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=MODES, help="sample (default, data/sample) or live (real downloads)")
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)
    parser.add_argument("--accept-volume", metavar="SOURCE[,SOURCE]",
                        help="accept, for this run, a change of rows of these sources beyond their tolerance "
                        "(check volume_attendu; run tag ti/accept-volume; 'true': every source)")
    parser.add_argument("--log-level", choices=LOG_LEVELS,
                        help="print Dagster's own log of the runs from this level (default: not printed; INFO with --debug)")
    parser.add_argument("--wait", action="store_true",
                        help="if another run or backfill is using the data folder, wait for it (default: refuse, exit code 3)")
    parser.add_argument("--debug", action="store_true", help="tracebacks of the errors, and Dagster's log from INFO")
    parser.add_argument(
        "--executor", default=_default_executor(), choices=["in_process", "multiprocess"],
        help=f"Dagster executor: in_process (default, the fastest here) or multiprocess (a process per step); "
        f"default from ${EXECUTOR_ENV}",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ti-pipeline", description="The data pipeline behind the portraits of the Territoires d'industrie: "
        "run it, list its sources, generate synthetic data. `ti-pipeline COMMAND -h` says more.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fmt = argparse.RawDescriptionHelpFormatter

    run = sub.add_parser("run", help="materialize the assets (default: every asset) as Dagster runs",
                         description=RUN_DESCRIPTION, formatter_class=fmt)
    run.add_argument("--select", nargs="+", metavar="ASSET", help="only these asset keys (e.g. raw_rp_emploi stg_rp)")
    _run_options(run)
    run.set_defaults(func=cmd_run)

    backfill = sub.add_parser("backfill", help="materialize some vintages of a source, then what depends on it",
                              description=BACKFILL_DESCRIPTION, formatter_class=fmt)
    backfill.add_argument("source", help="source name (rp_emploi) or raw asset (raw_rp_emploi)")
    backfill.add_argument("vintages", help="2021, 2021...2022 (either order), 2021,2022 or all")
    backfill.add_argument("--raw-only", action="store_true", help="only the raw vintages, not the models downstream")
    _run_options(backfill)
    backfill.set_defaults(func=cmd_backfill)

    catalog = sub.add_parser("catalog", help="list the sources, vintages, URLs and licences",
                             description="Every source of the catalog: its vintages, where each file comes from "
                             "(whole URLs in live mode, sample files in sample mode) and its licence.")
    catalog.add_argument("--mode", choices=MODES, default="live", help="live (default: the URLs) or sample (the files)")
    catalog.set_defaults(func=cmd_catalog)

    gen = sub.add_parser("generate-sample", help="write synthetic data in the real formats",
                         description="Write synthetic files with the names, formats and quirks of the real ones, "
                         "at the embedded sample's size or at a fraction of national scale (benchmarks).")
    gen.add_argument("--scale", default="sample", help="'sample', 'national', or a fraction of national (0.1)")
    gen.add_argument("--out", help="output folder (default: the sample folder)")
    gen.add_argument("--seed", type=int, default=42, help="random seed (default 42): same seed, same files")
    gen.set_defaults(func=cmd_generate_sample)
    portraits = sub.add_parser("portraits", help="write the HTML portraits (one page per territory) from the published marts",
                               description="Build the HTML portraits (one page per territory and an index) from "
                               "the current release's marts into a folder of yours; `run` already publishes them "
                               "with every release (data/portraits).")
    portraits.add_argument("--out", required=True, help="output folder, replaced atomically")
    portraits.add_argument("--pdf", action="store_true",
                           help="also print each portrait to an A4 PDF with the system Chromium (about 1 s a portrait; "
                           "skipped with a message when Chromium is absent; TI_PORTRAITS_PDF=1 does it in `run`)")
    portraits.set_defaults(func=cmd_portraits)
    from ti_pipeline import cli_releases

    cli_releases.add_parser(sub)
    docs_cmd = sub.add_parser("docs", help="rewrite docs/marts.md and docs/sources.md from the SQL headers and the catalog",
                              description="Rewrite docs/marts.md and docs/sources.md from the SQL headers and the catalog.")
    docs_cmd.add_argument("--check", action="store_true", help="exit 1 if a generated page is out of date")
    docs_cmd.set_defaults(func=cmd_docs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "releases":
            from ti_pipeline import cli_releases

            return cli_releases.run(args)
        return args.func(args)
    except KeyboardInterrupt:
        # Ctrl-C: the interrupted steps and runs are recorded as failed in the instance (the UI
        # shows them); nothing half-written was published (marts and lake are replaced atomically)
        print("\nti-pipeline: interrupted; the run in progress stopped and is recorded as failed", file=sys.stderr)
        return 130
    except Exception as exc:  # an error outside the runs (their own errors are in the summary)
        if getattr(args, "debug", False):
            raise
        from ti_pipeline.user_errors import explain

        said = explain(str(exc)) or f"{type(exc).__name__}: {exc}"
        print(f"ti-pipeline: {said} (--debug shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
