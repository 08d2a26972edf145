"""Every Dagster definition of the project, one module per area; ``ti_pipeline.definitions`` assembles them.

- ``raw``: one ``raw_<source>`` asset per catalog source over ``ti_pipeline.ingest``, and the
  Dagster edge of validation (column schema, the ``lignes_valides`` / ``volume_attendu`` / ``colonnes_attendues`` checks);
- ``sql``: an asset per SQL model of ``dbt_like_sql/`` over ``ti_pipeline.sql_runner``, its data
  tests as asset checks, and the DuckDB catalog asset;
- ``portraits``: the ``portraits`` asset over ``ti_pipeline.portraits``;
- ``automation``: the run policy mapped over every asset (automation conditions, freshness, tags,
  network retries, the executor), the monthly schedule, the source-release sensor, the rebuild job;
- ``partitions`` and ``plan``: vintages as partitions, and which Dagster runs a set of vintages
  needs (plain data, shared by the schedule, the sensor and the CLI's ``ti_pipeline.launch``).

What belongs here: Dagster objects and the translation of plain results into Dagster events and
metadata; asset bodies stay thin. Not here: what an asset does (the packages named above), the
``Definitions`` object (``ti_pipeline.definitions``), launching runs (``ti_pipeline.launch``).

This ``__init__`` imports nothing, so that ``defs.plan`` is importable without Dagster.
"""
