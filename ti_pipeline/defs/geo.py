"""The geometry marts as one Dagster multi-asset: ``mart_ti_contours`` (one outline per territory)
and ``mart_communes_contours`` (the communes of the territories and their neighbours).

A thin edge over ``ti_pipeline.geo.marts.build_geo_marts``: it reads the lake's commune shapes
(``raw_communes_contours``) and the latest build of ``mart_ti_composition``, dissolves and simplifies
with shapely, and keeps both marts as audited builds (GeoParquet metadata), which the ``release``
publishes with the other marts. Both are rebuilt only when the shapes' lake file, the composition
build or the ``geo`` code changed (a fingerprint recorded in the marts), or in a run tagged ``ti/force``.
"""

import dagster as dg

from ti_pipeline.config import forced, get_paths
from ti_pipeline.geo import contours
from ti_pipeline.geo.marts import CONTOURS_COMMUNES, CONTOURS_TI, build_geo_marts


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
    built = build_geo_marts(get_paths(), force=forced(context.run.tags))
    if built.communes_sans_contour:
        context.log.warning(f"{built.communes_sans_contour} communes of territories have no shape in "
                            f"{built.shapes_file}: left out of the outlines")
    for name, build in built.builds.items():
        metadata = {"build": dg.MetadataValue.path(str(build))}
        if built.kept:
            metadata.update(skipped=True, skipped_reason="shapes, composition and code unchanged since the last build")
        else:
            metadata.update(rows=dg.MetadataValue.int(built.rows[name]),
                            communes_sans_contour=dg.MetadataValue.int(built.communes_sans_contour))
        yield dg.MaterializeResult(asset_key=name, metadata=metadata)
