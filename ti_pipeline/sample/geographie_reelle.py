"""Maintainer tool: extract the real communes and EPCI the sample uses from @etalab/decoupage-administratif.

What belongs here: the list of what the sample takes from the real geography (``EPCI_ENTIERS``,
``COMMUNES_SEULES``) and the code that reads three versions of the npm package's ``data/`` folder
(5.3.0 = COG 2025; 3.1.1 = COG 2023; 4.1.0 = COG 2024, for the names of that year) and writes the
small committed extract under ``ti_pipeline/sample/reel/``. The generator reads only that extract: tests and CI never use the
network nor the package.

    npm pack @etalab/decoupage-administratif@5.3.0 && tar xzf etalab-decoupage-administratif-5.3.0.tgz
    python -m ti_pipeline.sample.geographie_reelle --decoupage 5.3.0/package/data \\
        --decoupage-2023 3.1.1/package/data --decoupage-2024 4.1.0/package/data

Real in the extract: codes, names (COG 2023 and 2025), départements, regions, EPCI membership and
SIREN, commune SIREN, postcodes, legal populations, communes déléguées/associées and Paris, Lyon and
Marseille's arrondissements. Not here: every statistic and the Territoires d'industrie perimeters
(``geographie`` builds those on top of this extract).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

REEL_DIR = Path(__file__).resolve().parent / "reel"
VERSION_2025, VERSION_2024, VERSION_2023 = "5.3.0", "4.1.0", "3.1.1"

# Whole EPCI (SIREN) taken into the sample, in or outside the territories.
EPCI_ENTIERS: tuple[str, ...] = (
    "200071751",  # CA du Bassin de Bourg-en-Bresse (ti-8402)
    "200042935",  # CA Haut-Bugey Agglomération (ti-8413)
    "200046977",  # Métropole de Lyon (ti-8420; Oullins absorbs Pierre-Bénite on 1/1/2024)
    "200034700",  # CA Durance-Lubéron-Verdon Agglomération (ti-9310; 04 and 83)
    "200071033",  # CC Jabron-Lure-Vançon-Durance (ti-9310; 04 and 26: two regions)
    "242010056",  # CA du Pays Ajaccien (ti-9401)
    "242000354",  # CA de Bastia (ti-9401)
    "200018653",  # CA CAP Excellence (ti-0101)
    "200043396",  # CA Maubeuge Val de Sambre (ti-3203)
    "200043404",  # CC du Sud Avesnois (ti-3203)
    "200090751",  # CA Grand Calais Terres et Mers (ti-3215)
    "200068377",  # CC de la Porte des Vosges Méridionales (ti-4404)
    "200033868",  # CC des Ballons des Hautes-Vosges (ti-4404)
    # outside every territory
    "249710062",  # CA du Nord Basse-Terre (971)
    "200036499",  # CC de Marana-Golo (2B)
    "240100800",  # CC de Miribel et du Plateau (01)
    "241300375",  # CC Vallée des Baux-Alpilles (13)
    "246200299",  # CA d'Hénin-Carvin (62)
)
# Single communes whose EPCI is too big for the sample (the EPCI is then only partly present).
COMMUNES_SEULES: tuple[str, ...] = (
    "13055", "13014", "13039", "13047", "13056", "13077",  # Marseille and the Étang de Berre (AMP)
    "75056",  # Paris (Métropole du Grand Paris)
    "29083",  # Île-de-Sein: no EPCI
)
# communes.json entries kept only for their quirks: no SIREN (Miquelon-Langlade), neither SIREN nor
# population (a TAAF district). They are in no COG file of the sample, as in reality (v_commune_comer).
DECOUPAGE_SEULEMENT: tuple[str, ...] = ("97501", "98411")

COMMUNES_COLUMNS = ("code", "type", "nom", "nom_2023", "nom_2024", "departement", "region", "siren", "codes_postaux",
                    "population", "population_2023", "epci", "epci_2023", "parent", "cog_2023", "cog_2025")
EPCI_COLUMNS = ("siren", "nom", "type", "nb_communes", "population")


def _load(folder: Path, name: str) -> list[dict]:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def extract(decoupage: Path, decoupage_2023: Path, decoupage_2024: Path) -> tuple[list[dict], list[dict]]:
    """Rows of ``communes.csv`` and ``epci.csv`` for the selection (see the module docstring)."""
    c25, c23 = _load(decoupage, "communes.json"), _load(decoupage_2023, "communes.json")
    nom24 = {c["code"]: c["nom"] for c in _load(decoupage_2024, "communes.json") if c["type"] == "commune-actuelle"}
    e25, e23 = _load(decoupage, "epci.json"), _load(decoupage_2023, "epci.json")
    epci25 = {m["code"]: e["code"] for e in e25 for m in e["membres"]}
    epci23 = {m["code"]: e["code"] for e in e23 for m in e["membres"]}
    by_epci = {e["code"]: e for e in e25}
    wanted25 = {m["code"] for s in EPCI_ENTIERS for m in by_epci[s]["membres"]} | set(COMMUNES_SEULES)
    act23 = {c["code"]: c for c in c23 if c["type"] == "commune-actuelle"}
    act25 = {c["code"]: c for c in c25 if c["type"] == "commune-actuelle"}
    # COG 2023 communes of the same EPCI (a commune merged since 2023 is in its 2023 EPCI).
    wanted23 = {c for c, e in epci23.items() if e in EPCI_ENTIERS} | (set(COMMUNES_SEULES) & set(act23))
    arm23 = {c["code"]: c for c in c23 if c["type"] == "arrondissement-municipal"}

    rows = []
    for c in c25:
        code, kind = c["code"], c["type"]
        if kind == "commune-actuelle" and code in wanted25 | set(DECOUPAGE_SEULEMENT):
            parent = ""
        elif kind == "arrondissement-municipal" and c["commune"] in wanted25:
            parent = c["commune"]
        elif kind in ("commune-deleguee", "commune-associee") and c.get("chefLieu") in wanted25:
            parent = c["chefLieu"]
        else:
            continue
        if kind == "commune-actuelle" and code not in DECOUPAGE_SEULEMENT:
            old = act23.get(code)
        elif kind == "arrondissement-municipal":
            old = arm23.get(code)
        else:
            old = None
        rows.append({
            "code": code, "type": kind, "nom": c["nom"], "nom_2023": old["nom"] if old else "",
            "nom_2024": nom24.get(code, "") if kind == "commune-actuelle" else "",
            "departement": c["departement"], "region": c["region"], "siren": c.get("siren", ""),
            "codes_postaux": " ".join(c.get("codesPostaux", [])),
            "population": "" if c.get("population") is None else str(c["population"]),
            "population_2023": "" if not old or old.get("population") is None else str(old["population"]),
            "epci": epci25.get(code, "") if kind == "commune-actuelle" else "",
            "epci_2023": epci23.get(code, "") if old and kind == "commune-actuelle" else "",
            "parent": parent,
            "cog_2023": "1" if old else "0",
            "cog_2025": "1" if kind in ("commune-actuelle", "arrondissement-municipal") and code not in DECOUPAGE_SEULEMENT else "0",
        })
    # COG 2023 communes that no longer exist in COG 2025 (merged since): their 2023 state.
    for code in sorted(wanted23 - set(act25)):
        c = act23[code]
        rows.append({
            "code": code, "type": "commune-2023", "nom": "", "nom_2023": c["nom"], "nom_2024": "",
            "departement": c["departement"],
            "region": c["region"], "siren": c.get("siren", ""), "codes_postaux": " ".join(c.get("codesPostaux", [])),
            "population": "", "population_2023": str(c.get("population", "")), "epci": "",
            "epci_2023": epci23.get(code, ""), "parent": "", "cog_2023": "1", "cog_2025": "0",
        })
    order = {"commune-actuelle": 0, "commune-2023": 1, "arrondissement-municipal": 2, "commune-deleguee": 3,
             "commune-associee": 4}
    rows.sort(key=lambda r: (r["code"], order[r["type"]]))

    present = {r["epci"] for r in rows if r["epci"]}
    epci_rows = [{"siren": e["code"], "nom": e["nom"], "type": e["type"], "nb_communes": str(len(e["membres"])),
                  "population": str(e.get("populationMunicipale", ""))}
                 for e in sorted(e25, key=lambda e: e["code"]) if e["code"] in present]
    return rows, epci_rows


def _write(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--decoupage", type=Path, required=True,
                   help=f"data/ folder of @etalab/decoupage-administratif {VERSION_2025} (COG 2025)")
    p.add_argument("--decoupage-2023", type=Path, required=True,
                   help=f"data/ folder of @etalab/decoupage-administratif {VERSION_2023} (COG 2023)")
    p.add_argument("--decoupage-2024", type=Path, required=True,
                   help=f"data/ folder of @etalab/decoupage-administratif {VERSION_2024} (COG 2024, for names)")
    p.add_argument("--out", type=Path, default=REEL_DIR)
    args = p.parse_args(argv)
    communes, epci = extract(args.decoupage, args.decoupage_2023, args.decoupage_2024)
    args.out.mkdir(parents=True, exist_ok=True)
    _write(args.out / "communes.csv", COMMUNES_COLUMNS, communes)
    _write(args.out / "epci.csv", EPCI_COLUMNS, epci)
    print(f"{len(communes)} communes rows, {len(epci)} EPCI -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
