"""Cross-cutting run policy, applied once where the Definitions are assembled.

- **Automation.** Every asset downstream of the raw sources (SQL models, marts, the DuckDB catalog,
  what reads the marts) updates when its inputs change: ``AutomationCondition.eager()`` (run when a
  dependency updated, none is missing or in progress), also when its code version changed (a SQL
  edit), and only when the blocking checks of its dependencies passed, so that a refused source
  file does not flow into the marts. Like eager, it does not build what was already missing when
  the condition was first evaluated: a new deployment starts from one full materialization
  (``ti-pipeline run``, or *Materialize all* in the UI). Raw sources have no condition: they are
  triggered by the monthly schedule, the release sensor, a backfill — except a source read for the
  SIRENs of other raw tables (the catalog's ``siren_filter``: Sirene, for the lauréats), which has
  the same condition, so that a new lauréats file brings their establishments in without
  waiting for the next monthly refresh.
- **Freshness** per source cadence: how old our copy of a source may get before the UI says so.
  Annual Insee releases: warn after a year, fail after 13 months; the monthly Sirene stock: warn
  after 32 days, fail after 40. Irregular sources (TI perimeters, lauréats) have no expectation.
- **Tags**: ``ti/cadence`` on raw assets (filter the UI by ``tag:ti/cadence=monthly``).
- **Retries** on network steps only: a raw asset whose download failed for a reason
  ``retry_allowed`` accepts requests a retry with ``NETWORK_RETRY``'s delays (backoff and jitter,
  minutes apart, on top of the downloader's own quick retries); everything else (a sample file
  missing, a schema drift, a bug) fails at once with ``Failure(allow_retries=False)``. Not a
  ``retry_policy`` on the assets: Dagster applies a step's policy to interrupts too, so Ctrl-C
  would wait minutes and run the step again instead of stopping.
- **Concurrency**: the DuckDB catalog writer runs in the ``duckdb_catalog`` pool; the instance
  limits the pool to one slot (``dagster.yaml``), so two runs never write the catalog at once.
- **Executor**: in process by default; multiprocess by ``TI_EXECUTOR`` or run config (``EXECUTOR``).

Not here: which assets exist (``definitions``), what they do (``assets``, ``sql_runner``).
"""

from __future__ import annotations

import os
from datetime import timedelta

import dagster as dg

from ti_pipeline.sources.catalog import get_source
from ti_pipeline.sources.download import DownloadError, HostNotAllowed

RAW_GROUP = "raw"
CATALOG_POOL = "duckdb_catalog"

_AC = dg.AutomationCondition
# AutomationCondition.eager() (without its latest-time-window clause: nothing downstream is
# time-partitioned), plus a changed code version (a model whose SQL changed runs again after a
# deploy, which eager alone ignores), and only once the upstream blocking checks passed.
DOWNSTREAM_AUTOMATION = (
    (_AC.newly_missing() | _AC.any_deps_updated() | _AC.code_version_changed()).since_last_handled()
    & ~_AC.any_deps_missing()
    & ~_AC.any_deps_in_progress()
    & ~_AC.in_progress()
    & _AC.all_deps_blocking_checks_passed()
).with_label("eager or code changed, once upstream blocking checks passed")

FRESHNESS_BY_CADENCE: dict[str, dg.FreshnessPolicy] = {
    "annual": dg.FreshnessPolicy.time_window(fail_window=timedelta(days=400), warn_window=timedelta(days=366)),
    "monthly": dg.FreshnessPolicy.time_window(fail_window=timedelta(days=40), warn_window=timedelta(days=32)),
    # a rolling file republished once a year with one more year (Urssaf "-last")
    "rolling": dg.FreshnessPolicy.time_window(fail_window=timedelta(days=400), warn_window=timedelta(days=366)),
}

# Minutes apart: for an outage or a rate limit, not a dropped connection (the downloader retries
# those itself, seconds apart). 1, 2, then 4 minutes, each +/- a random share.
NETWORK_RETRY = dg.RetryPolicy(max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

_RETRYABLE_STATUS = {408, 425, 429}


def retry_allowed(exc: BaseException) -> bool:
    """Whether a failed raw step may succeed if tried again later: the network failed (no answer,
    a cut connection, a timeout), or the server was overloaded or failing (429, 5xx). Not: a file
    that moved (404), a host outside the allow-list, an invalid file, a schema drift, a bug."""
    if not isinstance(exc, DownloadError) or isinstance(exc, HostNotAllowed):
        return False
    status = exc.status
    return status is None or status in _RETRYABLE_STATUS or (500 <= status < 600 and status not in (501, 505))


def with_policies(spec: dg.AssetSpec) -> dg.AssetSpec:
    """The policy of one asset, from its group and, for raw sources, the catalog's cadence."""
    if spec.group_name == RAW_GROUP:
        source = get_source(spec.key.to_user_string())
        return spec.replace_attributes(
            freshness_policy=spec.freshness_policy or FRESHNESS_BY_CADENCE.get(source.cadence),
            tags={**spec.tags, "ti/cadence": source.cadence},
            automation_condition=spec.automation_condition or (DOWNSTREAM_AUTOMATION if source.siren_filter else None),
        )
    return spec.replace_attributes(automation_condition=spec.automation_condition or DOWNSTREAM_AUTOMATION)


def apply_policies(assets: list[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    return list(dg.map_asset_specs(with_policies, assets))


def default_executor_config(env: dict | None = None) -> dict:
    """The executor of runs that do not choose one, from ``TI_EXECUTOR`` (``in_process``, the
    default, or ``multiprocess``) and ``TI_MAX_CONCURRENT`` (processes; default: the cores)."""
    env = os.environ if env is None else env
    kind = env.get("TI_EXECUTOR", "in_process").strip() or "in_process"
    if kind == "in_process":
        return {"in_process": {}}
    if kind == "multiprocess":
        limit = env.get("TI_MAX_CONCURRENT")
        return {"multiprocess": {"max_concurrent": int(limit)} if limit else {}}
    raise ValueError(f"TI_EXECUTOR must be in_process or multiprocess, got {kind!r}")


def _selectable_executor() -> dg.ExecutorDefinition:
    # Dagster's multi_or_in_process_executor, with the default taken from the environment instead
    # of always multiprocess. Measured on the sample, 2 cores: in process is several times faster
    # (README, "Executor"), as each step's own process re-imports the project for seconds while
    # most steps take a fraction of a second and DuckDB already uses every core. A bigger
    # deployment switches without code changes: TI_EXECUTOR=multiprocess on the code location, or
    # per run, run config `execution: {config: {multiprocess: {max_concurrent: 8}}}`.
    base = dg.multi_or_in_process_executor
    return dg.ExecutorDefinition(
        name="in_process_or_multiprocess",
        config_schema=dg.Field(base.config_schema.as_field().config_type, default_value=default_executor_config()),
        executor_creation_fn=base.executor_creation_fn,
        requirements=base.get_requirements,
        description="In process by default (measured faster for this project); multiprocess by TI_EXECUTOR or run config.",
    )


EXECUTOR = _selectable_executor()

__all__ = [
    "CATALOG_POOL",
    "DOWNSTREAM_AUTOMATION",
    "EXECUTOR",
    "FRESHNESS_BY_CADENCE",
    "NETWORK_RETRY",
    "RAW_GROUP",
    "apply_policies",
    "default_executor_config",
    "retry_allowed",
    "with_policies",
]
