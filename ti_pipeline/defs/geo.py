"""The geometry marts as one Dagster multi-asset: ``mart_ti_contours`` (one outline per territory)
and ``mart_communes_contours`` (the communes of the territories and their neighbours).

A thin edge over ``ti_pipeline.geo``: it reads the lake's commune shapes (``raw_communes_contours``)
and the published ``mart_ti_composition``, dissolves and simplifies with shapely, and publishes
both marts with ``geo.publish.publish_geo_mart`` (the SQL marts' versioned-symlink publication,
GeoParquet metadata). Both are rebuilt only when the shapes' lake file, the published composition or
the ``geo`` code changed (a fingerprint recorded in the marts), or in a run tagged ``ti/force``.
"""

import dagster as dg
import pyarrow.parquet as pq

from ti_pipeline.config import forced, get_paths
from ti_pipeline.geo import contours
from ti_pipeline.geo.publish import fingerprint, mart_metadata, publish_geo_mart, published_fingerprint

CONTOURS_TI = "mart_ti_contours"
CONTOURS_COMMUNES = "mart_communes_contours"

DESCRIPTIONS_TI = {
    "id_ti": "Territory id",
    "lib_ti": "Territory name",
    "nb_communes": "Communes of the territory (mart_ti_composition)",
    "nb_communes_sans_contour": "Of which without a shape in the commune boundaries (left out of the outline)",
    "geometry": "Outline: union of the communes' shapes, slivers removed, simplified (WKB, OGC:CRS84)",
}
DESCRIPTIONS_COMMUNES = {
    "code_commune": "Commune code (COG of the boundaries)",
    "libelle_commune": "Commune name",
    "dans_un_territoire": "Whether the commune belongs to a territory (else: a neighbour, drawn faded)",
    "geometry": "Commune boundary, simplified (WKB, OGC:CRS84)",
}


@dg.multi_asset(
    name="contours",
    group_name="marts",
    specs=[
        dg.AssetSpec(
            CONTOURS_TI,
            deps=[dg.AssetKey(f"raw_{contours.SOURCE}"), dg.AssetKey("mart_ti_composition")],
            kinds={"parquet", "shapely"},
            description="One outline per territory, dissolved from its communes (GeoParquet, WKB, OGC:CRS84).",
        ),
        dg.AssetSpec(
            CONTOURS_COMMUNES,
            deps=[dg.AssetKey(f"raw_{contours.SOURCE}"), dg.AssetKey("mart_ti_composition")],
            kinds={"parquet", "shapely"},
            description="The communes of every territory and their neighbours, simplified, for the portraits' maps.",
        ),
    ],
)
def contours_marts(context: dg.AssetExecutionContext):
    paths = get_paths()
    fichier = contours.fichier_lake(paths.raw)
    empreinte = fingerprint(fichier, paths.marts / "mart_ti_composition")
    names = (CONTOURS_TI, CONTOURS_COMMUNES)
    if not forced(context.run.tags) and all(published_fingerprint(paths, n) == empreinte for n in names):
        for name in names:
            yield dg.MaterializeResult(
                asset_key=name,
                metadata={"skipped": True, "skipped_reason": "shapes, composition and code unchanged since the last build"},
            )
        return
    communes = contours.lire_communes(fichier)
    comp = pq.read_table(paths.marts / "mart_ti_composition", columns=["id_ti", "lib_ti", "code_commune"]).to_pylist()
    rows = [(r["id_ti"], r["lib_ti"], r["code_commune"]) for r in comp]
    territoires = contours.contours_territoires(rows, communes)
    carte = contours.communes_carte({r[2] for r in rows}, communes)
    sans = sum(territoires["nb_communes_sans_contour"].to_pylist())
    if sans:
        context.log.warning(f"{sans} communes of territories have no shape in {fichier}: left out of the outlines")
    for name, table, desc in ((CONTOURS_TI, territoires, DESCRIPTIONS_TI), (CONTOURS_COMMUNES, carte, DESCRIPTIONS_COMMUNES)):
        meta = mart_metadata(paths, (contours.SOURCE,), contours.geoparquet(table), empreinte)
        version = publish_geo_mart(paths, name, table, meta, desc)
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={
                "version": dg.MetadataValue.path(str(version)),
                "rows": dg.MetadataValue.int(table.num_rows),
                "communes_sans_contour": dg.MetadataValue.int(sans),
            },
        )
