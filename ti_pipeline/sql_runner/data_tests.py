"""Data tests declared in a model's header, turned into SQL that returns the failing rows.

Every test is a query over the model's relation; the rows it returns are the failures (zero rows =
pass), the way dbt and lea do it. Kinds:

- ``unique: [col, ...]``                         key values that appear more than once (with ``n``)
- ``not_null: [col, ...]``                       rows where any of the columns is null
- ``accepted_values: {column, values}``          rows whose non-null value is not in the list
- ``relationships: {column, to: model.column}``  rows whose non-null value is absent from ``to``
- ``row_count: {min, max}``                      one row (``n``) when the count is out of bounds
- ``assert: {name, sql}``                        any query; the rows it returns are failures

Each test may also carry ``name:`` (the Dagster check name; otherwise derived from kind and columns),
``description:``, and ``severity: warn`` (default ``error``): a failing ``warn`` test is reported
but never blocks the publication of a mart.

Not here: where the relation comes from (``execute`` points it at the new data before publication),
Dagster (``ti_pipeline.defs.sql`` turns results into ``AssetCheckResult``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import duckdb

TEST_KINDS = ("unique", "not_null", "accepted_values", "relationships", "row_count", "assert")
SEVERITIES = ("error", "warn")
EXAMPLE_ROWS = 5
_CHECK_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class DataTest:
    """One test of one model. ``params`` is the validated YAML of the test."""

    kind: str
    name: str
    params: Mapping[str, Any]
    description: str
    severity: str = "error"

    @property
    def referenced_model(self) -> str | None:
        """The other model a relationships test reads (it must be built first)."""
        if self.kind == "relationships":
            return self.params["to_model"]
        return None

    def failing_condition(self) -> str | None:
        """For a test on each row by itself (``not_null``, ``accepted_values``): the condition a
        failing row meets, so that several such tests and the row count share one scan."""
        p = self.params
        if self.kind == "not_null":
            return " or ".join(f"{quote_ident(c)} is null" for c in p["columns"])
        if self.kind == "accepted_values":
            col = quote_ident(p["column"])
            values = ", ".join(quote_literal(v) for v in p["values"])
            return f"{col} is not null and {col} not in ({values})"
        return None

    def failing_rows_sql(self, relation: str) -> str:
        """A query over ``relation`` returning the rows that fail this test."""
        p = self.params
        if self.kind == "unique":
            cols = ", ".join(quote_ident(c) for c in p["columns"])
            return f"select {cols}, count(*) as n from {relation} group by {cols} having count(*) > 1 order by n desc"
        if self.kind in ("not_null", "accepted_values"):
            return f"select * from {relation} where {self.failing_condition()}"
        if self.kind == "relationships":
            col, to_col = quote_ident(p["column"]), quote_ident(p["to_column"])
            return (
                f"select * from {relation} as child where child.{col} is not null and not exists "
                f"(select 1 from {p['to_model']} as parent where parent.{to_col} = child.{col})"
            )
        if self.kind == "row_count":
            bounds = []
            if p.get("min") is not None:
                bounds.append(f"n < {int(p['min'])}")
            if p.get("max") is not None:
                bounds.append(f"n > {int(p['max'])}")
            return f"select n from (select count(*) as n from {relation}) where {' or '.join(bounds)}"
        if self.kind == "assert":
            return p["sql"].strip().rstrip(";")
        raise AssertionError(self.kind)


@dataclass
class DataTestResult:
    test: DataTest
    passed: bool
    failing_count: int
    columns: list[str] = field(default_factory=list)
    examples: list[tuple] = field(default_factory=list)
    error: str | None = None  # the test's SQL itself failed (missing column...): counts as a failure

    @property
    def blocks(self) -> bool:
        """Does this result stop a mart from being published?"""
        return not self.passed and self.test.severity == "error"

    def summary(self) -> str:
        if self.passed:
            return f"{self.test.name}: passed"
        if self.error:
            return f"{self.test.name}: could not run: {self.error}"
        text = f"{self.test.name}: {self.failing_count} failing row(s)"
        if self.examples:
            text += "\n" + markdown_table(self.columns, self.examples)
        return text


def parse_test(spec: Any) -> DataTest:
    """Validate one item of the header's ``tests:`` list. Raises ``ValueError`` with the reason."""
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError(f"a test is a mapping such as {{unique: [col]}}, got {spec!r}")
    spec = dict(spec)
    name = spec.pop("name", None)
    description = spec.pop("description", None)
    severity = str(spec.pop("severity", "error")).lower()
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
    if len(spec) != 1:
        raise ValueError(f"a test has exactly one kind among {TEST_KINDS}, got {sorted(spec)}")
    (kind, arg), = spec.items()
    if kind not in TEST_KINDS:
        raise ValueError(f"unknown test kind {kind!r}; known: {', '.join(TEST_KINDS)}")
    params = _PARSERS[kind](arg)
    if kind == "assert":
        name = name or params.get("name")
    name = name or _default_name(kind, params)
    if not _CHECK_NAME.match(str(name)):
        raise ValueError(f"test name {name!r} must contain only letters, digits and underscores")
    return DataTest(
        kind=kind,
        name=str(name),
        params=params,
        description=description or _describe(kind, params),
        severity=severity,
    )


def run_test(con: duckdb.DuckDBPyConnection, test: DataTest, relation: str, count: int | None = None) -> DataTestResult:
    """Run ``test`` over ``relation`` in ``con``; an error in the test SQL is a failed test.
    ``count``: its failing rows, already counted (``run_tests``)."""
    sql = test.failing_rows_sql(relation)
    try:
        # Newlines around the test SQL: a trailing "-- comment" in an assert must not eat the ")".
        if count is None:
            count = con.sql(f"select count(*) from (\n{sql}\n)").fetchall()[0][0]
        examples_rel = con.sql(f"select * from (\n{sql}\n) limit {EXAMPLE_ROWS}")
        # examples only of a failure: for a passing test the query would run again to find nothing
        columns, examples = list(examples_rel.columns), (examples_rel.fetchall() if count else [])
    except duckdb.InterruptException:
        raise  # the build was stopped (Ctrl-C): not a failing test
    except duckdb.Error as e:
        return DataTestResult(test, passed=False, failing_count=-1, error=f"{type(e).__name__}: {e}")
    return DataTestResult(test, passed=count == 0, failing_count=int(count), columns=columns, examples=examples)


def run_tests(con: duckdb.DuckDBPyConnection, tests: Sequence[DataTest], relation: str) -> list[DataTestResult]:
    return run_tests_and_count(con, tests, relation)[0]


def run_tests_and_count(
    con: duckdb.DuckDBPyConnection, tests: Sequence[DataTest], relation: str
) -> tuple[list[DataTestResult], int | None]:
    """The tests' results and the relation's row count. The row count and the failing rows of every
    row-by-row test (``failing_condition``) come from one scan: on a view, each scan runs its SQL
    again (the national Urssaf view: 20 M rows). If that query fails (a test naming a missing
    column...), each test runs on its own, so the error is reported by the test it belongs to;
    the row count is then None."""
    by_row = [t for t in tests if t.failing_condition() is not None]
    counts: dict[int, int] = {}
    row_count = None
    try:
        filters = "".join(f", count(*) filter (where {t.failing_condition()})" for t in by_row)
        row = con.sql(f"select count(*){filters} from {relation}").fetchall()[0]
        row_count, counts = int(row[0]), {id(t): int(n) for t, n in zip(by_row, row[1:])}
    except duckdb.InterruptException:
        raise  # the build was stopped: the queries below would run again in full
    except duckdb.Error:
        pass
    return [run_test(con, t, relation, counts.get(id(t))) for t in tests], row_count


# --- parsing of each kind -------------------------------------------------------------------------


def _columns(arg: Any) -> dict[str, Any]:
    cols = [arg] if isinstance(arg, str) else arg
    if not isinstance(cols, list) or not cols or not all(isinstance(c, str) and c for c in cols):
        raise ValueError(f"expected a column or a list of columns, got {arg!r}")
    return {"columns": list(cols)}


def _accepted_values(arg: Any) -> dict[str, Any]:
    _require_keys(arg, required={"column", "values"})
    if not isinstance(arg["values"], list) or not arg["values"]:
        raise ValueError("accepted_values: 'values' must be a non-empty list")
    return {"column": str(arg["column"]), "values": list(arg["values"])}


def _relationships(arg: Any) -> dict[str, Any]:
    _require_keys(arg, required={"column", "to"})
    to = str(arg["to"])
    model, _, column = to.partition(".")
    if not model or not column:
        raise ValueError(f"relationships: 'to' is <model>.<column>, got {to!r}")
    return {"column": str(arg["column"]), "to": to, "to_model": model.lower(), "to_column": column}


def _row_count(arg: Any) -> dict[str, Any]:
    _require_keys(arg, optional={"min", "max"})
    if arg.get("min") is None and arg.get("max") is None:
        raise ValueError("row_count needs min, max or both")
    for key in ("min", "max"):
        if arg.get(key) is not None and not isinstance(arg[key], int):
            raise ValueError(f"row_count: {key} must be an integer, got {arg[key]!r}")
    return {"min": arg.get("min"), "max": arg.get("max")}


def _assert(arg: Any) -> dict[str, Any]:
    _require_keys(arg, required={"name", "sql"})
    return {"name": str(arg["name"]), "sql": str(arg["sql"])}


_PARSERS = {
    "unique": _columns,
    "not_null": _columns,
    "accepted_values": _accepted_values,
    "relationships": _relationships,
    "row_count": _row_count,
    "assert": _assert,
}


def _require_keys(arg: Any, required: set[str] = frozenset(), optional: set[str] = frozenset()) -> None:
    if not isinstance(arg, Mapping):
        raise ValueError(f"expected a mapping with keys {sorted(required | optional)}, got {arg!r}")
    missing, extra = required - set(arg), set(arg) - required - optional
    if missing or extra:
        raise ValueError(f"expected keys {sorted(required | optional)}; missing {sorted(missing)}, unknown {sorted(extra)}")


def _default_name(kind: str, p: Mapping[str, Any]) -> str:
    if kind in ("unique", "not_null"):
        suffix = "__".join(p["columns"])
    elif kind == "accepted_values":
        suffix = p["column"]
    elif kind == "relationships":
        suffix = f"{p['column']}__{p['to_model']}"
    else:
        suffix = ""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{kind}_{suffix}".rstrip("_"))


def _describe(kind: str, p: Mapping[str, Any]) -> str:
    if kind == "unique":
        return f"({', '.join(p['columns'])}) is unique"
    if kind == "not_null":
        return f"{', '.join(p['columns'])} never null"
    if kind == "accepted_values":
        return f"{p['column']} in {p['values']}"
    if kind == "relationships":
        return f"every {p['column']} exists in {p['to']}"
    if kind == "row_count":
        return f"row count within [{p.get('min')}, {p.get('max')}]"
    return f"assertion {p['name']}: {p['sql']}"


# --- SQL and text helpers -------------------------------------------------------------------------


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A small markdown table (no dependency on ``tabulate``), cells shortened to stay readable."""

    def cell(v: Any) -> str:
        text = "NULL" if v is None else str(v)
        text = text.replace("|", "\\|").replace("\n", " ")
        return text if len(text) <= 60 else text[:57] + "..."

    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
