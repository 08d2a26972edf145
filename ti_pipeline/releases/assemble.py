"""Making a release: every mart up to date with the lake, linked with its catalog and portraits, published at once.

A release is made only from marts that are all up to date: for each mart of the SQL project, the
latest audited build must carry the fingerprint the mart would have now (the current lake, SQL,
variables and code: ``sql_runner.state``). A mart whose last build failed a blocking test, or that
was not rebuilt since its inputs changed, is not up to date; then no release is made, and the
reason names the mart (``ReleaseRefused``). So the published marts never mix two states of the lake,
and nothing downstream of a failed blocking test is published.

Assembling (``make_release``): hard links of the mart builds into ``releases/.tmp-<id>/marts/``,
and of the portraits build (which must have been made from exactly these marts) into
``portraits/``; the folder is renamed to ``releases/<id>``; the DuckDB catalog is written into it;
then ``datapackage.json`` (the release is complete), then ``releases/current`` is switched
(atomic), then old releases are pruned. A run killed at any point leaves the previous release
current and whole; what it left is removed by the next release (``store.remove_unfinished``).

When the current release already holds exactly these builds, nothing is published (``kept``),
unless ``force``.

Not here: the on-disk store (``store``), the manifest's format (``manifest``), Dagster.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import duckdb

from ti_pipeline.config import PROJECT_ROOT, Paths, get_mode
from ti_pipeline.geo.marts import GEO_MARTS, up_to_date_builds
from ti_pipeline.lake import COLUMN_DESCRIPTIONS_KEY, read_file_metadata, read_provenance
from ti_pipeline.portraits.state import build_from, build_inputs, up_to_date_build
from ti_pipeline.releases import store
from ti_pipeline.releases.catalog import build_catalog
from ti_pipeline.releases.manifest import MartEntry, build_manifest
from ti_pipeline.sql_runner.execute import default_variables
from ti_pipeline.sql_runner.project import SqlProject
from ti_pipeline.sql_runner.relations import mart_read_sql
from ti_pipeline.sql_runner.state import ModelRunResult, model_fingerprint, recorded_result


class ReleaseRefused(RuntimeError):
    """The marts are not all up to date (or the portraits not built from them): nothing published."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"no release: {len(problems)} problem(s); the current release stays as it was.\n- " + "\n- ".join(problems)
        )


@dataclass
class Candidate:
    """The latest audited build of every mart, if all are up to date (else ``problems``)."""

    builds: dict[str, Path] = field(default_factory=dict)
    results: dict[str, ModelRunResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class ReleaseOutcome:
    release: Path
    kept: bool  # the current release already held these builds: nothing published
    marts: dict[str, int] = field(default_factory=dict)  # mart -> rows
    removed: list[Path] = field(default_factory=list)  # releases pruned

    @property
    def release_id(self) -> str:
        return self.release.name


def candidate_marts(
    project: SqlProject, paths: Paths, variables: Mapping[str, Any] | None = None, *, extras: bool = True
) -> Candidate:
    """The builds a release would hold now, or why there cannot be one. ``extras``: the geometry
    marts too (the pipeline's release); False for a SQL project alone."""
    variables = {**default_variables(), **(variables or {})}
    memo: dict = {}
    out = Candidate()
    for model in project.marts:
        fingerprint = model_fingerprint(project, model.name, paths, variables, memo)
        recorded = recorded_result(paths, model, fingerprint) if fingerprint is not None else None
        if recorded is None or recorded.version_dir is None:
            why = ("an input has never been ingested" if fingerprint is None else
                   "its last build failed a blocking test, or it was not rebuilt since its inputs changed")
            out.problems.append(f"mart {model.name} ({model.file}) is not up to date with the lake: {why}")
            continue
        out.builds[model.name] = recorded.version_dir
        out.results[model.name] = recorded
    if extras:
        geo = up_to_date_builds(paths)
        if geo is None:
            out.problems.append(f"the geometry marts ({', '.join(GEO_MARTS)}) are not up to date with the commune "
                                "shapes and mart_ti_composition: their last build failed or they were not rebuilt since")
        else:
            out.builds.update(geo)
    return out


@dataclass
class PortraitsOutcome:
    build: Path
    kept: bool  # made from the same marts and code: not rebuilt
    details: Any = None  # the ``PortraitsBuild`` when built


def build_release_portraits(project: SqlProject, paths: Paths, *, force: bool = False, pdf: bool = False) -> PortraitsOutcome:
    """The portraits of the next release: built from the candidate marts into ``builds/portraits``,
    or the build already made from them (unless ``force``). ``ReleaseRefused`` when a mart is not
    up to date: no page is built from a mix of states."""
    from ti_pipeline.portraits.build import build_portraits_build  # pandas and the renderers: only to build
    from ti_pipeline.portraits.state import builds_dir, record_state

    candidate = candidate_marts(project, paths)
    if candidate.problems:
        raise ReleaseRefused(candidate.problems)
    inputs = build_inputs(candidate.builds, pdf=pdf)
    kept = None if force else up_to_date_build(paths, inputs)
    if kept is not None:
        return PortraitsOutcome(build=kept, kept=True)
    built = build_portraits_build(candidate.builds, builds_dir(paths), pdf=pdf)
    record_state(paths, inputs, built.version_dir)
    return PortraitsOutcome(build=built.version_dir, kept=False, details=built)


def portraits_build_for(paths: Paths, builds: Mapping[str, Path]) -> Path | None:
    """The portraits build made from exactly ``builds`` and the current code, if there is one."""
    return build_from(paths, builds)


def code_version() -> dict:
    """The code a release was made with: the git commit when there is one, and a hash of the package
    and the SQL models (what the fingerprints already cover, said once for the whole release)."""
    h = hashlib.sha256()
    for root in (PROJECT_ROOT / "ti_pipeline", PROJECT_ROOT / "dbt_like_sql"):
        for f in sorted(root.rglob("*")):
            if f.suffix in (".py", ".sql") and f.is_file():
                h.update(f.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + f.read_bytes())
    out = {"sha256": h.hexdigest()}
    try:
        commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5)
        if commit.returncode == 0:
            out["git_commit"] = commit.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass  # no git: the hash says it
    return out


def _mart_entry(project: SqlProject, name: str, folder: Path, result: ModelRunResult) -> MartEntry:
    model = project.models[name]
    return MartEntry(
        name=name,
        folder=folder,
        row_count=result.row_count,
        columns=[tuple(c) for c in result.columns],
        build=result.version_dir.name if result.version_dir else "",
        description=model.description,
        column_descriptions=dict(model.columns),
        partition_by=tuple(model.partition_by or ()),
        fingerprint=result.fingerprint,
        tests=[{"name": r.test.name, "severity": r.test.severity, "passed": r.passed, "failing_rows": r.failing_count}
               for r in result.test_results],
    )


def _file_mart_entry(name: str, folder: Path, build: Path) -> MartEntry:
    """A mart that is not a SQL model (the geometry marts): rows, columns and descriptions read
    from its file."""
    with duckdb.connect() as con:
        rel = con.sql(mart_read_sql(folder))
        columns = list(zip(rel.columns, (str(t) for t in rel.types)))
        rows = con.sql(f"select count(*) from ({mart_read_sql(folder)})").fetchall()[0][0]
    files = sorted(folder.rglob("*.parquet"))
    meta = read_file_metadata(files[0]) if files else {}
    return MartEntry(name=name, folder=folder, row_count=rows, columns=columns, build=build.name,
                     column_descriptions=dict(meta.get(COLUMN_DESCRIPTIONS_KEY.decode()) or {}),
                     fingerprint=meta.get("ti_pipeline.fingerprint"))


def _same_as_current(paths: Paths, candidate: Candidate, portraits: Path | None) -> Path | None:
    current = store.current_release(paths)
    if current is None:
        return None
    manifest = store.read_manifest(current)
    held = {r["name"]: r.get("ti:build") for r in manifest.get("resources", [])}
    wanted = {n: b.name for n, b in candidate.builds.items()}
    held_portraits = (manifest.get("ti:portraits") or {}).get("build")
    return current if held == wanted and held_portraits == (portraits.name if portraits else None) else None


def make_release(project: SqlProject, paths: Paths, *, with_portraits: bool = True, force: bool = False) -> ReleaseOutcome:
    """Publish the current builds as a new release (see the module docstring); ``ReleaseRefused``
    when they are not all up to date. ``with_portraits``: the pipeline's release, with the geometry
    marts and the portraits built from these marts, both required; False for a SQL project alone."""
    candidate = candidate_marts(project, paths, extras=with_portraits)
    portraits = None
    if with_portraits and not candidate.problems:
        portraits = portraits_build_for(paths, candidate.builds)
        if portraits is None:
            candidate.problems.append("the portraits were not built from these marts (the portraits step did not run "
                                      "or failed since they were built)")
    if candidate.problems:
        raise ReleaseRefused(candidate.problems)
    same = None if force else _same_as_current(paths, candidate, portraits)
    if same is not None:
        return ReleaseOutcome(release=same, kept=True, marts=_rows(same))

    store.remove_unfinished(paths)
    release_id = store.new_release_id()
    tmp = paths.releases / f"{store.TMP_PREFIX}{release_id}"
    tmp.mkdir(parents=True)
    for name, build in candidate.builds.items():
        store.link_tree(build, tmp / "marts" / name)
    if portraits is not None:
        store.link_tree(portraits, tmp / "portraits")
    release = paths.releases / release_id
    os.rename(tmp, release)
    mart_dirs = {name: release / "marts" / name for name in candidate.builds}
    build_catalog(release / "catalog.duckdb", mart_dirs)
    sources = [p for raw in sorted(project.raw_sources) for p in read_provenance(paths, raw.removeprefix("raw_"))]
    synthetic = any(p.get("synthetic") for p in sources)
    manifest = build_manifest(
        release,
        release_id,
        datetime.now(timezone.utc).isoformat(timespec="seconds"),
        [
            _mart_entry(project, n, mart_dirs[n], candidate.results[n]) if n in candidate.results
            else _file_mart_entry(n, mart_dirs[n], candidate.builds[n])
            for n in candidate.builds
        ],
        sources,
        code=code_version(),
        portraits=None if portraits is None else {
            "build": portraits.name, "index": "portraits/index.html",
            "pages": sum(1 for p in (release / "portraits").glob("*.html")),
        },
        mode=get_mode(),
        synthetic=synthetic,
    )
    store.write_manifest(release, manifest)
    store.make_current(paths, release)
    removed = store.prune(paths)
    return ReleaseOutcome(release=release, kept=False, marts=_rows(release), removed=removed)


def _rows(release: Path) -> dict[str, int]:
    """Mart -> rows, as the release's manifest says."""
    return {r["name"]: r.get("ti:row_count") for r in store.read_manifest(release).get("resources", [])}


__all__ = ["Candidate", "PortraitsOutcome", "ReleaseOutcome", "ReleaseRefused", "build_release_portraits", "candidate_marts", "code_version", "make_release", "portraits_build_for"]
