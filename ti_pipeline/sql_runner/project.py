"""Loading ``dbt_like_sql/``: one file = one model; its header, its SQL, its dependencies.

Layout: ``<models_dir>/<layer>/<name>.sql`` with layer one of ``staging``, ``intermediate``,
``marts`` (the Dagster group). The file name is the model name and the asset key.

A file is one query, optionally preceded by a YAML header in a block comment::

    /* ---
    materialized: mart          # view | table | mart (default: view, table, mart by layer)
    partition_by: [annee]       # marts only: hive-partition columns
    description: ...
    columns: {col: description, ...}
    tests: [{unique: [col]}, ...]   # see data_tests
    --- */
    select ...

``<models_dir>/macros/*.sql`` is not a layer: it holds DuckDB macros (``create or replace macro``)
that the runner creates in every database it opens for models (``execute.open_database``); the
SIREN/SIRET key ``identifiant_entreprise_valide`` lives there. A model calling a macro has the
macros' text in its ``sql_hash``, so that changing a macro rebuilds the models that call it.

Table references resolve to another model or to a raw source ``raw_<source>``; anything else, a
cycle, or two files with the same model name fail here, at definition load, naming the files.

Not here: running SQL (``execute``), test SQL (``data_tests``), Dagster (``ti_pipeline.defs.sql``).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from ti_pipeline.config import PROJECT_ROOT, get_paths
from ti_pipeline.sql_runner.data_tests import DataTest, parse_test
from ti_pipeline.sql_runner.references import ReferencesMemo, SqlParseError

DEFAULT_MODELS_DIR = PROJECT_ROOT / "dbt_like_sql"

LAYERS = ("staging", "intermediate", "marts")
MACROS_DIR = "macros"  # DuckDB macros every model can call: not a layer, no models in it
MATERIALIZATIONS = ("view", "table", "mart")
DEFAULT_MATERIALIZATION = {"staging": "view", "intermediate": "table", "marts": "mart"}
RAW_PREFIX = "raw_"
HEADER_KEYS = {"materialized", "partition_by", "description", "columns", "tests"}

# libyaml's safe loader when PyYAML was built with it (10x faster: every process loading the
# definitions parses the 39 headers), else the pure-Python one; both build the same values
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_HEADER = re.compile(r"\A\s*/\*\s*---[ \t]*\n(?P<yaml>.*?)\n[ \t]*---\s*\*/", re.DOTALL)
_MODEL_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_MACRO_NAME = re.compile(r"create\s+(?:or\s+replace\s+)?(?:temp\s+|temporary\s+)?macro\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


class SqlProjectError(ValueError):
    """The models folder cannot be turned into a graph of assets; the message names the files."""


_GETVARIABLE = re.compile(r"getvariable\(\s*'([^']+)'\s*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Model:
    """One SQL model, as declared by its file."""

    name: str
    layer: str
    path: Path
    file: str  # path shown in messages: relative to the models folder's parent (dbt_like_sql/...)
    sql: str  # the query, header and trailing semicolon removed
    materialized: str
    partition_by: tuple[str, ...] = ()
    description: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    tests: tuple[DataTest, ...] = ()
    deps: tuple[str, ...] = ()  # what the SQL reads: model names and raw_<source> names
    test_deps: tuple[str, ...] = ()  # what only the tests read (relationships targets, assert SQL)
    macros_hash: str = ""  # sha256 of the macro files, when the SQL calls a macro

    @property
    def all_deps(self) -> tuple[str, ...]:
        return self.deps + tuple(d for d in self.test_deps if d not in self.deps)

    @cached_property
    def variables_used(self) -> frozenset[str]:
        """The variables the file reads (``getvariable('industry_scope')``, in its SQL or its tests)."""
        return frozenset(_GETVARIABLE.findall(self.path.read_text(encoding="utf-8")))

    @cached_property
    def sql_hash(self) -> str:
        """sha256 of the whole file (SQL and header), and of the macros when it calls one: any change
        makes the asset's code version change."""
        h = hashlib.sha256(self.path.read_bytes())
        if self.macros_hash:
            h.update(b"\0macros\0" + self.macros_hash.encode())
        return h.hexdigest()


@dataclass(frozen=True)
class SqlProject:
    """Every model of a models folder, in dependency order (upstream first)."""

    models_dir: Path
    models: Mapping[str, Model]
    raw_sources: frozenset[str]  # raw asset names: raw_<source>
    macros: tuple[Path, ...] = ()  # <models_dir>/macros/*.sql, created in every database before the models

    def macros_sql(self) -> str:
        """The macro files' statements, in file order (what ``execute.open_database`` runs)."""
        return read_macros(self.macros)

    @property
    def marts(self) -> list[Model]:
        return [m for m in self.models.values() if m.materialized == "mart"]

    def upstream(self, name: str) -> list[str]:
        """Every model and raw source ``name`` depends on, transitively (tests included)."""
        seen: list[str] = []
        stack = list(self.models[name].all_deps)
        while stack:
            dep = stack.pop()
            if dep in seen:
                continue
            seen.append(dep)
            if dep in self.models:
                stack.extend(self.models[dep].all_deps)
        return seen

    def raw_sources_of(self, name: str) -> list[str]:
        """The raw sources (``raw_<source>``) a model is built from, transitively, sorted."""
        return sorted(d for d in self.upstream(name) if d in self.raw_sources)


def load_project(models_dir: Path, raw_sources: Iterable[str], references_memo: Path | None = None) -> SqlProject:
    """Read every ``<layer>/**/*.sql`` under ``models_dir``. Raises ``SqlProjectError``.

    ``raw_sources`` are catalog source names (``ti_communes``) or raw asset names
    (``raw_ti_communes``); models reference them as ``raw_<source>``. ``references_memo``: a JSON
    file remembering the tables each query reads (``references``), so that a load parses only
    the SQL it has not seen; none by default (everything parsed).
    """
    memo = ReferencesMemo(references_memo)
    project = _load_project(models_dir, raw_sources, memo)
    memo.save()
    return project


REFERENCES_MEMO_FILE = "sql_references.json"


def pipeline_project() -> SqlProject:
    """The pipeline's project: ``dbt_like_sql/``, the catalog's sources as raw inputs, the
    references remembered in the data folder's cache. What the definitions, the up-to-date check
    of ``ti-pipeline run`` and the docs load."""
    from ti_pipeline.sources.catalog import SOURCES  # here: the SQL runner itself knows no catalog

    return load_project(DEFAULT_MODELS_DIR, raw_sources=[s.name for s in SOURCES],
                        references_memo=get_paths().cache / REFERENCES_MEMO_FILE)


def macro_files(models_dir: Path) -> tuple[Path, ...]:
    """The macro files of a models folder (none when it has no ``macros/``)."""
    return tuple(sorted((Path(models_dir) / MACROS_DIR).glob("*.sql")))


def read_macros(files: Iterable[Path]) -> str:
    return "\n".join(Path(f).read_text(encoding="utf-8") for f in files)


def _with_macros(models: dict[str, Model], macros: tuple[Path, ...]) -> dict[str, Model]:
    """Each model calling a macro, with the macros' hash (see ``Model.sql_hash``)."""
    if not macros:
        return models
    text = read_macros(macros)
    names = set(m.lower() for m in _MACRO_NAME.findall(text))
    calls = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\s*\(", re.IGNORECASE) if names else None
    digest = hashlib.sha256(text.encode()).hexdigest()
    return {
        n: replace(m, macros_hash=digest) if calls and calls.search(m.path.read_text(encoding="utf-8")) else m
        for n, m in models.items()
    }


def _load_project(models_dir: Path, raw_sources: Iterable[str], memo: ReferencesMemo) -> SqlProject:
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        raise SqlProjectError(f"models folder {models_dir} does not exist")
    raw = frozenset(s if s.startswith(RAW_PREFIX) else RAW_PREFIX + s for s in raw_sources)

    # Every problem of every file is collected, so that one load lists everything to fix.
    errors: list[str] = []
    models: dict[str, Model] = {}
    unreadable: set[str] = set()  # files that failed to parse: references to them are not "unknown"
    macros = macro_files(models_dir)
    for path in sorted(models_dir.rglob("*.sql")):
        if path in macros or path.relative_to(models_dir).parts[0] == MACROS_DIR:
            continue
        try:
            model = parse_model_file(path, models_dir, memo)
        except SqlProjectError as e:
            errors.append(str(e))
            unreadable.add(path.stem.lower())
            continue
        if model.name in models:
            errors.append(f"duplicate model name {model.name!r}: {models[model.name].file} and {model.file}")
        elif model.name in raw:
            errors.append(f"{model.file}: model name {model.name!r} is the name of a raw source")
        else:
            models[model.name] = model
    errors += _unknown_references(models, raw | unreadable)
    if errors:
        raise SqlProjectError(_join(errors))
    ordered = _topological_order(models)
    models = _with_macros(models, macros)
    return SqlProject(models_dir=models_dir, models={n: models[n] for n in ordered}, raw_sources=raw, macros=macros)


def parse_model_file(path: Path, models_dir: Path, memo: ReferencesMemo | None = None) -> Model:
    """One file -> one ``Model`` (dependencies still unresolved). Raises ``SqlProjectError``."""
    memo = memo or ReferencesMemo(None)
    shown = _shown(path, models_dir)
    rel = path.relative_to(models_dir)
    layer = rel.parts[0] if len(rel.parts) > 1 else ""
    if layer not in LAYERS:
        raise SqlProjectError(f"{shown}: a model lives in one of the layer folders {', '.join(LAYERS)}")
    name = path.stem
    if not _MODEL_NAME.match(name):
        raise SqlProjectError(f"{shown}: model name {name!r} must be lower-case letters, digits and underscores")

    text = path.read_text(encoding="utf-8")
    header, body = _split_header(text, shown)
    unknown = set(header) - HEADER_KEYS
    if unknown:
        raise SqlProjectError(f"{shown}: unknown header key(s) {sorted(unknown)}; known: {sorted(HEADER_KEYS)}")

    materialized = header.get("materialized", DEFAULT_MATERIALIZATION[layer])
    if materialized not in MATERIALIZATIONS:
        raise SqlProjectError(f"{shown}: materialized must be one of {MATERIALIZATIONS}, got {materialized!r}")
    if materialized == "mart" and layer != "marts":
        raise SqlProjectError(f"{shown}: materialized: mart is only for models in marts/")
    partition_by = header.get("partition_by") or []
    if isinstance(partition_by, str):
        partition_by = [partition_by]
    if partition_by and materialized != "mart":
        raise SqlProjectError(f"{shown}: partition_by is only for materialized: mart")
    if not all(isinstance(c, str) for c in partition_by):
        raise SqlProjectError(f"{shown}: partition_by is a list of column names")
    columns = header.get("columns") or {}
    if not isinstance(columns, Mapping):
        raise SqlProjectError(f"{shown}: columns is a mapping column: description")
    description = header.get("description")

    tests: list[DataTest] = []
    raw_tests = header.get("tests") or []
    if not isinstance(raw_tests, list):
        raise SqlProjectError(f"{shown}: tests is a list")
    for i, spec in enumerate(raw_tests, 1):
        try:
            tests.append(parse_test(spec))
        except ValueError as e:
            raise SqlProjectError(f"{shown}: test #{i}: {e}") from None
    names = [t.name for t in tests]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SqlProjectError(f"{shown}: several tests named {dupes}; give one a distinct `name:`")

    try:
        deps = memo.references(body)
    except SqlParseError as e:
        raise SqlProjectError(f"{shown}: {e}") from None
    test_deps: list[str] = []
    for t in tests:
        refs = [t.referenced_model] if t.referenced_model else []
        if t.kind == "assert":
            try:
                refs = memo.references(t.params["sql"])
            except SqlParseError as e:
                raise SqlProjectError(f"{shown}: test {t.name}: {e}") from None
        test_deps += [r for r in refs if r != name and r not in deps and r not in test_deps]

    return Model(
        name=name,
        layer=layer,
        path=path,
        file=shown,
        sql=body,
        materialized=materialized,
        partition_by=tuple(partition_by),
        description=str(description).strip() if description else None,
        columns={str(k): str(v).strip() for k, v in columns.items()},
        tests=tuple(tests),
        deps=tuple(deps),
        test_deps=tuple(test_deps),
    )


def _split_header(text: str, shown: str) -> tuple[dict[str, Any], str]:
    match = _HEADER.match(text)
    if match is None:
        if re.match(r"\A\s*/\*\s*---", text):
            raise SqlProjectError(f"{shown}: the header opened with '/* ---' is not closed with '--- */'")
        if re.search(r"/\*\s*---", text):
            # Ignoring it would silently drop the model's tests and options.
            raise SqlProjectError(f"{shown}: the '/* --- ... --- */' header must be at the very top of the file")
        header, body = {}, text
    else:
        try:
            header = yaml.load(match.group("yaml"), Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as e:
            raise SqlProjectError(f"{shown}: the YAML header is invalid: {e}") from None
        if not isinstance(header, dict):
            raise SqlProjectError(f"{shown}: the YAML header must be a mapping")
        body = text[match.end():]
    body = body.strip()
    while body.endswith(";"):
        body = body[:-1].rstrip()
    if not body:
        raise SqlProjectError(f"{shown}: no SQL after the header")
    return header, body


def _unknown_references(models: Mapping[str, Model], known_elsewhere: Iterable[str]) -> list[str]:
    known = set(models) | set(known_elsewhere)
    errors = []
    for model in models.values():
        for dep in model.all_deps:
            if dep in known:
                continue
            hint = difflib.get_close_matches(dep, sorted(known), n=1)
            where = "its SQL" if dep in model.deps else "a test"
            errors.append(
                f"{model.file}: {where} references {dep!r}, which is neither a model nor a raw source"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
            )
    return errors


def _topological_order(models: Mapping[str, Model]) -> list[str]:
    """Models upstream first; a cycle raises with the files along it."""
    order: list[str] = []
    state: dict[str, str] = {}  # name -> "visiting" | "done"

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name):] + [name]
            raise SqlProjectError("dependency cycle: " + " -> ".join(models[n].file for n in cycle))
        state[name] = "visiting"
        for dep in models[name].all_deps:
            if dep in models:
                visit(dep, path + [name])
        state[name] = "done"
        order.append(name)

    for name in sorted(models):
        visit(name, [])
    return order


def _shown(path: Path, models_dir: Path) -> str:
    return path.relative_to(models_dir.parent).as_posix()


def _join(errors: list[str]) -> str:
    return errors[0] if len(errors) == 1 else f"{len(errors)} problems in the SQL models:\n- " + "\n- ".join(errors)
