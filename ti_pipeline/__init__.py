"""ti-pipeline: the data behind the portraits of the Territoires d'industrie.

Layout (see shared/DESIGN.md):
- ``sources``: the source catalog, downloader and readers (obtaining and opening files);
- ``validation``: pandera schemas built from the catalog, quarantine of bad rows;
- ``lake``: the Parquet lake (raw tables, rejects) and its provenance metadata;
- ``sql_runner``: the dbt_like_sql loader, DuckDB execution and write-audit-publish of marts;
- ``assets``: the Dagster assets and checks (thin wrappers around the above);
- ``definitions``: the one Definitions object;
- ``sample``: the deterministic generator of the synthetic sample (any scale).
"""

__version__ = "0.1.0"
