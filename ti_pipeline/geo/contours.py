"""Territory outlines dissolved from their communes, and the commune shapes the maps draw.

Geometries stay in the CRS of the source, WGS84 longitude/latitude (``OGC:CRS84``): the marts
record it (GeoParquet ``crs``), the maps project it themselves. Areas compared in tests are in
square degrees: a ratio of areas over a territory a few tens of km wide does not depend on it.

- ``lire_communes``: the lake's commune shapes (newest vintage), parsed, invalid ones repaired or
  refused with the commune code;
- ``contours_territoires``: one outline per territory, the union of its communes, simplified;
- ``communes_carte``: the communes of every territory and their neighbours, simplified, for the
  portraits' maps;
- ``geoparquet``: the ``geo`` key-value metadata of GeoParquet 1.1 for a table of WKB geometries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import shapely

SOURCE = "communes_contours"
# Outlines are drawn at most ~700 px wide: 0.0005° (~50 m) is below a pixel and keeps the area
# within 0.1 % of the union (tested); commune shapes for maps a bit coarser.
TOLERANCE_CONTOUR = 0.0005
TOLERANCE_COMMUNE = 0.001
# Slivers left between two communes whose borders were generalised separately: interior rings
# smaller than this (square degrees, ~0.1 ha) are not holes of the territory.
TROU_MIN = 1e-7

# OGC:CRS84 (WGS84, longitude first) as PROJJSON, what GeoParquet's ``crs`` holds.
CRS84 = {
    "$schema": "https://proj.org/schemas/v0.7/projjson.schema.json",
    "type": "GeographicCRS",
    "name": "WGS 84 (CRS84)",
    "datum": {
        "type": "GeodeticReferenceFrame",
        "name": "World Geodetic System 1984",
        "ellipsoid": {"name": "WGS 84", "semi_major_axis": 6378137, "inverse_flattening": 298.257223563},
    },
    "coordinate_system": {
        "subtype": "ellipsoidal",
        "axis": [
            {"name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": "degree"},
            {"name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": "degree"},
        ],
    },
    "id": {"authority": "OGC", "code": "CRS84"},
}


class ContoursError(ValueError):
    """A commune shape that cannot be used: names the source, file, column and commune."""


@dataclass(frozen=True)
class Commune:
    code: str
    nom: str
    geometrie: shapely.Geometry


def fichier_lake(raw_dir: Path) -> Path:
    """The newest vintage of the commune shapes in the lake."""
    files = sorted((Path(raw_dir) / SOURCE).glob("millesime=*/data.parquet"))
    if not files:
        raise FileNotFoundError(f"{SOURCE}: aucun millésime dans {Path(raw_dir) / SOURCE} (lancer d'abord raw_{SOURCE})")
    return max(files, key=lambda p: int(p.parent.name.split("=")[1]))


def lire_communes(path: Path) -> dict[str, Commune]:
    """Code -> commune shape, from a lake file of ``communes_contours``. A shape GEOS finds invalid
    (a self-touching ring) is repaired with ``make_valid`` and kept if it stays a polygon; one that
    does not parse, or is not a polygon, stops here with the commune named."""
    table = pq.read_table(path, columns=["code", "nom", "geometry"])
    codes = table["code"].to_pylist()
    noms = table["nom"].to_pylist()
    textes = table["geometry"].to_pylist()
    try:
        geoms = shapely.from_geojson(textes)
    except shapely.errors.GEOSException:
        geoms = [None] * len(textes)
    out: dict[str, Commune] = {}
    for code, nom, texte, geom in zip(codes, noms, textes, geoms):
        if geom is None:
            try:
                geom = shapely.from_geojson(texte)
            except shapely.errors.GEOSException as exc:
                raise ContoursError(f"{SOURCE}: {path}, colonne geometry, commune {code} : GeoJSON illisible ({exc})") from None
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        polygones = _polygones(geom)
        if polygones is None:
            raise ContoursError(
                f"{SOURCE}: {path}, colonne geometry, commune {code} : {geom.geom_type} au lieu d'un polygone"
            )
        out[str(code)] = Commune(str(code), nom or str(code), polygones)
    return out


def _polygones(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a geometry (make_valid may add slivers as lines), or None if empty."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        if parts:
            return shapely.union_all(parts)
    return None


def sans_petits_trous(geom: shapely.Geometry, aire_min: float = TROU_MIN) -> shapely.Geometry:
    """``geom`` without its interior rings smaller than ``aire_min``."""
    polys = []
    for p in shapely.get_parts(geom):
        trous = [r for r in p.interiors if shapely.Polygon(r).area >= aire_min]
        polys.append(shapely.Polygon(p.exterior, trous))
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def simplifier(geom: shapely.Geometry, tolerance: float) -> shapely.Geometry:
    simple = shapely.simplify(geom, tolerance, preserve_topology=True)
    return geom if simple.is_empty else simple


def union_communes(codes: list[str], communes: dict[str, Commune]) -> shapely.Geometry | None:
    """The exact union of the communes' shapes (None when none has a shape)."""
    geoms = [communes[c].geometrie for c in codes if c in communes]
    return shapely.union_all(geoms) if geoms else None


def contours_territoires(composition: list[tuple[str, str, str]], communes: dict[str, Commune]) -> pa.Table:
    """One row per territory: ``id_ti``, ``lib_ti``, ``nb_communes``, ``nb_communes_sans_contour``
    and ``geometry`` (WKB), the union of its communes without slivers, simplified.

    ``composition``: (id_ti, lib_ti, code_commune) rows, as mart_ti_composition lists them."""
    par_ti: dict[str, tuple[str, list[str]]] = {}
    for id_ti, lib_ti, code in composition:
        par_ti.setdefault(id_ti, (lib_ti, []))[1].append(code)
    lignes = {"id_ti": [], "lib_ti": [], "nb_communes": [], "nb_communes_sans_contour": [], "geometry": []}
    for id_ti in sorted(par_ti):
        lib_ti, codes = par_ti[id_ti]
        codes = sorted(set(codes))
        union = union_communes(codes, communes)
        lignes["id_ti"].append(id_ti)
        lignes["lib_ti"].append(lib_ti)
        lignes["nb_communes"].append(len(codes))
        lignes["nb_communes_sans_contour"].append(sum(c not in communes for c in codes))
        lignes["geometry"].append(
            None if union is None else shapely.to_wkb(simplifier(sans_petits_trous(union), TOLERANCE_CONTOUR))
        )
    return pa.table(
        {
            "id_ti": pa.array(lignes["id_ti"], pa.string()),
            "lib_ti": pa.array(lignes["lib_ti"], pa.string()),
            "nb_communes": pa.array(lignes["nb_communes"], pa.int32()),
            "nb_communes_sans_contour": pa.array(lignes["nb_communes_sans_contour"], pa.int32()),
            "geometry": pa.array(lignes["geometry"], pa.binary()),
        }
    )


def communes_carte(codes_territoires: set[str], communes: dict[str, Commune]) -> pa.Table:
    """The communes of every territory and their neighbours (those touching one of them), one row
    each: ``code_commune``, ``libelle_commune``, ``dans_un_territoire`` and ``geometry`` (WKB,
    simplified)."""
    codes = sorted(communes)
    geoms = [communes[c].geometrie for c in codes]
    arbre = shapely.STRtree(geoms)
    dedans = [i for i, c in enumerate(codes) if c in codes_territoires]
    voisins: set[int] = set(dedans)
    if dedans:
        # a tiny buffer: borders generalised separately may not touch exactly
        _, touches = arbre.query([shapely.buffer(geoms[i], 0.0005) for i in dedans], predicate="intersects")
        voisins.update(int(j) for j in touches)
    garde = sorted(voisins)
    return pa.table(
        {
            "code_commune": pa.array([codes[i] for i in garde], pa.string()),
            "libelle_commune": pa.array([communes[codes[i]].nom for i in garde], pa.string()),
            "dans_un_territoire": pa.array([codes[i] in codes_territoires for i in garde], pa.bool_()),
            "geometry": pa.array([shapely.to_wkb(simplifier(geoms[i], TOLERANCE_COMMUNE)) for i in garde], pa.binary()),
        }
    )


def geoparquet(table: pa.Table, column: str = "geometry") -> dict:
    """The GeoParquet 1.1 ``geo`` metadata of ``table``'s WKB column: version, primary column,
    encoding, geometry types present, CRS (PROJJSON of OGC:CRS84) and bounding box."""
    geoms = shapely.from_wkb([g for g in table[column].to_pylist() if g is not None])
    types = sorted({g.geom_type for g in geoms})
    meta: dict = {"encoding": "WKB", "geometry_types": types, "crs": CRS84, "edges": "planar"}
    if len(geoms):
        meta["bbox"] = [round(float(v), 6) for v in shapely.total_bounds(geoms)]
    return {"version": "1.1.0", "primary_column": column, "columns": {column: meta}}
