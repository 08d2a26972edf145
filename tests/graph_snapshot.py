"""A reviewable description of the whole Dagster graph, for the snapshot test (a test helper, not
pipeline code: nothing in ``ti_pipeline`` uses it).

Every asset with its group, kinds, dependencies, partitions, checks, automation, freshness, tags,
pool and retry policy; every job, schedule and sensor. ``tests/snapshots/asset_graph.json`` holds
the committed version; ``tests/test_orchestration_snapshot.py`` compares it with the live graph,
so that a change of the graph (a new model, a renamed check, a lost dependency) shows in review.
Update it on purpose with ``UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/test_orchestration_snapshot.py``.

Descriptions, metadata and code versions are left out: they change with every SQL edit and are
reviewed in their own files.
"""

from __future__ import annotations

from typing import Any

import dagster as dg


def _freshness(policy) -> str | None:
    if policy is None:
        return None
    fail = getattr(policy, "fail_window", None)
    warn = getattr(policy, "warn_window", None)
    if fail is not None:
        text = f"time_window fail {fail.to_timedelta().days}d"
        return text + (f", warn {warn.to_timedelta().days}d" if warn is not None else "")
    return type(policy).__name__


def _retry(policy) -> str | None:
    if policy is None:
        return None
    parts = [f"{policy.max_retries} retries", f"delay {policy.delay}s"]
    if policy.backoff:
        parts.append(f"backoff {policy.backoff.value}")
    if policy.jitter:
        parts.append(f"jitter {policy.jitter.value}")
    return ", ".join(parts)


def asset_entry(graph, key: dg.AssetKey) -> dict[str, Any]:
    node = graph.get(key)
    assets_def = node.assets_def
    op = assets_def.op if assets_def.is_executable else None
    checks = {
        k.name: ("blocking" if graph.get_check_spec(k).blocking else "non-blocking")
        for k in sorted(graph.asset_check_keys, key=lambda c: c.name)
        if k.asset_key == key
    }
    partitions = node.partitions_def
    return {
        "group": node.group_name,
        "kinds": sorted(node.kinds),
        "deps": sorted(k.to_user_string() for k in node.parent_keys),
        "partitions": list(partitions.get_partition_keys()) if partitions is not None else None,
        "backfill_policy": str(node.backfill_policy.policy_type.value) if node.backfill_policy else None,
        "checks": checks,
        "automation": node.automation_condition.get_label() if node.automation_condition else None,
        "freshness": _freshness(node.freshness_policy),
        "tags": {k: v for k, v in sorted(node.tags.items()) if not k.startswith("dagster/kind/")},
        "pool": op.pool if op is not None else None,
        "retry": _retry(op.retry_policy) if op is not None else None,
    }


def graph_snapshot(defs: dg.Definitions) -> dict[str, Any]:
    repo = defs.get_repository_def()
    graph = defs.resolve_asset_graph()
    keys = sorted(graph.materializable_asset_keys, key=lambda k: k.to_user_string())
    jobs = {}
    for job in sorted(repo.get_all_jobs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue  # Dagster's implicit asset job: every asset
        jobs[job.name] = sorted(k.to_user_string() for k in job.asset_layer.executable_asset_keys)
    schedules = {
        s.name: {
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "job": s.job_name,
            "default_status": s.default_status.value,
        }
        for s in sorted(repo.schedule_defs, key=lambda s: s.name)
    }
    sensors = {}
    for s in sorted(repo.sensor_defs, key=lambda s: s.name):
        entry = {
            "type": s.sensor_type.value,
            "minimum_interval_seconds": s.minimum_interval_seconds,
            "default_status": s.default_status.value,
        }
        if s.asset_selection is not None:
            entry["target"] = str(s.asset_selection)
        else:
            entry["job"] = s.job_name
        sensors[s.name] = entry
    return {
        "assets": {k.to_user_string(): asset_entry(graph, k) for k in keys},
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
        "executor": repo.get_implicit_global_asset_job_def().executor_def.name,
    }


__all__ = ["asset_entry", "graph_snapshot"]
