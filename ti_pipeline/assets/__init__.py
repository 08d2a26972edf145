"""Dagster assets and checks: thin edges over the plain functions of the other modules.

- ``raw``: one ``raw_<source>`` asset per catalog source (obtain, read, validate, write the lake).
- The SQL models of ``dbt_like_sql/`` become assets through ``ti_pipeline.sql_runner``.
"""
