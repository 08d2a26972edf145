"""Ingestion: a source's vintages from the publisher's file to the raw lake. Plain functions, no Dagster.

Modules:
- ``obtain``: the file of a release, from the embedded sample or downloaded into the cache, with
  its provenance (the one entry point to a source file, in sample and live mode);
- ``state``: whether a vintage's raw partition is what its file would make again (fingerprints);
- ``vintages``: obtain, read, validate and write a source's vintages (``ingest_vintages``), a
  vintage's partition replaced only when its blocking checks pass (stage, then promote);
- ``volume``: the rows of a vintage against the partition it would replace (``volume_attendu``);
- ``signals``: whether a publisher put out a new release since we last looked (the sensor's logic).

What belongs here: what the pipeline does with a source, step by step, as plain functions that a
Dagster asset (``ti_pipeline.defs.raw``), a benchmark peer or a script can call. Not here: what a
source is and how its bytes are fetched and parsed (``ti_pipeline.sources``), the rules a row must
pass (``ti_pipeline.validation``), the Dagster assets, checks and sensor (``ti_pipeline.defs``).
Nothing here imports Dagster.
"""
