"""Dagster assets and checks: thin edges over the plain functions of the other modules.

- ``raw``: one ``raw_<source>`` asset per catalog source, over ``ingest``;
- ``ingest``: obtain, read, validate and write the lake for a source's vintages (plain, no Dagster);
- ``raw_state``: whether a vintage's partition is what its file would make again (plain, no Dagster nor pandera).
- The SQL models of ``dbt_like_sql/`` become assets through ``ti_pipeline.sql_runner``.
"""
