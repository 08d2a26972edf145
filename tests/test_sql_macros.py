"""The DuckDB macros of dbt_like_sql/macros/: the SIREN/SIRET key agrees with its Python home
(``validation.rules``), and the runner creates the macros wherever it runs a model's SQL."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ti_pipeline.sources.catalog import SOURCES
from ti_pipeline.sql_runner import DEFAULT_MODELS_DIR, load_project, run_model
from ti_pipeline.sql_runner.execute import load_macros, open_connection, open_database
from ti_pipeline.sql_runner.project import MACROS_DIR, macro_files
from ti_pipeline.validation.rules import luhn_siren, luhn_siret

from test_sql_runner_support import RAW, models, paths, write_model  # noqa: F401

IDS = [
    "732829320",  # valid SIREN
    "552032534",  # valid SIREN
    "732829321",  # SIREN, wrong key
    "73282932000074",  # valid SIRET
    "55203253400646",  # valid SIRET
    "73282932000075",  # SIRET, wrong key
    "73282932100073",  # SIRET whose own key is valid but its SIREN's is not
    "35600000000048",  # La Poste's head office: an ordinary Luhn number
    "35600000049837",  # La Poste, digit sum 45 (multiple of 5), Luhn key invalid
    "35600000049838",  # La Poste, digit sum 46: invalid
    "35600000100000",  # La Poste, digit sum 15
    "12345",  # wrong lengths
    "1234567890",
    "7328293200007",
    "732829320000740",
    "",  # empty
    "73282932O",  # a letter among the digits
]


def _macro(con, ids):
    return [
        row[0]
        for row in con.execute(
            "select identifiant_entreprise_valide(id) from unnest($ids) with ordinality as t(id, n) order by n",
            {"ids": ids},
        ).fetchall()
    ]


def _python(ids):
    """What the validation's rules say of each id, as a usable company id: a SIREN that passes
    ``luhn_siren`` or a SIRET that passes ``luhn_siret`` (the rules leave other lengths to the
    format checks: here they are not usable)."""
    values = pd.Series(ids, dtype="string")
    siren = values.str.fullmatch(r"[0-9]{9}")
    siret = values.str.fullmatch(r"[0-9]{14}")
    return list((siren & luhn_siren(values)) | (siret & luhn_siret(values)))


def test_the_key_macro_agrees_with_the_python_rules():
    con = duckdb.connect()
    load_macros(con)
    assert _macro(con, IDS) == _python(IDS)
    # the cases that matter, spelled out
    answers = dict(zip(IDS, _macro(con, IDS)))
    assert answers["732829320"] and answers["73282932000074"] and answers["35600000049837"]
    assert not any(answers[i] for i in ("732829321", "73282932000075", "73282932100073", "35600000049838", "12345", ""))
    assert con.execute("select identifiant_entreprise_valide(null)").fetchone() == (False,)


def test_the_key_macro_agrees_on_many_generated_ids():
    # every 9- and 14-digit neighbour of a few real ids: a tenth of them carry a valid key
    bases = ["732829320", "552032534", "73282932000074", "35600000049837", "35600000000048"]
    ids = sorted({b[:-1] + str(d) for b in bases for d in range(10)} | {b[:-2] + f"{d:02d}" for b in bases for d in range(100)})
    con = duckdb.connect()
    load_macros(con)
    assert _macro(con, ids) == _python(ids)


def test_the_loader_skips_the_macros_folder_and_the_runner_loads_it():
    project = load_project(DEFAULT_MODELS_DIR, raw_sources=[s.name for s in SOURCES])
    assert project.macros == macro_files(DEFAULT_MODELS_DIR)
    assert DEFAULT_MODELS_DIR / MACROS_DIR / "identifiants.sql" in project.macros
    assert "identifiants" not in project.models
    # both staging models call the macro: its text is part of their code version
    for name in ("stg_relance_laureats", "stg_laureats_ti"):
        model = project.models[name]
        assert "identifiant_entreprise_valide(" in model.sql and model.macros_hash
    assert not project.models["stg_cog_communes"].macros_hash


def test_a_model_calling_a_macro_runs_through_the_runner(models, paths):  # noqa: F811
    write_model(models, "macros/cles.sql", """
        create or replace macro double_population(p) as 2 * p;
    """)
    write_model(models, "staging/stg_population_double.sql", """
        select code_commune, double_population(population) as population_double from raw_communes
    """)
    project = load_project(models, RAW)
    assert "cles" not in project.models and len(project.macros) == 1
    result = run_model(project, "stg_population_double", paths)
    assert result.row_count == 6
    assert ("population_double", "BIGINT") in result.columns or ("population_double", "INTEGER") in result.columns
    before = project.models["stg_population_double"].sql_hash
    # a model reading the view runs its SQL (with the macro call) in its own connection
    write_model(models, "intermediate/int_double.sql", "select sum(population_double) as s from stg_population_double")
    project = load_project(models, RAW)
    assert run_model(project, "int_double", paths).row_count == 1
    # changing the macro changes the code version of the models calling it, and only theirs
    write_model(models, "macros/cles.sql", "create or replace macro double_population(p) as p + p;")
    changed = load_project(models, RAW)
    assert changed.models["stg_population_double"].sql_hash != before
    assert changed.models["stg_communes"].sql_hash == project.models["stg_communes"].sql_hash


def test_every_database_the_runner_opens_holds_the_macros(models, paths):  # noqa: F811
    with open_database(paths) as database:  # no project: the pipeline's macros
        with open_connection({}, paths, database) as con:
            assert con.execute("select identifiant_entreprise_valide('552032534')").fetchone() == (True,)
    write_model(models, "macros/m.sql", "create or replace macro trois() as 3;")
    project = load_project(models, RAW)
    with open_connection({}, paths, project=project) as con:
        assert con.execute("select trois()").fetchone() == (3,)


@pytest.mark.parametrize("name", ["stg_relance_laureats", "stg_laureats_ti"])
def test_the_staging_models_no_longer_write_the_key_themselves(name):
    text = (DEFAULT_MODELS_DIR / "staging" / f"{name}.sql").read_text(encoding="utf-8")
    assert "identifiant_entreprise_valide(id_chiffres)" in text
    assert "356000000" not in text and "list_sum" not in text
