"""Each kind of data test catches a crafted failure, passes on clean data, and shows example rows."""

from __future__ import annotations

import duckdb
import pytest

from ti_pipeline.sql_runner.data_tests import parse_test, run_test

CLEAN = """
    select * from (values
        ('ti-0001', 'pop', 2021, '%', 10.0),
        ('ti-0002', 'pop', 2021, 'nombre', 20.0),
        ('ti-0001', 'emp', 2021, 'EUR', 30.0)
    ) t(id_ti, code_indicateur, annee, unite, valeur)
"""

# (test spec, crafted bad row, expected failing count)
CASES = [
    ({"unique": ["id_ti", "code_indicateur", "annee"]}, "('ti-0001', 'pop', 2021, '%', 99.0)", 1),
    ({"not_null": ["id_ti", "code_indicateur"]}, "('ti-0003', null, 2021, '%', 1.0)", 1),
    ({"accepted_values": {"column": "unite", "values": ["%", "nombre", "EUR"]}}, "('ti-0003', 'x', 2021, 'kg', 1.0)", 1),
    ({"relationships": {"column": "id_ti", "to": "composition.id_ti"}}, "('ti-0404', 'x', 2021, '%', 1.0)", 1),
    ({"row_count": {"min": 1, "max": 3}}, "('ti-0003', 'x', 2021, '%', 1.0)", 1),
    ({"assert": {"name": "valeur_positive", "sql": "select * from indicateurs where valeur < 0 -- rows are failures"}},
     "('ti-0003', 'x', 2021, '%', -5.0)", 1),
]


@pytest.fixture
def con():
    with duckdb.connect() as c:
        c.execute("create table composition as select * from (values ('ti-0001'), ('ti-0002'), ('ti-0003')) t(id_ti)")
        yield c


@pytest.mark.parametrize("spec, bad_row, expected", CASES, ids=[next(iter(c[0])) for c in CASES])
def test_each_kind_catches_a_crafted_failure(con, spec, bad_row, expected):
    test = parse_test(spec)
    con.execute(f"create table indicateurs as {CLEAN}")
    clean = run_test(con, test, "indicateurs")
    assert clean.passed and clean.failing_count == 0, clean.summary()

    con.execute(f"insert into indicateurs values {bad_row}")
    bad = run_test(con, test, "indicateurs")
    assert not bad.passed and bad.blocks
    assert bad.failing_count == expected
    assert bad.examples, "a failure shows example rows"
    assert test.name in bad.summary() and "failing row" in bad.summary()


def test_unique_reports_the_duplicated_key_and_its_count(con):
    con.execute(f"create table indicateurs as {CLEAN} union all select 'ti-0002', 'pop', 2021, '%', 1.0")
    result = run_test(con, parse_test({"unique": ["id_ti", "code_indicateur", "annee"]}), "indicateurs")
    assert result.columns == ["id_ti", "code_indicateur", "annee", "n"]
    assert result.examples == [("ti-0002", "pop", 2021, 2)]


def test_nulls_are_not_accepted_values_or_relationship_failures(con):
    # dbt's convention: not_null is the test for nulls; other tests ignore them.
    con.execute(f"create table indicateurs as {CLEAN} union all select null, 'x', 2021, null, 1.0")
    assert run_test(con, parse_test({"accepted_values": {"column": "unite", "values": ["%", "nombre", "EUR"]}}), "indicateurs").passed
    assert run_test(con, parse_test({"relationships": {"column": "id_ti", "to": "composition.id_ti"}}), "indicateurs").passed


def test_a_test_that_cannot_run_is_a_failure_with_the_error(con):
    con.execute(f"create table indicateurs as {CLEAN}")
    result = run_test(con, parse_test({"not_null": ["colonne_absente"]}), "indicateurs")
    assert not result.passed and result.error and "colonne_absente" in result.error
    assert "could not run" in result.summary()


def test_names_descriptions_and_severity():
    assert parse_test({"not_null": "a"}).name == "not_null_a"
    assert parse_test({"unique": ["a", "b"], "name": "cle_unique"}).name == "cle_unique"
    assert parse_test({"assert": {"name": "ratio_in_bounds", "sql": "select 1"}}).name == "ratio_in_bounds"
    warn = parse_test({"row_count": {"min": 10}, "severity": "warn"})
    assert warn.severity == "warn" and warn.description == "row count within [10, None]"
    with pytest.raises(ValueError, match="severity"):
        parse_test({"row_count": {"min": 10}, "severity": "fatal"})
    with pytest.raises(ValueError, match="letters, digits"):
        parse_test({"unique": ["a"], "name": "clé unique"})
    with pytest.raises(ValueError, match="<model>.<column>"):
        parse_test({"relationships": {"column": "a", "to": "composition"}})
    with pytest.raises(ValueError, match="exactly one kind"):
        parse_test({"unique": ["a"], "not_null": ["a"]})


def test_warn_severity_does_not_block(con):
    con.execute(f"create table indicateurs as {CLEAN}")
    result = run_test(con, parse_test({"row_count": {"min": 10}, "severity": "warn"}), "indicateurs")
    assert not result.passed and not result.blocks


def test_all_tests_together_count_like_each_alone_with_the_row_count(con):
    """run_tests_and_count shares one scan between the row count and the row-by-row tests; the
    results are those of each test run alone."""
    from ti_pipeline.sql_runner.data_tests import run_tests_and_count

    bad = ", ".join(c[1] for c in CASES)
    con.execute(f"create view indicateurs as select * from ({CLEAN}) union all select * from (values {bad})")
    tests = [parse_test(spec) for spec, _, _ in CASES]
    together, row_count = run_tests_and_count(con, tests, "indicateurs")
    alone = [run_test(con, t, "indicateurs") for t in tests]
    assert row_count == 3 + len(CASES)
    assert [(r.passed, r.failing_count, r.examples) for r in together] == [(r.passed, r.failing_count, r.examples) for r in alone]
    assert [r.failing_count for r in together[1:3]] == [1, 1]  # not_null, accepted_values: one bad row each


def test_a_broken_row_test_is_reported_by_itself(con):
    """A row test naming a missing column makes the shared scan fail: each test then runs alone,
    the broken one says why, the others still count right."""
    from ti_pipeline.sql_runner.data_tests import run_tests_and_count

    con.execute(f"create table indicateurs as select * from ({CLEAN}) union all select 'ti-0009', null, 2021, '%', 1.0")
    tests = [parse_test({"not_null": ["code_indicateur"]}), parse_test({"not_null": ["colonne_absente"]})]
    (good, broken), row_count = run_tests_and_count(con, tests, "indicateurs")
    assert row_count is None
    assert (good.passed, good.failing_count, len(good.examples)) == (False, 1, 1)
    assert not broken.passed and broken.failing_count == -1 and "colonne_absente" in broken.error


def test_an_interrupted_test_query_stops_the_build_rather_than_failing_the_test():
    """Ctrl-C interrupts the DuckDB query of a test: that is no failing test to record, and the
    queries that would follow (the other tests, the preview) must not run again in full."""
    import threading

    from ti_pipeline.sql_runner.data_tests import run_tests_and_count

    con = duckdb.connect()
    con.execute("create view lente as select a.range * b.range as x from range(10000000) a, range(1000) b")
    tests = [parse_test({"assert": {"name": "jamais", "sql": "select * from lente where x < 0"}})]
    timer = threading.Timer(0.3, con.interrupt)
    timer.start()
    try:
        with pytest.raises(duckdb.InterruptException):
            run_tests_and_count(con, tests, "lente")
    finally:
        timer.cancel()
