"""The asset graph against its committed snapshot, so that graph changes show in review.

Every asset (group, kinds, dependencies, partitions, checks, automation, freshness, tags, pool,
retries), job, schedule and sensor is written to ``tests/snapshots/asset_graph.json``. When this
test fails, read the diff: if the change is intended (a new model, a new check...), update the
snapshot and commit it with the change:

    UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/test_orchestration_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def render(snapshot: dict) -> str:
    return json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"


def test_asset_graph_matches_the_snapshot():
    from ti_pipeline.definitions import defs
    from graph_snapshot import graph_snapshot

    current = render(graph_snapshot(defs))
    if os.environ.get("UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
        return
    if not SNAPSHOT.exists():
        pytest.fail(f"no snapshot at {SNAPSHOT}: create it with UPDATE_SNAPSHOT=1 .venv/bin/pytest {Path(__file__).name}")
    committed = SNAPSHOT.read_text(encoding="utf-8")
    if current != committed:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), current.splitlines(True), "committed", "current", n=2))
        pytest.fail(
            "the asset graph differs from tests/snapshots/asset_graph.json; if intended, run "
            "UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/test_orchestration_snapshot.py and commit the snapshot.\n" + diff[:8000]
        )


def test_snapshot_lists_the_orchestration():
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert snapshot["schedules"]["monthly_refresh"]["cron"] == "0 6 3 * *"
    assert set(snapshot["sensors"]) >= {"source_release_sensor", "downstream_automation"}
    assert "rebuild_from_lake" in snapshot["jobs"]
    assert snapshot["assets"]["raw_rp_emploi"]["partitions"] == ["2022", "2021", "2020", "2019", "2016", "2011"]
    assert snapshot["assets"]["release"]["pool"] == "release" and snapshot["assets"]["portraits"]["pool"] == "release"
