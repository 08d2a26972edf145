"""What the maps show: a territory's communes (by groupement) and its neighbours, and the index's
outlines of every territory, as shapely geometries read from the geometry marts.

``mart_communes_contours`` holds the communes of the territories and their neighbours,
``mart_ti_contours`` one outline per territory (both WKB, OGC:CRS84, published by
``ti_pipeline.geo``). Which commune belongs to which groupement is ``identity``'s (the composition
mart). A mart not published yet gives a ``NonDisponible``; a commune without a shape is listed in
``sans_contour`` (the page says so), never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely

from ti_pipeline.portraits.content.identity import Identite
from ti_pipeline.portraits.content.rows import NonDisponible, text
from ti_pipeline.portraits.marts import Marts

# Neighbours drawn around a territory: communes within this share of its size around its box.
MARGE_VOISINES = 0.08


@dataclass
class CommuneCarte:
    code: str
    libelle: str
    geometrie: shapely.Geometry
    groupement: str | None = None


@dataclass
class CarteTerritoire:
    communes: list[CommuneCarte]
    voisines: list[CommuneCarte]
    groupements: list[str]  # in the order of the identity section (largest first)
    sans_contour: list[str] = field(default_factory=list)  # commune names


@dataclass
class ContourTerritoire:
    id_ti: str
    lib_ti: str
    geometrie: shapely.Geometry


def _communes(marts: Marts) -> tuple[list[str], dict[str, tuple[str, shapely.Geometry]], shapely.STRtree]:
    """Code -> (name, shape) of mart_communes_contours and a spatial index over them (once per build)."""

    def compute():
        df = marts.frame("mart_communes_contours")
        codes = [str(c) for c in df["code_commune"]]
        geoms = list(shapely.from_wkb(list(df["geometry"])))
        par_code = {c: (text(n) or c, g) for c, n, g in zip(codes, df["libelle_commune"], geoms)}
        return codes, par_code, shapely.STRtree(geoms)

    return marts.derived("mart_communes_contours shapes", compute)


def carte_territoire(marts: Marts, ident: Identite) -> CarteTerritoire | NonDisponible:
    if marts.frame("mart_communes_contours") is None:
        return NonDisponible(f"le mart mart_communes_contours n'est pas publié ({marts.missing.get('mart_communes_contours', 'absent')})")
    codes, par_code, arbre = _communes(marts)
    groupements = [g.libelle for g in ident.groupements]
    communes, sans = [], []
    for com in ident.communes:
        if com.code in par_code:
            communes.append(CommuneCarte(com.code, com.libelle, par_code[com.code][1], com.groupement))
        else:
            sans.append(com.libelle)
    if not communes:
        return NonDisponible("aucune commune du territoire n'a de contour dans mart_communes_contours")
    dedans = {c.code for c in communes}
    xmin, ymin, xmax, ymax = shapely.total_bounds([c.geometrie for c in communes])
    marge = MARGE_VOISINES * max(xmax - xmin, ymax - ymin)
    boite = shapely.box(xmin - marge, ymin - marge, xmax + marge, ymax + marge)
    voisines = [
        CommuneCarte(codes[i], par_code[codes[i]][0], par_code[codes[i]][1])
        for i in sorted(arbre.query(boite, predicate="intersects"))
        if codes[i] not in dedans
    ]
    for g in {c.groupement for c in communes}:
        if g not in groupements:
            groupements.append(g)
    return CarteTerritoire(communes=communes, voisines=voisines, groupements=groupements, sans_contour=sans)


def contours_index(marts: Marts) -> list[ContourTerritoire] | NonDisponible:
    df = marts.frame("mart_ti_contours")
    if df is None:
        return NonDisponible(f"le mart mart_ti_contours n'est pas publié ({marts.missing.get('mart_ti_contours', 'absent')})")
    out = []
    for id_ti, lib_ti, wkb in zip(df["id_ti"], df["lib_ti"], df["geometry"]):
        if wkb is not None:
            out.append(ContourTerritoire(str(id_ti), str(lib_ti), shapely.from_wkb(wkb)))
    return sorted(out, key=lambda c: c.id_ti)
