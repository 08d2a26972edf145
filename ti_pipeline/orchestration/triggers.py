"""What starts runs when nobody clicks: the monthly refresh, the source-release sensor, automation.

- ``monthly_refresh`` (schedule, the 3rd of each month at 06:00 Paris time, after Insee puts the
  monthly Sirene stock online on the 1st): the newest vintage of every partitioned source and
  every unpartitioned source, one run request per partitions definition and vintage. Past vintages
  do not change; backfill them on purpose.
- ``source_release_sensor`` (hourly, live mode only): polls every release's signal
  (``signals``) and requests the raw asset and vintage of each new release, nothing else. Its
  cursor holds the signals seen, so a release triggers once.
- ``downstream_automation``: evaluates the automation conditions (``policies``) of everything
  downstream of the raw sources, so SQL models, marts and the catalog follow a new raw vintage,
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

import dagster as dg

from ti_pipeline.config import get_mode
from ti_pipeline.orchestration.partitions import is_partitioned
from ti_pipeline.orchestration.plan import PlannedRun, newest_vintages, plan_source_runs
from ti_pipeline.orchestration.policies import RAW_GROUP
from ti_pipeline.orchestration.signals import (
    advance_cursor,
    decode_cursor,
    encode_cursor,
    new_releases,
    poll_release_signals,
)
from ti_pipeline.sources.catalog import SOURCES, get_source

# the name of Dagster's implicit asset job (a test pins it to Definitions.resolve_implicit_global_asset_job_def)
ASSET_JOB = "__ASSET_JOB"
MONTHLY_CRON = "0 6 3 * *"
TIMEZONE = "Europe/Paris"
RELEASE_POLL_SECONDS = 3600

DOWNSTREAM = dg.AssetSelection.all() - dg.AssetSelection.groups(RAW_GROUP)
# What automation updates: everything downstream, and the raw sources read for the SIRENs of other
# raw tables (Sirene, for the lauréats: ``policies``)
AUTOMATED = DOWNSTREAM | dg.AssetSelection.assets(*[s.asset_name for s in SOURCES if s.siren_filter])

REBUILD_FROM_LAKE_JOB = dg.define_asset_job(
    "rebuild_from_lake",
    selection=DOWNSTREAM,
    description="Rebuild every SQL model, mart and the DuckDB catalog from the raw lake as it is (no source is read). "
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
    description="Runs the SQL models, marts and catalog whose inputs changed, and Sirene when the lauréats "
    "changed (their automation conditions).",
)

JOBS = [REBUILD_FROM_LAKE_JOB]
SCHEDULES = [monthly_refresh]
SENSORS = [source_release_sensor, downstream_automation]

__all__ = [
    "ASSET_JOB",
    "DOWNSTREAM",
    "JOBS",
    "MONTHLY_CRON",
    "REBUILD_FROM_LAKE_JOB",
    "SCHEDULES",
    "SENSORS",
    "monthly_refresh",
    "monthly_refresh_requests",
    "release_requests",
    "source_release_sensor",
]
