"""kill -9 of the ``ti-pipeline run`` process while it builds the SQL models and at each moment of a
publication: readers see the previous release unchanged, and the next normal run publishes one
complete, consistent release.

The CLI runs in a child process started through a small wrapper that pauses it at the chosen
moment (it wraps one function of ``ti_pipeline`` to touch a marker file and sleep before going on):
the process, its Dagster instance, DuckDB and the file system are the real ones, and SIGKILL leaves
no chance to clean up, as a power cut or the OOM killer would.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ti_pipeline.config import PROJECT_ROOT, Paths
from ti_pipeline.releases import store

WRAPPER = textwrap.dedent("""
    import importlib, os, sys, time
    from pathlib import Path
    module, name = os.environ["PAUSE_AT"].rsplit(".", 1)
    target = importlib.import_module(module)
    original = getattr(target, name)
    def paused(*args, **kwargs):
        Path(os.environ["PAUSE_MARKER"]).touch()
        time.sleep(600)  # killed before this ends
        return original(*args, **kwargs)
    setattr(target, name, paused)
    from ti_pipeline.cli import main
    sys.exit(main(sys.argv[1:]))
""")

# (function paused, what the process was doing)
MOMENTS = {
    "ti_pipeline.sql_runner.builds.keep_candidate": "an audited mart about to be kept",
    "ti_pipeline.releases.store.link_tree": "a release being assembled in releases/.tmp-<id>",
    "ti_pipeline.releases.assemble.build_catalog": "a release renamed into place, catalog not written",
    "ti_pipeline.releases.store.write_manifest": "a release complete but for its manifest",
    "ti_pipeline.releases.store.make_current": "a complete release, not yet current",
}


def env_for(tmp_path: Path, **extra) -> dict:
    return {
        **os.environ, "TI_DATA_DIR": str(tmp_path / "data"), "TI_SAMPLE_DIR": str(tmp_path / "sample"),
        "TI_MODE": "sample", "DAGSTER_HOME": str(tmp_path / "data" / "dagster_home"), **extra,
    }


def published(data: Path) -> dict[str, str]:
    out = {}
    for name in ("marts", "portraits"):
        root = (data / name).resolve()
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            out[f"{name}/{f.relative_to(root)}"] = hashlib.sha256(f.read_bytes()).hexdigest()
    out["catalog.duckdb"] = hashlib.sha256((data / "catalog.duckdb").read_bytes()).hexdigest()
    return out


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ti_pipeline.cli", *args, "--log-level", "WARNING"],
                          env=env_for(tmp_path), capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def good_state(tmp_path_factory) -> Path:
    """A data folder after one good run, copied for each moment."""
    root = tmp_path_factory.mktemp("good")
    shutil.copytree(PROJECT_ROOT / "data" / "sample", root / "sample")
    done = cli(root, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    return root


@pytest.mark.parametrize("pause_at", list(MOMENTS), ids=[m.rsplit(".", 1)[1] for m in MOMENTS])
def test_kill_9_leaves_the_release_whole_and_the_next_run_publishes_a_consistent_one(good_state, tmp_path, pause_at):
    shutil.copytree(good_state, tmp_path, dirs_exist_ok=True, symlinks=True)
    data = tmp_path / "data"
    before, first = published(data), store.current_release(Paths(data, tmp_path / "sample"))
    script, marker = tmp_path / "wrapper.py", tmp_path / "paused"
    script.write_text(WRAPPER)
    proc = subprocess.Popen(
        [sys.executable, str(script), "run", "--force", "--log-level", "WARNING"],
        env=env_for(tmp_path, PAUSE_AT=pause_at, PAUSE_MARKER=str(marker)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert proc.poll() is None, f"the run ended before {MOMENTS[pause_at]}"
            assert time.monotonic() < deadline, f"never reached {MOMENTS[pause_at]}"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    paths = Paths(data, tmp_path / "sample")
    assert store.current_release(paths) == first, "a killed run changed the current release"
    assert published(data) == before, "readers see something else after the kill"

    again = cli(tmp_path, "run")
    assert again.returncode == 0, again.stdout + again.stderr
    current = store.current_release(paths)
    manifest = json.loads((current / store.MANIFEST).read_text())
    # every file the manifest lists is what readers open, with its sha256
    for resource in manifest["resources"]:
        for f in resource["ti:files"]:
            assert hashlib.sha256((current / f["path"]).read_bytes()).hexdigest() == f["sha256"]
            assert (data / f["path"]).resolve() == (current / f["path"]).resolve()
    listed = {p.name for p in store.release_dirs(paths)}
    on_disk = {p.name for p in paths.releases.iterdir() if p.name not in (store.CURRENT, store.PINS)}
    assert on_disk == listed, f"leftovers of the killed run: {sorted(on_disk - listed)}"
