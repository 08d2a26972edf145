"""Portraits without the pipeline: French formats, SVG charts, reading marts, sections that degrade
when a mart or a column is missing, the accessibility rules of the pages, and atomic publication.

The marts here are small frames written in the published layout (a version folder behind a
symlink, hive partitions, ti_pipeline.* key-value metadata), so that these tests run in a second.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ti_pipeline.portraits import build_portraits, content, formats, marts as marts_mod, render, svg
from ti_pipeline.portraits.build import PortraitsOutputError, publish_pages
from ti_pipeline.portraits.content import laureates as content_laureates
from ti_pipeline.portraits.formats import MINUS, NA, NNBSP
from ti_pipeline.portraits.render import indicators as render_indicators

# --- French formats ------------------------------------------------------------------------------


def test_nombres_a_la_francaise():
    assert formats.format_nombre(1234567.4) == f"1{NNBSP}234{NNBSP}567"
    assert formats.format_nombre(139.196, 1) == "139,2"
    assert formats.format_nombre(-1500) == f"{MINUS}1{NNBSP}500"
    assert formats.format_nombre(-0.04, 1) == "0,0"  # never "−0,0"
    assert formats.format_nombre(0.3, 1, signe=True) == "+0,3"
    assert formats.format_nombre(float("nan")) == NA
    assert formats.format_nombre(None) == NA
    assert formats.format_nombre(pd.NA) == NA


@pytest.mark.parametrize(
    "valeur, unite, attendu",
    [
        (0.1234, "part", f"12,3{NNBSP}%"),
        (-0.0541, "taux", f"{MINUS}5,4{NNBSP}%"),
        (0.0022, "taux", f"+0,2{NNBSP}%"),
        (139.196, "pour 100", "139,2"),
        (156.25, "pour 10 000", "156,3"),
        (1_720_000, "EUR", f"1,7{NNBSP}M€"),
        (380_000, "EUR", f"380{NNBSP}000{NNBSP}€"),
        (2.4e9, "EUR", f"2,4{NNBSP}Md€"),
        (8200, "nombre", f"8{NNBSP}200"),
        (68916.54, "nombre", f"68{NNBSP}917"),  # weighted census estimates: whole people
        (2.5, "nombre", "2,5"),
        (3.0, "habitants/km²", "3,0 habitants/km²"),  # a unit not known yet: number then unit
        (None, "part", NA),
    ],
)
def test_valeur_selon_unite(valeur, unite, attendu):
    assert formats.format_valeur(valeur, unite) == attendu


def test_decimales_et_relecture():
    assert formats.format_valeur(0.008585, "taux", decimales=2) == f"+0,86{NNBSP}%"
    for texte, nombre in [(f"12{NNBSP}346", 12346), (f"12,3{NNBSP}%", 12.3), (f"{MINUS}1,5", -1.5), (f"1,2{NNBSP}M€", 1.2e6)]:
        assert formats.parse_nombre_fr(texte) == pytest.approx(nombre)
    assert formats.parse_nombre_fr(NA) is None


def test_dates():
    assert formats.format_date("2026-11-22T10:02:23+00:00") == "22 novembre 2026"
    assert formats.format_date_courte("2026-03-05T10:02:23Z") == "05/03/2026"
    assert formats.format_date_heure("2026-11-22T10:02:23+01:00") == "22 novembre 2026 à 9 h 02 UTC"
    assert formats.format_date(None) == NA
    assert formats.pluriel(1, "commune") == "1 commune" and formats.pluriel(2, "commune") == "2 communes"


# --- SVG ----------------------------------------------------------------------------------------


def _svg_root(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # well-formed XML, so also valid inline SVG
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("role") == "img"
    title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def test_barres_horizontales_negatives_et_echappement():
    groupes = [
        svg.GroupeBarres("Sur 5 ans", [svg.Barre("Territoire <A&B>", -0.05, "−5 %"), svg.Barre("France", 0.1, "+10 %")]),
    ]
    markup = svg.barres_horizontales("g-test", "Titre & co", "Une description.", groupes)
    root = _svg_root(markup)
    rects = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(rects) == 2
    negative, positive = (float(r.get("x")) for r in rects)
    assert negative < positive  # the negative bar is drawn left of zero
    assert "Territoire <A&B>" in "".join(root.itertext())
    assert svg.barres_horizontales("g", "t", "d", []) == ""


def test_courbes_et_graduations():
    series = [svg.Serie("Territoire", [(2006, 100), (2007, 103.2), (2008, 97.5)]), svg.Serie("France", [(2006, 100), (2008, 95)], tirets="2 3")]
    root = _svg_root(svg.courbes("g-l", "Emploi", "Deux courbes.", series, lambda v: f"{v:.0f}", reference=100))
    assert len(root.findall(".//{http://www.w3.org/2000/svg}polyline")) == 2
    assert svg.ticks_ronds(77.3, 103.2) == [70, 80, 90, 100, 110]
    assert svg.ticks_ronds(0, 1, 5) == [0, 0.25, 0.5, 0.75, 1]


def test_barres_empilees():
    lignes = [svg.LigneEmpilee("Territoire", [svg.Segment("Moins de 50", 0.7, "70 %", "#c9cbf2", "#1e1e1e"), svg.Segment("50 ou plus", 0.3, "30 %", "#000091")])]
    root = _svg_root(svg.barres_empilees("g-e", "Tailles", "Deux segments.", lignes))
    widths = [float(r.get("width")) for r in root.findall(".//{http://www.w3.org/2000/svg}rect") if r.get("height") == "22"]
    assert sum(widths) == pytest.approx(svg.LARGEUR, abs=0.2)


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contraste(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_couleurs_contrastees():
    # WCAG AA for text (4.5:1): zone colours are also used for text and legends
    for zone, couleur in svg.COULEURS_ZONES.items():
        assert contraste(couleur, "#ffffff") >= 4.5, zone
    for fond, texte in render.COULEURS_TAILLES:
        assert contraste(fond, texte) >= 4.5, fond
    assert contraste("#3d2600", "#fff1c2") >= 4.5  # synthetic banner
    assert contraste("#ffffff", "#000091") >= 4.5  # header


# --- marts written like the SQL runner publishes them ------------------------------------------

META_SYNTH = {
    "provenance": {"rp_population": [{"millesime": 2022, "cog_year": 2024, "publisher": "Insee", "file_name": "base.zip",
                                      "url": "https://www.insee.fr/base.zip", "sha256": "ab" * 32, "retrieved_at": "2026-01-02T03:04:05+00:00",
                                      "licence": "Licence Ouverte / Etalab 2.0", "synthetic": True}]},
    "generated_at": "2026-01-02T03:05:00+00:00",
    "code_version": {"ti_pipeline": "0.1.0", "git_commit": "0123456789abcdef"},
    "synthetic": True,
}


def write_mart(marts_dir: Path, name: str, df: pd.DataFrame, partition_by: str | None = None, meta: dict | None = None) -> None:
    meta = dict(META_SYNTH if meta is None else meta)
    version = marts_dir / ".versions" / name / "v1"
    version.mkdir(parents=True)
    if partition_by:
        meta["partitioning"] = {"columns": [partition_by], "types": {partition_by: "BIGINT"}, "column_order": list(df.columns)}
    kv = {f"ti_pipeline.{k}": json.dumps(v) for k, v in meta.items()}
    groups = df.groupby(partition_by) if partition_by else [(None, df)]
    for key, g in groups:
        folder = version / f"{partition_by}={key}" if partition_by else version
        folder.mkdir(exist_ok=True)
        table = pa.Table.from_pandas(g.drop(columns=[partition_by]) if partition_by else g, preserve_index=False)
        pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in kv.items()}}), folder / "data.parquet")
    os.symlink(os.path.relpath(version, marts_dir), marts_dir / name)


DIM = pd.DataFrame(
    {
        "ordre": [1, 2, 3, 4, 5, 6],
        "theme": ["population", "population", "industrie", "industrie", "industrie", "industrie"],
        "code_indicateur": ["population", "part_60_plus", "part_postes_ind_etab_50_plus", "part_postes_ind_etab_250_plus",
                            "evol_emploi_ind_prive_1a", "indicateur_sans_donnees"],
        "libelle": ["Population", "Part des 60 ans ou plus", "Part des postes industriels dans les établissements de 50 salariés ou plus",
                    "Part des postes industriels dans les établissements de 200 salariés ou plus",
                    "Évolution de l'emploi salarié privé industriel sur 1 an", "Un indicateur pas encore calculé"],
        "definition": ["Population municipale", "60 ans ou plus / population", "50+", "200+", "Urssaf", "rien"],
        "formule": ["P_POP", "P_POP60P / P_POP", "a / b", "a / b", "n / d - 1", "?"],
        "unite": ["nombre", "part", "part", "part", "taux", "nombre"],
        "type_calcul": ["somme", "part", "part", "part", "evolution", "somme"],
        "source": ["Insee, RP", "Insee, RP", "Insee, Flores", "Insee, Flores", "Urssaf", "?"],
        "precautions": [None, "Rupture en 2022.", None, None, None, None],
    }
)


def indicateur_rows(id_ti: str, code: str, rows: list[tuple]) -> list[dict]:
    """rows: (annee, numerateur, denominateur, valeur, france, region, ensemble, hors, qualite, annee_base)"""
    out = []
    for annee, num, den, val, fr, rg, en, ht, qualite, base in rows:
        out.append(dict(id_ti=id_ti, lib_ti=f"Territoire {id_ti}", code_indicateur=code, annee=annee, numerateur=num, denominateur=den,
                        valeur=val, unite=DIM.set_index("code_indicateur").loc[code, "unite"], valeur_france=fr, valeur_region=rg,
                        valeur_ensemble_ti=en, valeur_hors_ti=ht, code_region="84", source="src", millesime=annee, annee_cog=2025,
                        qualite=qualite, nb_communes_renseignees=2, nb_communes=2, annee_base=base))
    return out


def indicateurs_frame() -> pd.DataFrame:
    rows = []
    rows += indicateur_rows("ti-0001", "population", [(2021, 1000, None, 1000, 6e7, 8e6, 9e6, 5.1e7, "ok", None),
                                                       (2022, 1100, None, 1100, 6.1e7, 8.1e6, 9.1e6, 5.2e7, "ok", None)])
    rows += indicateur_rows("ti-0001", "part_60_plus", [(2022, 330, 1100, 0.3, 0.28, 0.27, 0.29, 0.275, "partiel", None)])
    rows += indicateur_rows("ti-0001", "part_postes_ind_etab_50_plus", [(2024, 60, 100, 0.6, 0.78, 0.8, 0.75, 0.76, "secret", None)])
    rows += indicateur_rows("ti-0001", "part_postes_ind_etab_250_plus", [(2024, 20, 100, 0.2, 0.55, 0.6, 0.5, 0.52, "ok", None)])
    # 1-year changes 2007..2009: the territory goes 1000 -> 1100 -> 990 -> 1089
    rows += indicateur_rows("ti-0001", "evol_emploi_ind_prive_1a", [
        (2007, 1100, 1000, 0.10, -0.01, 0.0, 0.02, -0.02, "ok", 2006),
        (2008, 990, 1100, -0.10, -0.02, 0.05, 0.0, -0.03, "ok", 2007),
        (2009, 1089, 990, 0.10, 0.01, None, 0.01, 0.01, "ok", 2008),
    ])
    rows += indicateur_rows("ti-0002", "population", [(2022, 500, None, 500, 6.1e7, 5e6, 9.1e6, 5.2e7, "ok", None)])
    return pd.DataFrame(rows)


COMPOSITION = pd.DataFrame(
    {
        "id_ti": ["ti-0001", "ti-0001", "ti-0002"],
        "lib_ti": ["Territoire ti-0001", "Territoire ti-0001", "Territoire ti-0002"],
        "code_region_reference": ["84", "84", "84"],
        "libelle_region_reference": ["Auvergne-Rhône-Alpes"] * 3,
        "codes_regions": ["84", "84", "84"],
        "code_commune": ["01001", "01002", "01002"],
        "libelle_commune": ["Ambérieu", "Bourg <&> Bresse", "Bourg <&> Bresse"],
        "codes_commune_liste": ["01001", "01002 ; 01003", "01002"],
        "code_departement": ["01", "01", "01"],
        "lib_groupement": ["CA Test", "CA Test", "CC Autre"],
        "siren_groupement": ["200000001", "200000001", "200000002"],
        "nature_juridique": ["CA", "CA", "CC"],
        "nb_ti": [1, 2, 2],
        "annee_cog": [2025, 2025, 2025],
    }
)


@pytest.fixture
def marts_dir(tmp_path) -> Path:
    d = tmp_path / "marts"
    d.mkdir()
    write_mart(d, "dim_indicateur", DIM)
    write_mart(d, "mart_ti_composition", COMPOSITION)
    write_mart(d, "mart_ti_indicateurs", indicateurs_frame(), partition_by="annee")
    return d


def test_lecture_des_marts(marts_dir):
    m = marts_mod.load_marts(marts_dir)
    ind = m.frame("mart_ti_indicateurs")
    assert pd.api.types.is_integer_dtype(ind["annee"])  # the partition column keeps its recorded type
    assert list(ind.columns)[:4] == ["id_ti", "lib_ti", "code_indicateur", "annee"]  # column order restored
    assert m.synthetic
    assert m.get("mart_ti_indicateurs").version == "v1"
    assert set(m.missing) == {
        "mart_ti_groupements", "mart_ti_secteurs", "mart_ti_laureats", "mart_laureats", "mart_ti_contours", "mart_communes_contours"
    }
    assert [p["source"] for p in m.provenance()] == ["rp_population"]


def test_mart_indispensable_absent(tmp_path):
    (tmp_path / "marts").mkdir()
    write_mart(tmp_path / "marts", "dim_indicateur", DIM)
    with pytest.raises(marts_mod.MartsUnavailable, match="mart_ti_composition"):
        marts_mod.load_marts(tmp_path / "marts")


def test_indicateurs_du_dictionnaire(marts_dir):
    m = marts_mod.load_marts(marts_dir)
    lignes = content.indicateurs(m, "ti-0001")
    assert [l.code for l in lignes] == list(DIM["code_indicateur"])  # the dictionary decides, in its order
    idx = content.par_code(lignes)
    assert idx["population"].annee == 2022 and idx["population"].valeurs["territoire"] == 1100  # latest year
    assert not idx["indicateur_sans_donnees"].disponible
    assert idx["evol_emploi_ind_prive_1a"].periode == "2008–2009" and idx["evol_emploi_ind_prive_1a"].signe
    assert [t for t, _ in content.par_theme(lignes)] == ["Population", "Industrie"]


def test_tailles_avec_le_seuil_reel(marts_dir):
    m = marts_mod.load_marts(marts_dir)
    t = content.tailles(content.indicateurs(m, "ti-0001"))
    territoire = t.zones[0]
    assert territoire.zone == "territoire"
    # the 250_plus indicator is really 200 or more (its label says so): bands <50, 50-199, 200+
    assert territoire.parts == [("Moins de 50 salariés", pytest.approx(0.4)), ("50 à 199 salariés", pytest.approx(0.4)), ("200 salariés ou plus", 0.2)]
    assert t.qualite == "secret"
    assert isinstance(content.tailles(content.indicateurs(m, "ti-0002")), content.NonDisponible)


def test_emploi_indice_chaine(marts_dir):
    m = marts_mod.load_marts(marts_dir)
    serie = content.emploi_industriel(m, "ti-0001", content.indicateurs(m, "ti-0001"))
    assert isinstance(serie, content.SerieEmploi) and serie.base_annee == 2006
    # 100 x 1.1 = 110, x 0.9 = 99, x 1.1 = 108.9: the index equals the headcount ratio to 2006
    assert [round(v, 6) for _, v in serie.indices["territoire"]] == [100, 110, 99, 108.9]
    assert serie.niveaux == [(2006, 1000), (2007, 1100), (2008, 990), (2009, 1089)]
    # the region misses 2009: its chain stops there instead of jumping the gap
    assert [a for a, _ in serie.indices["region"]] == [2006, 2007, 2008]
    assert isinstance(content.emploi_industriel(m, "ti-0002", content.indicateurs(m, "ti-0002")), content.NonDisponible)


def test_laureats_sources_jamais_additionnees(tmp_path, marts_dir):
    laureats = pd.DataFrame(
        {
            "id_ti": ["ti-0001"] * 6,
            "source_laureat": ["relance_laureats"] * 3 + ["laureats_ti"] * 3,
            "axe": ["ensemble", "mesure", "mesure", "ensemble", "mesure", "filiere"],
            "modalite": ["ensemble", "Relocalisation", "Territoires d'industrie", "ensemble", "Territoires d'industrie", "Chimie"],
            "nb_laureats": [3, 1, 2, 2, 2, 2],
            "investissement": [None, None, None, 5e6, 5e6, 5e6],
            "couverture_investissement": [None, None, None, 0.5, 0.5, 0.5],
            "millesime": [2022] * 6,
        }
    )
    write_mart(marts_dir, "mart_ti_laureats", laureats)
    m = marts_mod.load_marts(marts_dir)
    res = content.laureats(m, "ti-0001", content.indicateurs(m, "ti-0001"))
    assert [(b.source_laureat, b.total) for b in res.blocs] == [("relance_laureats", 3), ("laureats_ti", 2)]
    assert res.blocs[0].repartitions[0].modalites == [("Territoires d'industrie", 2), ("Relocalisation", 1)]
    assert res.blocs[1].montants[0].valeur == 5e6 and res.blocs[1].montants[0].couverture == 0.5
    # merged layout (no source_laureat): one block
    merged = laureats[laureats.source_laureat == "laureats_ti"].drop(columns="source_laureat")
    assert [b.total for b in content_laureates._blocs_laureats(merged)] == [2]


# --- pages -------------------------------------------------------------------------------------


class Structure(HTMLParser):
    """Headings, tables, svg titles, external references and visible text of a page."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.lang = None
        self.external: list[str] = []
        self.svgs = 0
        self.svg_titles = 0
        self.svg_descs = 0
        self.tables = 0
        self.captions = 0
        self.th_without_scope = 0
        self.ids: list[str] = []
        self.scripts_src: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if "id" in a:
            self.ids.append(a["id"])
        for attr in ("src", "href"):
            v = a.get(attr) or ""
            if tag != "a" and v and not v.startswith(("#", "data:")):
                self.external.append(f"{tag} {attr}={v}")
        if tag == "script" and a.get("src"):
            self.scripts_src.append(a["src"])
        if tag == "svg":
            self.svgs += 1
        if tag == "title" and self._stack and self._stack[-1] == "svg":
            self.svg_titles += 1
        if tag == "desc":
            self.svg_descs += 1
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        self._stack.append(tag)

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop() != tag:
            pass


def check_accessible(html: str) -> Structure:
    s = Structure()
    s.feed(html)
    assert s.lang == "fr"
    assert s.headings.count(1) == 1 and s.headings[0] == 1
    for previous, current in zip(s.headings, s.headings[1:]):
        assert current <= previous + 1, f"heading level jumps from h{previous} to h{current}"
    assert s.svg_titles == s.svgs and s.svg_descs == s.svgs
    assert s.captions == s.tables and s.th_without_scope == 0
    assert not s.external and not s.scripts_src, s.external  # offline: nothing fetched
    assert len(s.ids) == len(set(s.ids)), "duplicate ids"
    return s


def test_portrait_degrade_sans_les_marts_optionnels(marts_dir):
    m = marts_mod.load_marts(marts_dir)
    ctx = render.contexte(m, "2026-01-02T04:00:00+00:00")
    html = render.page_portrait(m, "ti-0001", ctx)
    s = check_accessible(html)
    assert s.svgs == 2  # sizes and the employment index; sectors and lauréats say why they are missing
    assert "le mart mart_ti_secteurs n'est pas publié" in html
    assert "ni le mart mart_ti_laureats ni l'indicateur nb_laureats_relance ne sont publiés" in html
    assert "Données synthétiques" in html and "[Données synthétiques]" in html
    assert "Bourg &lt;&amp;&gt; Bresse" in html and "<&>" not in html  # escaped
    assert "aussi dans ti-0002 Territoire ti-0002" in html  # a commune shared by two territories
    assert "le mart mart_communes_contours n'est pas publié" in html  # no map, and the page says why
    assert 'href="https://www.insee.fr/base.zip"' in html


def test_pas_de_bandeau_sur_des_donnees_reelles(tmp_path):
    d = tmp_path / "marts"
    d.mkdir()
    reel = {k: v for k, v in META_SYNTH.items() if k != "synthetic"}
    reel["provenance"] = {"rp_population": [{**META_SYNTH["provenance"]["rp_population"][0], "synthetic": False}]}
    write_mart(d, "dim_indicateur", DIM, meta=reel)
    write_mart(d, "mart_ti_composition", COMPOSITION, meta=reel)
    write_mart(d, "mart_ti_indicateurs", indicateurs_frame(), partition_by="annee", meta=reel)
    m = marts_mod.load_marts(d)
    assert not m.synthetic
    html = render.page_portrait(m, "ti-0001", render.contexte(m, None))
    assert "Données synthétiques" not in html


def test_index(marts_dir):
    m = marts_mod.load_marts(marts_dir)
    html = render.page_index(m, render.contexte(m, None))
    check_accessible(html)
    assert html.count('<tr data-recherche="') == 2
    assert 'href="ti-0001.html"' in html
    assert render.normaliser_recherche("Épinal Île") == "epinal ile"
    assert 'data-recherche="ti-0001 territoire ti-0001 auvergne-rhone-alpes 01 amberieu' in html



def test_l_index_lit_ses_chiffres_dans_les_marts(tmp_path):
    """Population and number of communes are the latest population and nb_communes indicators of
    mart_ti_indicateurs, not counted from the composition rows; without the indicator: n.d."""
    d = tmp_path / "marts"
    d.mkdir()
    ind = indicateurs_frame()
    nb = {**ind.iloc[0].to_dict(), "code_indicateur": "nb_communes", "unite": "nombre", "numerateur": 7.0, "valeur": 7.0}
    ind = pd.concat([ind, pd.DataFrame([{**nb, "annee": 2024}, {**nb, "annee": 2025, "valeur": 9.0}])], ignore_index=True)
    write_mart(d, "dim_indicateur", DIM)
    write_mart(d, "mart_ti_composition", COMPOSITION)
    write_mart(d, "mart_ti_indicateurs", ind, partition_by="annee")
    m = marts_mod.load_marts(d)
    entrees = {t.id_ti: t for t in content.entrees_index(m)}
    assert (entrees["ti-0001"].nb_communes, entrees["ti-0001"].population, entrees["ti-0001"].annee_population) == (9, 1100, 2022)
    assert entrees["ti-0002"].nb_communes is None  # two composition rows would have said 1
    html = render.page_index(m, render.contexte(m, None))
    assert f'<td class="nombre">9</td><td class="nombre">1{NNBSP}100</td>' in html
    assert f'<td class="nombre">{NA}</td><td class="nombre">500</td>' in html

# --- build and atomic publication ----------------------------------------------------------------


def test_publication_atomique(tmp_path, marts_dir):
    out = tmp_path / "site" / "portraits"
    first = build_portraits(marts_dir, out)
    assert out.is_symlink() and (out / "index.html").exists() and (out / "ti-0002.html").exists()
    assert first.territoires == ["ti-0001", "ti-0002"] and first.synthetic
    assert not os.path.isabs(os.readlink(out))  # relative: the data folder can move
    versions = [build_portraits(marts_dir, out).version_dir for _ in range(4)]
    assert out.resolve() == versions[-1]
    kept = sorted(p.name for p in versions[-1].parent.iterdir())
    assert len(kept) == 3 and versions[-1].name in kept


def test_echec_laisse_les_pages_precedentes(tmp_path, marts_dir, monkeypatch):
    out = tmp_path / "portraits"
    build_portraits(marts_dir, out)
    before = out.resolve()

    def boom(*a, **k):
        raise RuntimeError("rendu impossible")

    monkeypatch.setattr(render, "page_portrait", boom)
    with pytest.raises(RuntimeError):
        build_portraits(marts_dir, out)
    assert out.resolve() == before and (out / "index.html").exists()


def test_ne_remplace_pas_un_dossier_etranger(tmp_path):
    out = tmp_path / "portraits"
    out.mkdir()
    (out / "mes-notes.txt").write_text("à garder")
    with pytest.raises(PortraitsOutputError):
        publish_pages({"index.html": "<html></html>"}, out)
    assert (out / "mes-notes.txt").read_text() == "à garder"
    vide = tmp_path / "vide"
    vide.mkdir()
    publish_pages({"index.html": "<html></html>"}, vide)  # an empty folder (mkdtemp, --out) is fine
    assert vide.is_symlink() and (vide / "index.html").exists()


def test_dependances_de_l_asset():
    from ti_pipeline.defs.portraits import build_portraits_asset, upstream_marts
    from ti_pipeline.sql_runner.project import pipeline_project

    portraits = build_portraits_asset(pipeline_project())

    assert set(upstream_marts()) >= {"dim_indicateur", "mart_ti_composition", "mart_ti_indicateurs"}
    spec = next(iter(portraits.specs))
    assert spec.group_name == "portraits" and "html" in spec.kinds
    assert {d.asset_key.path[-1] for d in spec.deps} == set(upstream_marts()) | {"mart_ti_contours", "mart_communes_contours"}


def test_notes_de_qualite_selon_la_source():
    def ligne(code, theme, couverture, qualite="partiel"):
        return content.LigneIndicateur(code=code, libelle=code, definition=None, precautions=None, unite="taux", ordre=1,
                                       theme=theme, couverture=couverture, qualite=qualite, nb_communes=3, nb_communes_renseignees=2)

    laureats = render_indicators.notes_ligne(ligne("aide_laureats", "laureats", 0.75), {})
    assert "montant connu pour 75" in laureats and "(données pour 2 communes sur 3)" in laureats
    urssaf = render_indicators.notes_ligne(ligne("evol_emploi_ind_prive_5a", "industrie", 0.9, "secret"), {})
    assert "effectif publié pour 90" in urssaf and "lauréats" not in urssaf
    assert render_indicators.notes_ligne(ligne("population", "population", None, "ok"), {}) == ""
    top = content.LigneIndicateur(code="top_secteurs_industriels", libelle="x", definition=None, precautions=None, unite="part", ordre=1, detail="CG ; CA")
    assert '<abbr title="Plasturgie">CG</abbr>, CA' in render_indicators.notes_ligne(top, {"CG": "Plasturgie"})
