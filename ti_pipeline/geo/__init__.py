"""Commune boundaries and territory outlines: plain functions over shapely 2, no Dagster.

What belongs here: reading the commune shapes of the lake (``raw/communes_contours``, GeoJSON text
validated as a source), dissolving each territory from its communes, simplifying, the GeoParquet
metadata of the geometry marts and keeping them as audited builds for the next release (``contours``, ``marts``). The Dagster asset is
``ti_pipeline.defs.geo``; the portraits draw the maps from the published marts only.

Layer: above ``sql_runner`` (it keeps marts through ``sql_runner.builds`` and reads the latest
composition build), below ``portraits``. DuckDB spatial is not used: its extension does
not exist for the DuckDB 2.0 the project runs.
"""
