"""The Dagster UI: ``dagster dev -w workspace.yaml`` starts on localhost, and its GraphQL API lists the
assets (groups, kinds, descriptions, partitions), checks, automation, schedules and sensors.

The server runs in its own process group on a free port, with a temporary DAGSTER_HOME and data
folder; every wait is bounded and the whole group is stopped at the end, whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ti_pipeline.cli import LOCAL_INSTANCE_YAML
from ti_pipeline.config import PROJECT_ROOT
from ti_pipeline.sources.catalog import SOURCES

STARTUP_SECONDS = 180
QUERY = """
{
  workspaceOrError { ... on Workspace { locationEntries { name loadStatus
      locationOrLoadError { __typename ... on PythonError { message } } } } }
  assetNodes {
    assetKey { path } groupName kinds description isPartitioned partitionKeys
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
    automationCondition { label }
    metadataEntries { label }
  }
  repositoriesOrError { ... on RepositoryConnection { nodes {
    schedules { name cronSchedule scheduleState { status } }
    sensors { name scheduleState: sensorState { status } }
    jobs { name }
  } } }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, query: str, timeout: float = 30) -> dict:
    body = json.dumps({"query": query}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def stop(proc: subprocess.Popen) -> None:
    """Ctrl+C to the whole group (what dagster dev expects), then SIGKILL whatever lingers: the
    parent exits first and a code server of the group can outlive it."""
    pgid = proc.pid
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 10
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text(LOCAL_INSTANCE_YAML)  # the instance `ti-pipeline run` creates
    log = open(home / "dagster_dev.log", "w")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "TI_DATA_DIR": str(home / "data"), "TI_MODE": "sample"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"dagster dev exited with {proc.returncode}:\n{(home / 'dagster_dev.log').read_text()[-3000:]}")
            try:
                state = post(base + "/graphql", "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }", 5)
                entries = state["data"]["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError, TypeError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dagster dev not ready after {STARTUP_SECONDS} s:\n{(home / 'dagster_dev.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        stop(proc)
        log.close()
        text = re.sub(r"\x1b\[[0-9;]*m", "", (home / "dagster_dev.log").read_text())  # colours off
        errors = [line for line in text.splitlines() if " - ERROR - " in line]
        assert not errors, "\n".join(errors[:20])


def test_ui_lists_assets_checks_schedules_and_sensors(dagster_dev):
    answer = post(dagster_dev + "/graphql", QUERY)
    assert "errors" not in answer, answer.get("errors")
    data = answer["data"]

    (location,) = data["workspaceOrError"]["locationEntries"]
    assert location["name"] == "ti_pipeline" and location["locationOrLoadError"]["__typename"] == "RepositoryLocation"

    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    for source in SOURCES:
        assert source.asset_name in nodes
    assert {"mart_ti_indicateurs", "mart_ti_composition", "dim_indicateur", "release"} <= set(nodes)
    assert {n["groupName"] for n in nodes.values()} >= {"raw", "staging", "intermediate", "marts"}

    rp = nodes["raw_rp_emploi"]
    assert rp["isPartitioned"] and rp["partitionKeys"] == ["2022", "2021", "2020", "2019", "2016", "2011"]
    assert {"pandera", "parquet"} <= set(rp["kinds"]) and rp["description"]
    assert {"name": "lignes_valides", "blocking": True} in rp["assetChecksOrError"]["checks"]
    assert "dagster/column_schema" in {m["label"] for m in rp["metadataEntries"]}

    mart = nodes["mart_ti_indicateurs"]
    assert not mart["isPartitioned"] and mart["automationCondition"]["label"].startswith("eager")
    assert mart["assetChecksOrError"]["checks"], "the mart's data tests are checks"

    (repo,) = data["repositoriesOrError"]["nodes"]
    assert {s["name"]: s["cronSchedule"] for s in repo["schedules"]} == {"monthly_refresh": "0 6 3 * *"}
    sensors = {s["name"]: s["scheduleState"]["status"] for s in repo["sensors"]}
    assert sensors == {"source_release_sensor": "RUNNING", "downstream_automation": "RUNNING"}
    assert "rebuild_from_lake" in {j["name"] for j in repo["jobs"]}
