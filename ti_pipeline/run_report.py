"""The problems of a refresh, read from its runs' events, and the exit code they give.

Everything comes from what the steps recorded, nothing is computed again: a raw source's
``lignes_valides`` check carries its file, millésime, row counts and the failures per rule and
column with example values (``defs.raw``), and its rejected rows are in
``lake/rejects/<source>/millesime=<YYYY>/rejects.parquet``; a SQL data test carries its failing rows;
a failed step carries its error (an operating-system error in it is said in one line,
``user_errors.explain``).

- a problem: a failed step, a failed check of severity ERROR, a raw source not delivered (failed or
  blocked by its check) -> exit code ``EXIT_FAILED``;
- a warning: a failed check of severity WARN (``colonnes_attendues``, rows rejected below the
  source's threshold, a data test that warns) -> counted and shown, exit code unchanged.

Not here: printing the rest of the summary and choosing to print (``cli``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import dagster as dg

from ti_pipeline.config import Paths
from ti_pipeline.sources.catalog import SOURCES
from ti_pipeline.user_errors import explain

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
RAW_CHECK = "lignes_valides"  # defs.raw.CHECK_NAME: the check that carries a source's counts
MAX_DETAIL_LINES = 8  # per problem: enough to name the rules, not a listing
_SOURCE_OF_ASSET = {s.asset_name: s.name for s in SOURCES}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)  # each an entry of one or a few lines
    warnings: list[str] = field(default_factory=list)
    grouped_warnings: dict[str, int] = field(default_factory=dict)  # e.g. ref_programme: 6
    failed_steps: int = 0  # of the problems, failed steps (their tracebacks: --debug)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.problems else EXIT_OK

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + sum(self.grouped_warnings.values())


def markdown_rows(text: str) -> list[dict[str, str]]:
    """The rows of a Markdown table as ``defs.raw`` writes it (``|`` inside a cell escaped ``\\|``)."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip().startswith("|")]
    if len(lines) < 2:
        return []

    def cells(line: str) -> list[str]:
        return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]

    header = cells(lines[0])
    return [dict(zip(header, cells(line))) for line in lines[2:]]


def _value(metadata, key: str):
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def _raw_check_entry(evaluation, paths: Paths) -> str:
    """Source, file, millésime, counts; per rule and column the failures and an example; the rejects file."""
    meta = evaluation.metadata
    asset = evaluation.asset_key.to_user_string()
    source = _SOURCE_OF_ASSET.get(asset, asset)
    millesime = _value(meta, "millesime")
    head = f"{asset}: {evaluation.check_name} — source {source}, file {_value(meta, 'file')!r}, millésime {millesime}"
    lines = [f"{head}: {evaluation.description or ''}".rstrip()]
    examples: dict[tuple[str, str], list[str]] = {}
    for row in markdown_rows(_value(meta, "failing_values")):
        examples.setdefault((row.get("rule", ""), row.get("column", "")), []).append(
            f"{row.get('value', '')!r} (row {row.get('row', '?')})")
    for row in markdown_rows(_value(meta, "failures_by_rule"))[:MAX_DETAIL_LINES]:
        key = (row.get("rule", ""), row.get("column", ""))
        shown = ", ".join(examples.get(key, [])[:3])
        lines.append(f"    column {key[1]}, rule {key[0]}: {row.get('failures', '?')} row(s)" + (f", e.g. {shown}" if shown else ""))
    if millesime is not None:
        rejects = paths.rejects_partition(source, millesime) / "rejects.parquet"
        if rejects.exists():
            lines.append(f"    rejected rows, with their rule: {rejects}")
    return "\n".join(lines)


def check_entry(evaluation, paths: Paths) -> str:
    """One entry for a check that did not pass."""
    if evaluation.check_name == RAW_CHECK and "file" in evaluation.metadata:
        return _raw_check_entry(evaluation, paths)
    name = f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
    failing = _value(evaluation.metadata, "failing_rows")
    counts = f" ({failing} failing row(s))" if failing is not None else ""
    error = _value(evaluation.metadata, "error")
    text = f"{name}{counts}: {evaluation.description or ''}".rstrip(": ")
    examples = markdown_rows(_value(evaluation.metadata, "examples"))[:3]  # a SQL data test's failing rows
    if examples:
        text += "\n    e.g. " + "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in examples)
    return text + (f"\n    {error}" if error else "")


def step_failure_entry(event, data_dir=None, debug: bool = False) -> str:
    """A failed step: an operating-system error in one line; otherwise its message (first lines),
    or with ``debug`` the whole error with its stack traces."""
    error = event.step_failure_data.error if event.step_failure_data else None
    if error is None:
        return f"step {event.step_key} failed"
    if debug:
        return f"step {event.step_key} failed:\n{error.to_string()}"
    chain, e = [], error
    while e is not None:
        chain.append(e.message)
        e = e.cause or e.context
    said = explain("\n".join(chain), data_dir)
    if said:
        return f"step {event.step_key} failed: {said}"
    message = error.message.strip()
    message = re.sub(r"^[\w.]+\.Failure: ", "", message)  # Dagster's class name says nothing to a user
    lines = [line for line in message.splitlines() if line.strip()]
    unique = list(dict.fromkeys(lines))
    shown = unique[: MAX_DETAIL_LINES + 1]
    more = f"\n    ... {len(unique) - len(shown)} more line(s): ti-pipeline run --debug, or the run in the UI" if len(unique) > len(shown) else ""
    return f"step {event.step_key} failed: {shown[0]}" + "".join(f"\n    {line}" for line in shown[1:]) + more


def build_report(result, paths: Paths, *, debug: bool = False, grouped: tuple[str, ...] = ("ref_programme",)) -> Report:
    """The problems and warnings of a ``launch.RefreshResult``. Warnings of the assets in
    ``grouped`` are only counted (their note is said once by the caller)."""
    report = Report()
    named: set[str] = set()  # assets and steps a problem already names
    same_error: dict[str, int] = {}  # a step failure's message -> its entry
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error if event.step_failure_data else None
            if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
                continue  # a blocking check failed: its own entry below says more
            entry = step_failure_entry(event, paths.data_dir, debug)
            report.failed_steps += 1
            steps, _, said = entry.partition(" failed: ")
            if said and "\n" not in entry and said in same_error:  # one entry for the steps that met one error (a full disk)
                index = same_error[said]
                report.problems[index] = report.problems[index].replace(" failed: ", f", {event.step_key} failed: ", 1)
            else:
                same_error[said] = len(report.problems)
                report.problems.append(entry)
            named.add(event.step_key)
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        asset = evaluation.asset_key.to_user_string()
        if evaluation.severity == dg.AssetCheckSeverity.WARN:
            if asset in grouped:
                report.grouped_warnings[asset] = report.grouped_warnings.get(asset, 0) + 1
            else:
                report.warnings.append(check_entry(evaluation, paths))
        else:
            report.problems.append(check_entry(evaluation, paths))
            named.add(asset)
    for asset in sorted(result.blocked - named):  # not delivered without a failed check or step naming it
        report.problems.append(f"{asset}: not delivered (see the run in the UI)")
    return report
