"""One geography: a commune split between two COG years is shared out by population and the totals
are conserved. The sample only has a merger (69149 Oullins absorbs 69152 Pierre-Bénite), so this test
adds a split to a copy of the sample run's raw passage table: in COG 2025, part of 01150 Drom goes to
01125 Corveissiat (both in CA du Bassin de Bourg-en-Bresse). It then runs the SQL models of the move
(no Dagster) on that copy.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sample_files as files
from ti_pipeline.config import PROJECT_ROOT, Paths
from ti_pipeline.sources.catalog import SOURCES
from ti_pipeline.sql_runner import DEFAULT_MODELS_DIR, load_project, run_model


@pytest.fixture(scope="module")
def split_run(sample_run, tmp_path_factory) -> Paths:
    data_dir = tmp_path_factory.mktemp("split_run")
    shutil.copytree(sample_run.raw, data_dir / "lake" / "raw")
    passage = data_dir / "lake/raw/cog_passage/millesime=2025/data.parquet"
    table = pq.read_table(passage)
    rows = table.to_pylist()
    source = next(r for r in rows if r["CODGEO_2025"] == "01150")
    split = {**source, "CODGEO_2025": "01125", "LIBGEO_2025": "Corveissiat"}
    pq.write_table(pa.Table.from_pylist(rows + [split], schema=table.schema), passage)

    paths = Paths(data_dir=data_dir, sample_dir=sample_run.sample_dir)
    project = load_project(DEFAULT_MODELS_DIR, raw_sources=[s.name for s in SOURCES])
    wanted = set(project.upstream("int_controle_conservation")) | {"int_controle_conservation"}
    for name in project.models:  # upstream first
        if name in wanted:
            run_model(project, name, paths)
    return paths


def table(paths: Paths, layer_model: str):
    return duckdb.sql(f"select * from read_parquet('{paths.lake / layer_model}.parquet')").df()


def test_split_commune_is_shared_by_population(split_run):
    # weights: population of each target commune (découpage administratif, COG 2025) over their sum
    communes = json.loads((PROJECT_ROOT / "data/sample/decoupage_administratif/2025/communes.json").read_text(encoding="utf-8"))
    pop = {c["code"]: c.get("population") for c in communes if c.get("type") == "commune-actuelle"}
    w_150, w_125 = pop["01150"] / (pop["01150"] + pop["01125"]), pop["01125"] / (pop["01150"] + pop["01125"])
    passage = table(split_run, "intermediate/int_passage_communes")
    shares = passage[(passage.annee_cog == 2023) & (passage.code_source == "01150")].set_index("code_commune").poids
    assert shares.to_dict() == pytest.approx({"01150": w_150, "01125": w_125})
    # RP 2021 (COG 2023): P21_POP of 01150 shared out; 01125 keeps its own on top
    raw = files.rp("rp_population", 2021).set_index("CODGEO").P21_POP
    rp = table(split_run, "intermediate/int_rp_communes")
    pop21 = rp[(rp.variable == "P_POP") & (rp.millesime == 2021) & (rp.annee == 2021)].set_index("code_commune").valeur
    assert pop21["01150"] == pytest.approx(raw["01150"] * w_150)
    assert pop21["01125"] == pytest.approx(raw["01125"] + raw["01150"] * w_125)


def test_totals_conserved_after_a_split(split_run):
    c = table(split_run, "intermediate/int_controle_conservation")
    assert len(c) > 0
    assert (c.ecart.abs() <= 1e-6 * c.total_avant.abs().clip(lower=1)).all(), c[c.ecart.abs() > 1e-6]
    assert (c.ecart_hors_cog_cible.abs() <= 1e-6 * c.total_avant.abs().clip(lower=1)).all()
    # and the split commune's territory membership follows it: ti-8402 lists 01150, now also in 01125
    # (which ti-8413 lists too)
    members = table(split_run, "intermediate/int_ti_communes")
    assert {"01150", "01125"} <= set(members[members.id_ti == "ti-8402"].code_commune)
