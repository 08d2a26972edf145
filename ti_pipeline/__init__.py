"""ti-pipeline: the data behind the portraits of the Territoires d'industrie.

Layout (see shared/DESIGN.md), lowest layer first; a module imports only from its own layer or
below (``tests/test_layout.py`` checks it):
- ``config``, ``lake``, ``publication``: settings and paths, the Parquet lake (raw tables, rejects)
  and its provenance metadata, the versioned-symlink publication of folders;
- ``sources``: the source catalog, the downloader, URL resolution and the format readers;
- ``validation``: pandera schemas built from the catalog, quarantine of bad rows (no Dagster);
- ``ingest``: obtaining a release's file, reading, validating and writing a source's vintages to
  the lake, and the release signals of the publishers (plain functions, no Dagster);
- ``sql_runner``: the dbt_like_sql loader, DuckDB execution and write-audit-publish of marts;
- ``portraits``: the HTML portraits, read from the published marts only;
- ``defs``: every Dagster definition (raw sources, SQL models, portraits, automation);
- ``definitions``: the one Definitions object, assembled from ``defs``;
- ``launch``, ``cli``, ``docs``, ``sample``: the command line and its run launching, the generated
  docs, the deterministic generator of the synthetic sample (any scale).
"""

__version__ = "0.1.0"
