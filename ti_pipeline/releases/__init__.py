"""Releases: the marts of a refresh, with their catalog and portraits, published together or not at all.

What belongs here (no Dagster):
- ``assemble``: making a release from the audited builds, once every mart is up to date with the
  lake (``make_release``, ``ReleaseRefused``);
- ``store``: releases on disk, ``releases/current`` (the one atomic switch), keeping, pinning,
  rolling back, and the reader links ``data/marts``, ``data/portraits``, ``data/catalog.duckdb``;
- ``manifest``: ``datapackage.json``, a Frictionless Data Package describing every mart, source,
  check and the code version;
- ``catalog``: the release's read-only DuckDB catalog;
- ``diff``: what changed between two releases.

The Dagster asset is ``release`` (``ti_pipeline.defs.release``); the commands are
``ti-pipeline releases ...``.
"""
