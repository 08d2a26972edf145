"""Writers of the geographic files: TI lists (ANCT), COG, EPCI composition, passage table, communes.json.

What belongs here: the layout of each publisher's file (names, separators, quoting, title rows,
zip members) filled from ``Geographie``. Column names come from the catalog wherever it declares
them, so a change there shows up here as a failing test rather than a silent drift.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ti_pipeline.sources import catalog as cat

from .codes import ncc, split_article
from .ecriture import ZipSink, csv_text, write_csv, xlsx_bytes
from .geographie import MERGED_A, MERGED_B, MERGER_YEAR, PLM, Geographie
from .referentiels import DEPARTEMENTS, REGIONS

TI_SEP = " ; "
SYNTHETIC_NOTE = "Données SYNTHÉTIQUES générées par ti-pipeline (ti_pipeline.sample) : ne pas utiliser comme données réelles"


def columns(source: cat.Source, millesime: int) -> list[str]:
    return [f.name for f in source.fields_for(millesime)]


def path_of(out: Path, source: cat.Source, millesime: int | None = None) -> Path:
    release = source.releases[0] if millesime is None else source.release(millesime)
    return cat.sample_path(out, source, release)


# ----------------------------------------------------------------------------------------------
# Territoires d'industrie (COG 2023)
# ----------------------------------------------------------------------------------------------
def write_ti(out: Path, geo: Geographie) -> dict[str, int]:
    lib = dict(zip(geo.territoires["id_ti"], geo.territoires["lib_ti"]))
    com = geo.communes[geo.communes["in_ti"]]
    rows = [
        (c, n, TI_SEP.join(t), TI_SEP.join(lib[x] for x in t))
        for c, n, t in zip(com["code"], com["nom"], com["ti"])
    ]
    n_com = write_csv(path_of(out, cat.TI_COMMUNES), columns(cat.TI_COMMUNES, 2024), rows, ",", quoting=csv.QUOTE_ALL)

    grp_rows = [
        (t.id_ti, t.lib_ti, siren, lib_g, nature)
        for t in geo.territoires.itertuples()
        for siren, lib_g, nature in t.groupements
    ]
    n_grp = write_csv(path_of(out, cat.TI_GROUPEMENTS), columns(cat.TI_GROUPEMENTS, 2024), grp_rows, ",",
                      quoting=csv.QUOTE_ALL)
    ti_rows = list(zip(geo.territoires["id_ti"], geo.territoires["lib_ti"]))
    n_ti = write_csv(path_of(out, cat.TI_TERRITOIRES), columns(cat.TI_TERRITOIRES, 2024), ti_rows, ",",
                     quoting=csv.QUOTE_ALL)
    return {"ti_communes": n_com, "ti_groupements": n_grp, "ti_territoires": n_ti}


# ----------------------------------------------------------------------------------------------
# COG 2025: v_commune, v_region, v_departement, v_mvt_commune in one zip
# ----------------------------------------------------------------------------------------------
# Prefectures of the regions (real codes; some are not communes of the synthetic world).
REGION_CHEFLIEU = {
    "01": "97105", "02": "97209", "03": "97302", "04": "97411", "06": "97611", "11": "75056",
    "24": "45234", "27": "21231", "28": "76540", "32": "59350", "44": "67482", "52": "44109",
    "53": "35238", "75": "33063", "76": "31555", "84": "69123", "93": "13055", "94": "2A004",
}


def _ctcd(dep: str, epci_nature: str) -> str:
    """Collectivité territoriale of a commune (COG ``CTCD``)."""
    if dep in ("2A", "2B"):
        return "20R"
    if dep in ("67", "68"):
        return "6AE"
    if dep == "75":
        return "75C"
    if dep in ("972", "973"):
        return f"{dep}R"
    if dep == "69" and epci_nature == "ME":
        return "69M"
    return f"{dep}D"


def _names(libelle: str) -> tuple[str, str, str, str]:
    tncc, nccenr = split_article(libelle)
    return str(tncc), ncc(nccenr), nccenr, libelle


def write_cog(out: Path, geo: Geographie) -> dict[str, int]:
    com = geo.communes_2025()
    nature = dict(zip(geo.epci["siren"], geo.epci["nature"]))
    rows = []
    for k, c in enumerate(com.itertuples()):
        dep = c.dep
        arr = f"{dep}{1 + k % 3}"
        can = f"{dep}99" if c.code in PLM else f"{dep}{1 + k % 20:02d}"
        rows.append(("COM", c.code, c.reg, dep, _ctcd(dep, nature.get(c.epci, "")), arr, *_names(c.nom), can, ""))
    for a in geo.arrondissements.itertuples():
        rows.append(("ARM", a.code, "", "", "", "", *_names(a.nom), "", a.parent))
    # The commune nouvelle keeps a commune déléguée with its own code, plus one for the absorbed commune.
    noms = dict(zip(geo.communes["code"], geo.communes["nom"]))
    if MERGED_B in noms:
        for code in (MERGED_A, MERGED_B):
            rows.append(("COMD", code, "", "", "", "", *_names(noms[code]), "", MERGED_A))
    order = {"COM": 0, "COMA": 1, "COMD": 2, "ARM": 3}
    rows.sort(key=lambda r: (r[1], order[r[0]]))
    header = columns(cat.COG_COMMUNES, 2025)

    reg_rows = [
        (reg, REGION_CHEFLIEU[reg], str(tncc), ncc(lib), lib, lib)
        for reg, (tncc, lib) in sorted(REGIONS.items())
    ]
    biggest = com.sort_values("p", ascending=False, kind="stable").drop_duplicates("dep").set_index("dep")["code"]
    dep_rows = []
    for dep, (reg, tncc, lib) in sorted(DEPARTEMENTS.items()):
        cheflieu = biggest.get(dep, f"{dep}{'01' if len(dep) == 3 else '001'}")
        dep_rows.append((dep, reg, cheflieu, str(tncc), ncc(lib), lib, lib))

    mvt_header = ["MOD", "DATE_EFF", "TYPECOM_AV", "COM_AV", "TNCC_AV", "NCC_AV", "NCCENR_AV", "LIBELLE_AV",
                  "TYPECOM_AP", "COM_AP", "TNCC_AP", "NCC_AP", "NCCENR_AP", "LIBELLE_AP"]
    mvt_rows = []
    if MERGED_B in noms:
        date = f"{MERGER_YEAR}-01-01"
        a, b = _names(noms[MERGED_A]), _names(noms[MERGED_B])
        mvt_rows = [
            ("32", date, "COM", MERGED_A, *a, "COM", MERGED_A, *a),
            ("32", date, "COM", MERGED_A, *a, "COMD", MERGED_A, *a),
            ("32", date, "COM", MERGED_B, *b, "COM", MERGED_A, *a),
            ("32", date, "COM", MERGED_B, *b, "COMD", MERGED_B, *b),
        ]

    path = path_of(out, cat.COG_COMMUNES)
    with ZipSink(path) as z:
        z.write_bytes("v_commune_2025.csv", csv_text([header, *rows], ",").encode("utf-8"))
        z.write_bytes("v_departement_2025.csv",
                      csv_text([["DEP", "REG", "CHEFLIEU", "TNCC", "NCC", "NCCENR", "LIBELLE"], *dep_rows], ",").encode("utf-8"))
        z.write_bytes("v_mvt_commune_2025.csv", csv_text([mvt_header, *mvt_rows], ",").encode("utf-8"))
        z.write_bytes("v_region_2025.csv", csv_text([columns(cat.COG_REGIONS, 2025), *reg_rows], ",").encode("utf-8"))
    return {"cog_communes": len(rows), "cog_regions": len(reg_rows)}


# ----------------------------------------------------------------------------------------------
# EPCI au 1er janvier 2025 (xlsx in a zip, 5 title rows)
# ----------------------------------------------------------------------------------------------
def _titles(title: str) -> list[list]:
    return [[title], [f"Source : Insee, Code officiel géographique. {SYNTHETIC_NOTE}"], [], ["Géographie au 01/01/2025"], []]


def write_epci(out: Path, geo: Geographie) -> dict[str, int]:
    com = geo.communes_2025()
    epci = geo.epci.set_index("siren")
    nb = com.groupby("epci").size()
    epci_rows = [
        (s, epci.loc[s, "nom"], epci.loc[s, "nature"], int(nb.get(s, 0)))
        for s in sorted(epci.index)
        if nb.get(s, 0)
    ]
    n_zz = int(nb.get("ZZZZZZZZZ", 0))
    if n_zz:
        epci_rows.append(("ZZZZZZZZZ", "Sans objet", "ZZ", n_zz))
    comp_rows = [
        (c.code, c.nom, c.epci, "Sans objet" if c.epci == "ZZZZZZZZZ" else epci.loc[c.epci, "nom"], c.dep, c.reg)
        for c in com.itertuples()
    ]
    data = xlsx_bytes([
        ("EPCI", _titles("Intercommunalités au 1er janvier 2025"), columns(cat.EPCI, 2025), epci_rows),
        ("Composition_communale", _titles("Composition communale des intercommunalités au 1er janvier 2025"),
         columns(cat.EPCI_COMMUNES, 2025), comp_rows),
    ])
    with ZipSink(path_of(out, cat.EPCI)) as z:
        z.write_bytes("EPCI_au_01-01-2025.xlsx", data)
    return {"epci": len(epci_rows), "epci_communes": len(comp_rows)}


# ----------------------------------------------------------------------------------------------
# Table de passage annuelle 2025 (xlsx in a zip, sheet COM, 5 title rows)
# ----------------------------------------------------------------------------------------------
PASSAGE_YEARS = range(2003, 2026)


def write_passage(out: Path, geo: Geographie) -> dict[str, int]:
    # NIVGEO first, then the code and name of each year, oldest first (47 columns)
    header = ["NIVGEO"] + [name for y in PASSAGE_YEARS for name in (f"CODGEO_{y}", f"LIBGEO_{y}")]
    noms = dict(zip(geo.communes["code"], geo.communes["nom"]))

    def rows():
        for code, nom in zip(geo.communes["code"], geo.communes["nom"]):
            row = ["COM"]
            for y in PASSAGE_YEARS:
                if code == MERGED_B and y >= MERGER_YEAR:
                    row += [MERGED_A, noms[MERGED_A]]
                else:
                    row += [code, nom]
            yield row

    titles = [["Table de passage annuelle des codes communes au 1er janvier 2025"],
              [f"Source : Insee, Code officiel géographique. {SYNTHETIC_NOTE}"], [], [], []]
    data = xlsx_bytes([("COM", titles, header, rows())])
    with ZipSink(path_of(out, cat.COG_PASSAGE)) as z:
        z.write_bytes("table_passage_annuelle_2025.xlsx", data)
    return {"cog_passage": len(geo.communes)}


# ----------------------------------------------------------------------------------------------
# communes.json (@etalab/decoupage-administratif)
# ----------------------------------------------------------------------------------------------
# Two real entries of communes.json 5.3.0 (Licence Ouverte): communes of overseas collectivities,
# which the package lists as 'commune-actuelle' with zone 'com', one without a SIREN, one without a
# population either. Insee's v_commune leaves them out (they are in v_commune_comer).
COLLECTIVITES_OUTRE_MER = (
    {"code": "97501", "nom": "Miquelon-Langlade", "departement": "975", "region": "975", "zone": "com",
     "type": "commune-actuelle", "codesPostaux": ["97500"], "population": 596},
    {"code": "98411", "nom": "Îles Saint-Paul et Nouvelle-Amsterdam", "departement": "984", "region": "984",
     "zone": "com", "type": "commune-actuelle"},
)


def _zone(dep: str) -> str:
    return "drom" if dep.startswith("97") else "metro"


def write_communes_json(out: Path, geo: Geographie) -> dict[str, int]:
    """communes.json as the npm package writes it: one object per line, the keys in its order
    (code, nom, typeLiaison, zone, arrondissement, departement, region, type, ...), no EPCI."""
    com = geo.communes_2025()
    items = []
    for c in com.itertuples():
        cps = c.cps
        if c.code in PLM:
            cps = sorted({cp for a_cps in geo.arrondissements.loc[geo.arrondissements["parent"] == c.code, "cps"] for cp in a_cps})
        items.append({"code": c.code, "nom": c.nom, "typeLiaison": 0, "zone": _zone(c.dep),
                      "arrondissement": f"{c.dep}1", "departement": c.dep, "region": c.reg,
                      "type": "commune-actuelle", "rangChefLieu": 0, "siren": c.siren,
                      "codesPostaux": list(cps), "population": int(round(c.p))})
    for a in geo.arrondissements.itertuples():
        items.append({"code": a.code, "nom": a.nom, "typeLiaison": 0, "zone": "metro",
                      "type": "arrondissement-municipal", "commune": a.parent, "arrondissement": f"{a.dep}1",
                      "departement": a.dep, "region": a.reg, "codesPostaux": list(a.cps),
                      "population": int(round(a.p))})
    noms = dict(zip(geo.communes["code"], geo.communes["nom"]))
    if MERGED_B in noms:
        dep_reg = geo.communes.set_index("code").loc[MERGED_A, ["dep", "reg"]]
        for code in (MERGED_A, MERGED_B):
            # the commune nouvelle keeps its code as a commune déléguée: one code, two entries
            items.append({"code": code, "nom": noms[code], "typeLiaison": 0, "zone": _zone(dep_reg["dep"]),
                          "type": "commune-deleguee", "chefLieu": MERGED_A, "arrondissement": f"{dep_reg['dep']}1",
                          "departement": dep_reg["dep"], "region": dep_reg["reg"]})
    items.extend(dict(item) for item in COLLECTIVITES_OUTRE_MER)
    order = {"commune-actuelle": 0, "arrondissement-municipal": 1, "commune-deleguee": 2}
    items.sort(key=lambda x: (x["code"], order[x["type"]]))
    path = path_of(out, cat.COMMUNES_SIREN)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items)
    path.write_text("[\n" + lines + "\n]\n", encoding="utf-8")
    return {"communes_siren": len(items)}
