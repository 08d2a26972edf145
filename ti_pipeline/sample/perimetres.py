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
from .geographie import MERGED_A, MERGED_B, MERGER_YEAR, NO_EPCI, PLM, Geographie
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
    # Communes déléguées and associées (real, from the découpage): the commune nouvelle of the merger
    # keeps one with its own code, plus one for the absorbed commune.
    for d in geo.deleguees.itertuples():
        rows.append(("COMD" if d.type == "commune-deleguee" else "COMA", d.code, "", "", "", "", *_names(d.nom), "",
                     d.parent))
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
    noms = dict(zip(geo.communes["code"], geo.communes["nom"]))
    mvt_rows = []
    if MERGED_B in noms:
        date = f"{MERGER_YEAR}-01-01"
        a, b = _names(noms[MERGED_A]), _names(noms[MERGED_B])
        a_new = _names(dict(zip(geo.communes["code"], geo.communes["nom_2025"]))[MERGED_A])
        mvt_rows = [
            ("32", date, "COM", MERGED_A, *a, "COM", MERGED_A, *a_new),
            ("32", date, "COM", MERGED_A, *a, "COMD", MERGED_A, *a),
            ("32", date, "COM", MERGED_B, *b, "COM", MERGED_A, *a_new),
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
    n_zz = int(nb.get(NO_EPCI, 0))
    if n_zz:
        epci_rows.append((NO_EPCI, "Sans objet", "ZZ", n_zz))
    comp_rows = [
        (c.code, c.nom, c.epci, "Sans objet" if c.epci == NO_EPCI else epci.loc[c.epci, "nom"], c.dep, c.reg)
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

    def rows():
        # Codes and names of each COG year from 2023 on; before 2023 the sample repeats the 2023 state
        # (the real history of older mergers is not reproduced).
        com = geo.communes
        for c in com.itertuples():
            row = ["COM"]
            for y in PASSAGE_YEARS:
                if y >= MERGER_YEAR:
                    row += [c.code_2025, c.nom_2025 if y >= 2025 else (c.nom_2024 if c.code_2025 == c.code else
                                                                      geo.communes.set_index("code").loc[c.code_2025, "nom_2024"])]
                else:
                    row += [c.code, c.nom]
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
def _zone(dep: str) -> str:
    return "drom" if dep.startswith("97") else "metro"


def write_communes_json(out: Path, geo: Geographie) -> dict[str, int]:
    """communes.json as the npm package writes it: one object per line, the keys in its order
    (code, nom, typeLiaison, zone, arrondissement, departement, region, type, ...), no EPCI."""
    com = geo.communes_2025()
    items = []
    for c in com.itertuples():
        cps = c.cps
        items.append({"code": c.code, "nom": c.nom, "typeLiaison": 0, "zone": _zone(c.dep),
                      "arrondissement": f"{c.dep}1", "departement": c.dep, "region": c.reg,
                      "type": "commune-actuelle", "rangChefLieu": 0, "siren": c.siren,
                      "codesPostaux": list(cps),
                      # the découpage's legal population (real), or the census anchor of a generated commune
                      "population": int(c.pop_legale_2025) if c.pop_legale_2025 == c.pop_legale_2025
                      else int(round(c.p22))})
    for a in geo.arrondissements.itertuples():
        items.append({"code": a.code, "nom": a.nom, "typeLiaison": 0, "zone": "metro",
                      "type": "arrondissement-municipal", "commune": a.parent, "arrondissement": f"{a.dep}1",
                      "departement": a.dep, "region": a.reg, "codesPostaux": list(a.cps),
                      "population": int(a.pop_legale_2025)})
    # communes déléguées and associées (real): a commune nouvelle may keep its code as a commune
    # déléguée, one code then has two entries
    for d in geo.deleguees.itertuples():
        items.append({"code": d.code, "nom": d.nom, "typeLiaison": 0, "zone": _zone(d.dep),
                      "type": d.type, "chefLieu": d.parent, "arrondissement": f"{d.dep}1",
                      "departement": d.dep, "region": d.reg})
    # entries of overseas collectivities (real), in no COG file: no SIREN, one without population either
    for x in geo.decoupage_seul.itertuples():
        item = {"code": x.code, "nom": x.nom, "departement": x.dep, "region": x.reg, "zone": "com",
                "type": "commune-actuelle"}
        if x.cps:
            item["codesPostaux"] = list(x.cps)
        if x.population == x.population:
            item["population"] = int(x.population)
        items.append(item)
    order = {"commune-actuelle": 0, "arrondissement-municipal": 1, "commune-deleguee": 2, "commune-associee": 3}
    items.sort(key=lambda x: (x["code"], order[x["type"]]))
    path = path_of(out, cat.COMMUNES_SIREN)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items)
    path.write_text("[\n" + lines + "\n]\n", encoding="utf-8")
    return {"communes_siren": len(items)}
