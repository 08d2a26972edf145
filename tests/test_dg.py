"""The project is a `dg` project: `dg check defs` loads the one Definitions object the UI, the
schedule and `ti-pipeline run` use (``[tool.dg]`` in pyproject.toml), and `dg list defs` lists it.

A broken definition (a missing module, a bad asset) makes `dg check defs` fail: that is what the
first test checks; the second that dg and workspace.yaml name the same module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from ti_pipeline.config import PROJECT_ROOT

DG = Path(sys.executable).parent / "dg"


def _dg(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "TI_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir(exist_ok=True)
    return subprocess.run([str(DG), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not DG.exists() and not shutil.which("dg"), reason="dagster-dg-cli is not installed")
def test_dg_loads_and_lists_the_definitions(tmp_path):
    checked = _dg("check", "defs", tmp_path=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "All definitions loaded successfully" in checked.stdout + checked.stderr
    listed = _dg("list", "defs", tmp_path=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for name in ("raw_rp_emploi", "mart_ti_indicateurs", "release", "monthly_refresh", "source_release_sensor"):
        assert name in listed.stdout, name


def test_dg_and_the_workspace_name_the_same_code_location():
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    project = pyproject["tool"]["dg"]["project"]
    workspace = yaml.safe_load((PROJECT_ROOT / "workspace.yaml").read_text())["load_from"][0]["python_module"]
    assert project["code_location_target_module"] == workspace["module_name"] == pyproject["tool"]["dagster"]["module_name"]
    assert project["code_location_name"] == workspace["location_name"]
