"""Orchestration: how and when the assets run (vintages, refresh plans, triggers, run policies).

Plain modules first, Dagster at the edges:

- ``partitions``: which sources are partitioned by vintage, their partitions, vintage ranges;
- ``plan``: which runs a refresh or a backfill needs (partitioned and unpartitioned assets cannot
  share a Dagster run), as plain data;
- ``signals``: the release signal of each source (data.gouv.fr ``last_modified``/checksum, HTTP
  ETag/Last-Modified) and the cursor logic that says which releases are new;
- ``policies``: cross-cutting policy applied once where the Definitions are assembled: automation
  conditions, freshness per cadence, tags, network retries, the executor;
- ``triggers``: the monthly refresh schedule and the source-release sensor (Dagster edge);
- ``refresh``: a plan's Dagster runs on the instance, one after the other, and what each step did
  (``ti-pipeline run`` and ``ti-pipeline backfill``);
- ``snapshot``: a reviewable description of the whole graph (the snapshot test).

Not here: what an asset does (``ti_pipeline.assets``, ``ti_pipeline.sql_runner``), HTTP
(``ti_pipeline.sources.download``).
"""
