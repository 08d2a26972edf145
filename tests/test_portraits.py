"""Portraits of the embedded sample, end to end: the pipeline's ``portraits`` asset and the CLI write
the pages, the figures a reader sees for one territory are the marts' (parsed back from the HTML and
compared with the Parquet files read independently), and a page opens in headless Chromium with no
console error (one browser launch for the whole file).
"""

from __future__ import annotations

import json
import re
import struct
from html.parser import HTMLParser

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sample_files as files
from ti_pipeline import cli

from browser import chromium, open_page, unavailable

TERRITOIRE = "ti-8402"  # Bassin de Bourg-en-Bresse: 74 real communes, a shared one, every indicator
ZONES = {"territoire": "valeur", "region": "valeur_region", "ensemble_ti": "valeur_ensemble_ti", "hors_ti": "valeur_hors_ti", "france": "valeur_france"}


@pytest.fixture(scope="module")
def portraits(sample_run, tmp_path_factory):
    """The portraits rebuilt by the CLI from the sample run's marts into a folder of their own."""
    out = tmp_path_factory.mktemp("portraits") / "pages"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TI_DATA_DIR", str(sample_run.data_dir))
        assert cli.main(["portraits", "--out", str(out)]) == 0
    return out


def read_mart(paths, name: str) -> pd.DataFrame:
    # read like any tool would, independently of the renderer's reader
    return duckdb.sql(f"select * from read_parquet('{paths.marts / name}/**/*.parquet', hive_partitioning = true)").df()


class IndicatorTable(HTMLParser):
    """The indicator rows of a portrait: code -> {zone: text, 'annee': text}, plus key figures."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.cards: dict[str, str] = {}
        self._code = self._cell = self._card = None
        self._in_value = False
        self._text: list[str] = []
        self._col = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-code" in a:
            self._code, self._col = a["data-code"], 0
            self.rows[self._code] = {}
        elif tag == "td" and self._code:
            self._col += 1
            self._cell = a.get("data-zone") or ("annee" if self._col == 1 else None)
            self._text = []
        elif tag == "li" and "data-code" in a:
            self._card = a["data-code"]
        elif tag == "p" and self._card and a.get("class") == "valeur":
            self._in_value, self._text = True, []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell:
            self.rows[self._code][self._cell] = "".join(self._text).strip()
            self._cell = None
        elif tag == "tr":
            self._code = None
        elif tag == "p" and self._in_value:
            self.cards[self._card] = "".join(self._text).strip()
            self._in_value = self._card = None

    def handle_data(self, data):
        if self._cell or self._in_value:
            self._text.append(data)


def shown(text: str) -> tuple[float | None, float]:
    """The number a French-formatted cell shows and the rounding it went through (half a unit of
    its last digit, in the mart's unit): '29,0 %' -> (0.29, 0.0005); '1,7 M€' -> (1.7e6, 5e4)."""
    t = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if t == "n.d.":
        return None, 0.0
    scale = 1.0
    for suffix, factor in (("Md€", 1e9), ("M€", 1e6), ("€", 1.0), ("%", 0.01)):
        if t.endswith(suffix):
            t, scale = t[: -len(suffix)], factor
            break
    decimals = len(t.split(",")[1]) if "," in t else 0
    return float(t.replace(",", ".")) * scale, 0.5 * 10**-decimals * scale


def test_the_pipeline_asset_publishes_the_portraits(sample_run):
    out = sample_run.data_dir / "portraits"
    assert out.is_symlink(), "the portraits asset publishes data/portraits behind a symlink"
    ids = sorted(read_mart(sample_run, "mart_ti_composition")["id_ti"].unique())
    assert sorted(p.stem for p in out.glob("ti-*.html")) == ids
    assert (out / "index.html").exists()


def test_figures_of_one_territory_are_the_marts(sample_run, portraits):
    html = (portraits / f"{TERRITOIRE}.html").read_text(encoding="utf-8")
    table = IndicatorTable()
    table.feed(html)
    dim = read_mart(sample_run, "dim_indicateur")
    ind = read_mart(sample_run, "mart_ti_indicateurs")
    ind = ind[ind.id_ti == TERRITOIRE]
    assert set(table.rows) == set(dim.code_indicateur), "every indicator of dim_indicateur is listed"
    checked = 0
    for code, cells in table.rows.items():
        rows = ind[ind.code_indicateur == code].sort_values("annee")
        if rows.empty:
            assert all(cells[z] == "n.d." for z in ZONES), code
            continue
        latest = rows.iloc[-1]
        base = latest.get("annee_base")
        expected_year = f"{int(base)}–{int(latest.annee)}" if "annee_base" in rows and pd.notna(base) else str(int(latest.annee))
        assert cells["annee"] == expected_year, code
        for zone, column in ZONES.items():
            value, tolerance = shown(cells[zone])
            if pd.isna(latest[column]):
                assert value is None, (code, zone)
            else:
                assert value == pytest.approx(float(latest[column]), abs=tolerance + 1e-9), (code, zone, cells[zone], latest[column])
                checked += 1
    assert checked >= 5 * 15
    # the same figures summed straight from the raw sample files (RP 2022 population of the 74
    # communes, Flores 2024 industrial posts), written the French way
    def fr(x: float) -> str:
        return f"{round(x):,}".replace(",", "\u202f")

    population = files.rp_sum(TERRITOIRE, "rp_population", 2022, "P22_POP")
    assert table.rows["population"]["territoire"] == fr(population)
    assert table.cards["population"] == fr(population)
    assert table.rows["postes_salaries_industrie"]["territoire"] == fr(files.flores_industrie(TERRITOIRE, 2024))


def test_identity_sources_and_synthetic_banner(sample_run, portraits):
    html = (portraits / f"{TERRITOIRE}.html").read_text(encoding="utf-8")
    comp = read_mart(sample_run, "mart_ti_composition")
    comp = comp[comp.id_ti == TERRITOIRE]
    assert f"<h1>{comp.lib_ti.iloc[0]}</h1>" in html
    for libelle in comp.libelle_commune:
        assert f'<th scope="row">{libelle}</th>' in html
    for groupement in comp.lib_groupement.dropna().unique():
        assert groupement in html
    assert 'class="bandeau-synthetique"' in html and "<title>[Données synthétiques]" in html
    # the banner says which parts of the sample are real and which invented
    assert "<strong>Réels :</strong> les communes" in html and "<strong>Inventés :</strong> le périmètre" in html
    first = next((sample_run.marts / "mart_ti_indicateurs").resolve().rglob("*.parquet"))
    provenance = json.loads(pq.read_schema(first).metadata[b"ti_pipeline.provenance"])
    sources = re.findall(r"\(<code>([a-z_0-9]+)</code>\)", html)
    assert set(provenance) <= set(sources), "every source upstream of the indicators is listed"
    assert '<h3 id="carte">Carte</h3><figure class="figure-carte">' in html


def test_sections_follow_the_optional_marts(sample_run, portraits):
    html = (portraits / f"{TERRITOIRE}.html").read_text(encoding="utf-8")
    published = {p.name for p in sample_run.marts.iterdir() if not p.name.startswith(".")}
    if "mart_ti_secteurs" in published:
        sect = read_mart(sample_run, "mart_ti_secteurs")
        sect = sect[(sect.id_ti == TERRITOIRE) & (sect.annee == sect.annee.max())]
        top = sect.sort_values("rang").iloc[0]
        assert f"{top.activite_a38} · " in html and 'id="g-secteurs-titre"' in html
    else:
        assert "le mart mart_ti_secteurs n'est pas publié" in html
    if "mart_ti_laureats" not in published:
        assert "mart_ti_laureats n'est pas publié" in html
    nb = read_mart(sample_run, "mart_ti_indicateurs")
    nb = nb[(nb.id_ti == TERRITOIRE) & (nb.code_indicateur == "nb_laureats_relance")]
    if not nb.empty:
        n = int(nb.sort_values("annee").valeur.iloc[-1])
        assert re.search(rf'data-code="nb_laureats_relance">{n} projets? lauréats?<', html)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))
def test_pages_open_in_headless_chromium_without_console_errors(portraits, tmp_path):
    with chromium() as browser:
        page = open_page(browser, (portraits / f"{TERRITOIRE}.html").as_uri(), width=1200, height=900,
                         screenshot=True, clip_height=2400,
                         probes={"svgs": "document.querySelectorAll('svg[role=img]').length",
                                 "h1": "document.querySelector('h1').textContent"})
        index = open_page(
            browser,
            (portraits / "index.html").as_uri(),
            width=1200,
            height=900,
            probes={
                "rows": "document.querySelectorAll('#territoires tbody tr').length",
                # type a search as a user would: accents and case do not matter
                "visible": "(() => { const c = document.getElementById('recherche'); c.value = 'BOURG en bresse';"
                " c.dispatchEvent(new Event('input')); return [...document.querySelectorAll('#territoires tbody tr')]"
                ".filter(r => !r.hidden).map(r => r.querySelector('a').getAttribute('href')); })()",
                "count": "document.getElementById('nb-resultats').textContent",
            },
        )
    for report in (page, index):
        assert not report.errors, report.errors
    width, height = _png_size(page.screenshot)
    assert (width, height) == (1200, 2400)
    (tmp_path / "portrait.png").write_bytes(page.screenshot)
    assert page.probes["svgs"] >= 1 and page.probes["h1"] == "Bassin de Bourg-en-Bresse"
    assert page.title.startswith("[Données synthétiques] Bassin de Bourg-en-Bresse")
    assert index.probes["rows"] == 10
    assert index.probes["visible"] == [f"{TERRITOIRE}.html"]
    assert index.probes["count"] == "1 territoire affiché sur 10"


def test_population_long_series_chart(sample_run, portraits):
    """The population theme's long series: one chart from the first census of the historical series
    (1968) to the latest, base 100 in 1968, its text alternative and data table giving the
    territory's inhabitants as the mart (population_historique)."""
    html = (portraits / f"{TERRITOIRE}.html").read_text(encoding="utf-8")
    ind = read_mart(sample_run, "mart_ti_indicateurs")
    rows = ind[(ind.id_ti == TERRITOIRE) & (ind.code_indicateur == "population_historique")].sort_values("annee")
    assert rows.annee.astype(int).tolist() == [1968, 1975, 1982, 1990, 1999, 2006, 2011, 2016, 2022]
    section = html[html.index('id="indicateurs"'):html.index('id="secteurs"')]
    assert 'id="g-population-titre">Population aux recensements de 1968 à 2022, indice base 100 en 1968<' in section
    first, last = (f"{round(v):,}".replace(",", "\u202f") for v in (rows.valeur.iloc[0], rows.valeur.iloc[-1]))
    desc = re.search(r'id="g-population-desc">([^<]*)<', section).group(1)
    assert f"{first} habitants en 1968" in desc and f"{last} en 2022" in desc
    # two census series (population, jobs at place of work): the territory and its four comparators each
    assert section.count("<polyline") == 10


def test_jobs_long_series_chart(sample_run, portraits):
    """The jobs at place of work at every census base read (RP 2011 -> 2022), base 100 in 2011,
    its text alternative giving the territory's jobs as the mart (emplois_lt, each year its vintage)."""
    html = (portraits / f"{TERRITOIRE}.html").read_text(encoding="utf-8")
    ind = read_mart(sample_run, "mart_ti_indicateurs")
    rows = ind[(ind.id_ti == TERRITOIRE) & (ind.code_indicateur == "emplois_lt")].sort_values("annee")
    assert rows.annee.astype(int).tolist() == [2011, 2016, 2019, 2020, 2021, 2022]
    section = html[html.index('id="indicateurs"'):html.index('id="secteurs"')]
    assert 'id="g-emplois-lt-titre">Emplois au lieu de travail aux recensements de 2011 à 2022, indice base 100 en 2011<' in section
    first, last = (f"{round(v):,}".replace(",", "\u202f") for v in (rows.valeur.iloc[0], rows.valeur.iloc[-1]))
    desc = re.search(r'id="g-emplois-lt-desc">([^<]*)<', section).group(1)
    assert f"{first} emplois en 2011" in desc and f"{last} en 2022" in desc
