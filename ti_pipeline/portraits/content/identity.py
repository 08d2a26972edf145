"""The identity section of a portrait: the territory, its région, départements, groupements and
communes, as ``mart_ti_composition`` (and ``mart_ti_groupements`` when published) list them.

Also ``territoires``: the territories a build has a page for. Not here: figures (``indicators``), the
index page's rows (``index``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ti_pipeline.portraits.content.rows import (
    as_int,
    first_column,
    is_na,
    mart_records,
    num,
    territory_rows,
    text,
)
from ti_pipeline.portraits.marts import Marts

NATURES_GROUPEMENT = {
    "CC": "communauté de communes",
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
    "MET69": "Métropole de Lyon",
    "EPT": "établissement public territorial",
    "COM": "commune isolée",
    "ME": "métropole",
}


@dataclass
class Groupement:
    siren: str | None
    libelle: str
    nature: str | None
    nb_communes: int
    population: float | None = None

    @property
    def nature_libelle(self) -> str | None:
        return NATURES_GROUPEMENT.get(self.nature or "", self.nature)


@dataclass
class Commune:
    code: str
    libelle: str
    departement: str | None
    groupement: str | None
    codes_liste: str | None
    autres_territoires: list[str] = field(default_factory=list)


@dataclass
class Identite:
    id_ti: str
    lib_ti: str
    code_region: str | None
    libelle_region: str | None
    codes_regions: list[str]
    departements: list[tuple[str, int]]
    groupements: list[Groupement]
    communes: list[Commune]
    annee_cog: int | None
    # code -> name of every region the territory touches (mart_ti_composition's libelles_regions,
    # in the order of codes_regions); a code without a name stays absent and is shown as is
    libelles_regions: dict[str, str] = field(default_factory=dict)

    def nom_region(self, code: str) -> str:
        return self.libelles_regions.get(code) or code


def territoires(marts: Marts) -> list[tuple[str, str]]:
    """(id, name) of every territory of the composition mart, by id."""
    comp = marts.frame("mart_ti_composition")
    pairs = comp[["id_ti", "lib_ti"]].drop_duplicates("id_ti").sort_values("id_ti")
    return [(str(i), str(n)) for i, n in pairs.itertuples(index=False)]


def _programme_groupements(marts: Marts, id_ti: str) -> list[Groupement]:
    """The programme's own list of the territory's groupements, with each one's population, from
    mart_ti_groupements; empty when that mart is not published or has no row for the territory."""
    grp = marts.frame("mart_ti_groupements")
    if grp is None or not {"siren_groupement", "lib_groupement"} <= set(grp.columns):
        return []
    rows = territory_rows(marts, "mart_ti_groupements", id_ti)
    groupements = [
        Groupement(
            siren=text(r["siren_groupement"]),
            libelle=text(r["lib_groupement"]) or text(r["siren_groupement"]) or "groupement non identifié",
            nature=text(r.get("nature_juridique")),
            nb_communes=as_int(r.get("nb_communes")) or 0,
            population=num(r.get("population_reference")),
        )
        for r in mart_records(marts, "mart_ti_groupements", rows)
    ]
    groupements.sort(key=lambda g: (-(g.population or 0), -g.nb_communes, g.libelle))
    return groupements


def _composition_groupements(rows: pd.DataFrame) -> list[Groupement]:
    """The territory's groupements as its composition rows name them (no population)."""
    grp_col = first_column(rows, "siren_groupement")
    groupements: list[Groupement] = []
    if grp_col:
        for siren, g in rows.groupby(grp_col, dropna=False, sort=False):
            groupements.append(
                Groupement(
                    siren=text(siren),
                    libelle=text(g.iloc[0].get("lib_groupement")) or text(siren) or "groupement non identifié",
                    nature=text(g.iloc[0].get("nature_juridique")),
                    nb_communes=int(g["code_commune"].nunique()),
                )
            )
        groupements.sort(key=lambda g: (-g.nb_communes, g.libelle))
    return groupements


def _territories_by_commune(comp: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """Commune code -> the (id, name) of every territory it belongs to (built once per build)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for code, id_ti, lib_ti in zip(comp["code_commune"], comp["id_ti"], comp["lib_ti"]):
        out.setdefault(code, []).append((id_ti, lib_ti))
    return out


def identite(marts: Marts, id_ti: str) -> Identite:
    comp = marts.frame("mart_ti_composition")
    rows = territory_rows(marts, "mart_ti_composition", id_ti)
    if rows.empty:
        raise KeyError(f"{id_ti} absent de mart_ti_composition")
    records = mart_records(marts, "mart_ti_composition", rows)
    first = records[0]
    regions = text(first.get("codes_regions")) or text(first.get("code_region_reference")) or ""
    codes_regions = [r for r in re.split(r"[;,\s]+", regions) if r]
    # names in the same order as the codes, ' ; ' between them (names hold spaces and commas)
    noms = [n.strip() for n in (text(first.get("libelles_regions")) or "").split(";")]
    libelles_regions = dict(zip(codes_regions, noms)) if len(noms) == len(codes_regions) else {}
    if first.get("code_region_reference") and text(first.get("libelle_region_reference")):
        libelles_regions.setdefault(str(first["code_region_reference"]), str(first["libelle_region_reference"]))

    # mart_ti_groupements, when published, is the programme's own list with each one's population;
    # otherwise the groupements named by the composition rows
    groupements = _programme_groupements(marts, id_ti) or _composition_groupements(rows)

    # a commune in several territories (nb_ti > 1, a missing nb_ti counting as 1): name the others
    # (the composition mart has one row per pair)
    partagees = {
        r["code_commune"]
        for r in records
        if (1 if is_na(r.get("nb_ti")) else r["nb_ti"]) > 1 and not is_na(r["code_commune"])
    }
    autres: dict[str, list[str]] = {}
    if partagees:
        by_commune = marts.derived("mart_ti_composition by code_commune", lambda: _territories_by_commune(comp))
        for code in partagees:
            others = [f"{i} {n}" for i, n in by_commune.get(code, []) if i != id_ti]
            if others:
                autres[str(code)] = sorted(others)

    communes = [
        Commune(
            code=str(r["code_commune"]),
            libelle=text(r.get("libelle_commune")) or str(r["code_commune"]),
            departement=text(r.get("code_departement")),
            groupement=text(r.get("lib_groupement")),
            codes_liste=text(r.get("codes_commune_liste")),
            autres_territoires=autres.get(str(r["code_commune"]), []),
        )
        for r in mart_records(marts, "mart_ti_composition", rows.sort_values("code_commune"))
    ]
    # distinct communes by département, by département code (as groupby + nunique, missing left out)
    communes_by_departement: dict = {}
    if "code_departement" in first:
        for r in records:
            if not is_na(r["code_departement"]):
                codes = communes_by_departement.setdefault(r["code_departement"], set())
                if not is_na(r["code_commune"]):
                    codes.add(r["code_commune"])
    return Identite(
        id_ti=id_ti,
        lib_ti=str(first["lib_ti"]),
        code_region=text(first.get("code_region_reference")),
        libelle_region=text(first.get("libelle_region_reference")),
        codes_regions=codes_regions,
        departements=[(str(d), len(communes_by_departement[d])) for d in sorted(communes_by_departement)],
        groupements=groupements,
        communes=communes,
        annee_cog=as_int(first.get("annee_cog")),
        libelles_regions=libelles_regions,
    )
