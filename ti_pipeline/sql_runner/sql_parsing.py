"""Reading SQL with sqlglot (DuckDB dialect): one query per model, and the tables it references.

A model's dependencies are the tables its SQL reads, so they are never declared twice. What is *not*
a dependency: CTE names (at any nesting level), subquery aliases, table functions
(``read_parquet(...)``, ``range(...)``, ``unnest(...)``).

sqlglot is imported when something is parsed, not with this module: ``SqlParseError`` is caught
(``project``, through ``references``) by processes that find every reference remembered and parse
nothing.

Not here: what a reference resolves to (``project``), remembering the references (``references``,
which imports this module, never the reverse), running SQL (``execute``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp

DIALECT = "duckdb"


class SqlParseError(ValueError):
    """The SQL is not exactly one query that sqlglot can read."""


def parse_query(sql: str) -> exp.Expression:
    """Parse ``sql`` as exactly one query (SELECT, set operation, DuckDB's FROM-first...)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except ParseError as e:
        raise SqlParseError(f"sqlglot cannot parse the SQL: {e}") from None
    if len(statements) != 1:
        raise SqlParseError(f"a model is one query, found {len(statements)} statements")
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        raise SqlParseError(f"a model is one SELECT query, found a {statement.key.upper()} statement")
    return statement


def table_references(query: exp.Expression) -> list[str]:
    """Names of the tables ``query`` reads, in order of appearance, without duplicates.

    A table node is a reference unless its name is a CTE of an enclosing ``WITH`` (CTEs are visible
    in the query that defines them, in later CTEs of the same ``WITH`` and in nested subqueries).
    This walks the tree itself rather than using sqlglot's scope analysis, which silently skips
    DuckDB constructs it does not know (a CTE whose body is an ``UNPIVOT`` statement) and would then
    report the CTE's name as a table.

    Names are lower-cased (DuckDB identifiers are case-insensitive); qualified names keep their
    qualifier (``main.stg_x``) so that the caller can refuse them explicitly.
    """
    from sqlglot import exp

    found: list[str] = []
    for table in query.find_all(exp.Table):
        name = _table_name(table)
        if name is None or name in found:
            continue
        if "." not in name and name in _visible_cte_names(table):
            continue
        found.append(name)
    return found


def _visible_cte_names(node: exp.Expression) -> set[str]:
    from sqlglot import exp

    names: set[str] = set()
    for ancestor in _ancestors(node):
        with_ = ancestor.args.get("with_") or ancestor.args.get("with")
        if isinstance(with_, exp.With):
            names |= {cte.alias_or_name.lower() for cte in with_.expressions}
    return names


def _ancestors(node: exp.Expression):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _table_name(table: exp.Table) -> str | None:
    from sqlglot import exp

    if not isinstance(table.this, exp.Identifier):
        return None  # a table function: read_parquet(...), range(...), generate_series(...)
    parts = [p for p in (table.catalog, table.db, table.name) if p]
    return ".".join(parts).lower()


__all__ = ["DIALECT", "SqlParseError", "parse_query", "table_references"]
