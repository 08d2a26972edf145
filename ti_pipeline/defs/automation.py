"""Automation: how and when the assets run, decided once for the whole graph.

What belongs here: the cross-cutting run policy that ``definitions.py`` maps over every asset, and
what starts runs when nobody clicks (schedule, sensors, the rebuild job). Not here: which assets
exist and what they do (``defs.raw``, ``defs.sql``, ``defs.portraits``, ``defs.release``), whether a publisher put
out a new file (``ti_pipeline.ingest.signals``, plain), which runs a set of vintages needs
(``defs.plan``, plain).

Policy, applied once where the Definitions are assembled (``apply_policies``):

- **Automation.** Every asset downstream of the raw sources (SQL models, marts, the portraits, the
  release) updates when its inputs change: ``AutomationCondition.eager()`` (run when a
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
- **Concurrency**: the portraits and the release run in the ``release`` pool; the instance limits
  the pool to one slot (``dagster.yaml``), so two runs never build portraits or publish at once.
- **Executor**: in process by default; multiprocess by ``TI_EXECUTOR`` or run config (``EXECUTOR``).

What starts runs:

- ``monthly_refresh`` (schedule, the 3rd of each month at 06:00 Paris time, after Insee puts the
  monthly Sirene stock online on the 1st): the newest vintage of every partitioned source and
  every unpartitioned source, one run request per partitions definition and vintage. Past vintages
  do not change; backfill them on purpose.
- ``source_release_sensor`` (hourly, live mode only): polls every release's signal
  (``ti_pipeline.ingest.signals``) and requests the raw asset and vintage of each new release, nothing else. Its
  cursor holds the signals seen, so a release triggers once.
- ``downstream_automation``: evaluates the automation conditions (above) of everything
  downstream of the raw sources, so SQL models, marts, portraits and the release follow a new raw vintage,
  whichever way it arrived (schedule, sensor, UI backfill).
- ``rebuild_from_lake`` (job): every asset but the raw sources, from the lake as it is: what to
  launch after changing SQL, and the second half of ``ti-pipeline run``.

Runs for raw assets target Dagster's implicit asset job, the one the UI's Materialize button
launches: in Dagster 1.13 it is the only job that may hold assets with different partitions
definitions (each run still selects one of them), which a schedule or sensor covering every
source needs.

All three automations start RUNNING once a Dagster daemon runs (``dagster dev`` starts one); in
sample mode the sensor skips, it has nothing to poll.
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import dagster as dg

from ti_pipeline.config import get_mode
from ti_pipeline.defs.partitions import is_partitioned
from ti_pipeline.defs.plan import PlannedRun, newest_vintages, plan_source_runs
from ti_pipeline.ingest.signals import (
    advance_cursor,
    decode_cursor,
    encode_cursor,
    new_releases,
    poll_release_signals,
)
from ti_pipeline.sources.catalog import SOURCES, get_source
from ti_pipeline.sources.download import DownloadError, HostNotAllowed

RAW_GROUP = "raw"
RELEASE_POOL = "release"

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


# What starts runs: the schedule, the sensors, the rebuild job.

ASSET_JOB = "__ASSET_JOB"
MONTHLY_CRON = "0 6 3 * *"
TIMEZONE = "Europe/Paris"
RELEASE_POLL_SECONDS = 3600

DOWNSTREAM = dg.AssetSelection.all() - dg.AssetSelection.groups(RAW_GROUP)
# What automation updates: everything downstream, and the raw sources read for the SIRENs of other
# raw tables (Sirene, for the lauréats: ``DOWNSTREAM_AUTOMATION`` above)
AUTOMATED = DOWNSTREAM | dg.AssetSelection.assets(*[s.asset_name for s in SOURCES if s.siren_filter])

REBUILD_FROM_LAKE_JOB = dg.define_asset_job(
    "rebuild_from_lake",
    selection=DOWNSTREAM,
    description="Rebuild every SQL model, mart, the portraits and a new release from the raw lake as it is (no source is read). "
    "Launch it after a SQL change; `ti-pipeline run` runs it after the raw sources.",
    tags={"ti/trigger": "rebuild_from_lake"},
)


def run_request(run: PlannedRun, run_key: str, tags: dict[str, str]) -> dg.RunRequest:
    assert len(run.partitions) <= 1, "a run request names at most one vintage (per_vintage=True)"
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=[dg.AssetKey(a) for a in run.assets],
        partition_key=run.partitions[0] if run.partitions else None,
        tags=tags,
    )


def monthly_refresh_requests(stamp: str) -> list[dg.RunRequest]:
    """The run requests of the monthly refresh ``stamp`` (``YYYY-MM``): newest vintages."""
    runs = plan_source_runs(newest_vintages(SOURCES), per_vintage=True)
    return [run_request(r, f"{stamp}:{r.label}", {"ti/trigger": "monthly_refresh"}) for r in runs]


@dg.schedule(
    name="monthly_refresh",
    cron_schedule=MONTHLY_CRON,
    execution_timezone=TIMEZONE,
    job_name=ASSET_JOB,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Monthly refresh: the newest vintage of every source (downstream models follow by automation). "
    "On the 3rd, after the monthly Sirene stock of the 1st.",
)
def monthly_refresh(context: dg.ScheduleEvaluationContext):
    return monthly_refresh_requests(context.scheduled_execution_time.strftime("%Y-%m"))


def _is_materialized(instance: dg.DagsterInstance, source_name: str, millesime: int) -> bool:
    source = get_source(source_name)
    key = dg.AssetKey(source.asset_name)
    if is_partitioned(source):
        return str(millesime) in instance.get_materialized_partitions(key)
    return instance.get_latest_materialization_event(key) is not None


def release_requests(instance: dg.DagsterInstance, cursor: str | None, log=None) -> tuple[list[dg.RunRequest], str, dict[str, str]]:
    """Poll the release signals; returns the run requests of the new releases, the next cursor and
    the releases that could not be checked (key -> error)."""
    seen = decode_cursor(cursor)
    signals, errors = poll_release_signals(SOURCES, seen)
    fresh = new_releases(seen, signals, lambda s, m: _is_materialized(instance, s, m))
    selected: dict = {}
    for signal in fresh:
        selected.setdefault(get_source(signal.source), []).append(str(signal.millesime))
    requests = []
    for run in plan_source_runs(selected, per_vintage=True):
        names = [get_source(a).name for a in run.assets]
        why = [s for s in fresh if s.source in names and (not run.partitions or str(s.millesime) == run.partitions[0])]
        fingerprints = "; ".join(s.fingerprint for s in why)
        if log is not None:
            log.info(f"new release: {run.label} ({fingerprints})")
        # the run key names the release: the cursor already prevents a second request, the key
        # also holds if a tick is evaluated twice
        digest = hashlib.sha256(fingerprints.encode()).hexdigest()[:16]
        requests.append(run_request(run, f"{run.label}@{digest}", {"ti/trigger": "source_release", "ti/sources": ",".join(names)}))
    return requests, encode_cursor(advance_cursor(seen, signals)), errors


@dg.sensor(
    name="source_release_sensor",
    job_name=ASSET_JOB,
    minimum_interval_seconds=RELEASE_POLL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Hourly in live mode: checks each source's release signal (data.gouv.fr last_modified/checksum, "
    "HTTP ETag/Last-Modified) and materializes the raw asset and vintage of each new release.",
)
def source_release_sensor(context: dg.SensorEvaluationContext):
    if get_mode() != "live":
        return dg.SkipReason("TI_MODE is not live: the sample has no publisher to poll")
    requests, cursor, errors = release_requests(context.instance, context.cursor, log=context.log)
    for key, message in errors.items():
        context.log.warning(f"could not check {key}: {message}")
    skip = None
    if not requests:
        skip = "no new release" + (f"; could not check {len(errors)}: {', '.join(sorted(errors))}" if errors else "")
    return dg.SensorResult(run_requests=requests, cursor=cursor, skip_reason=skip)


downstream_automation = dg.AutomationConditionSensorDefinition(
    "downstream_automation",
    target=AUTOMATED,
    default_status=dg.DefaultSensorStatus.RUNNING,
    run_tags={"ti/trigger": "automation"},
    description="Runs the SQL models, marts, portraits and release whose inputs changed, and Sirene when the lauréats "
    "changed (their automation conditions).",
)

JOBS = [REBUILD_FROM_LAKE_JOB]
SCHEDULES = [monthly_refresh]
SENSORS = [source_release_sensor, downstream_automation]

__all__ = [
    "ASSET_JOB",
    "RELEASE_POOL",
    "DOWNSTREAM",
    "DOWNSTREAM_AUTOMATION",
    "EXECUTOR",
    "FRESHNESS_BY_CADENCE",
    "JOBS",
    "MONTHLY_CRON",
    "NETWORK_RETRY",
    "RAW_GROUP",
    "REBUILD_FROM_LAKE_JOB",
    "SCHEDULES",
    "SENSORS",
    "apply_policies",
    "default_executor_config",
    "monthly_refresh",
    "monthly_refresh_requests",
    "release_requests",
    "retry_allowed",
    "source_release_sensor",
    "with_policies",
]
