"""``ti-pipeline run`` as a user meets it when something goes wrong, in real processes.

Exit codes (README, "Running and backfilling"; docs/operations.md, "When a run fails"): 0 done, 1 something failed or was blocked, 2 a setting or
a path is wrong (nothing run), 3 another command holds the data folder. A wrong setting or path is
one line naming it, without a traceback; a full disk met inside a step (a real, tiny tmpfs: root
only) is one line naming the data folder; a bad value in a source names its source, file, column,
rule, value and rejects file. Two commands on one data folder: the second refuses (naming the
holder) or, with ``--wait``, waits. After ``kill -9`` of the command during ingestion, the next run
marks the dead run failed, removes what it left and gives the lake and marts of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from interrupts import signal_when
from ti_pipeline.config import PROJECT_ROOT, Paths
from ti_pipeline.recovery import recover, temporary_paths
from ti_pipeline.run_lock import LOCK_NAME
from ti_pipeline.sources.catalog import get_source, sample_path


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TI_", "DAGSTER_"))}
    env.update(TI_DATA_DIR=str(root / "data"), TI_SAMPLE_DIR=str(root / "sample"), TI_MODE="sample",
               DAGSTER_HOME=str(root / "data" / "dagster_home"))
    env.update(extra)
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ti_pipeline.cli", *(args or ("run",))]


def _ti(root: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(*args), env=_env(root, **extra), capture_output=True, text=True, timeout=600)


def _sample(root: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "data" / "sample", root / "sample")
    return root


def _rows(folder: Path) -> dict[str, list]:
    """The rows of every Parquet file under ``folder``, published marts through their symlinks
    (sorted; floats rounded: sums of parallel SQL differ in the last bits; not the bytes, which
    carry times)."""
    import duckdb

    out = {}
    for top in sorted(folder.iterdir()):
        if top.name.startswith("."):
            continue
        for f in sorted(top.resolve().rglob("*.parquet")) if top.is_dir() else []:
            rows = duckdb.sql(f"select * from read_parquet('{f}')").fetchall()
            rounded = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]
            out[f"{top.name}/{f.relative_to(top.resolve())}"] = sorted(rounded, key=repr)
    return out


def _unfinished_runs(root: Path) -> list:
    with dg.DagsterInstance.from_config(str(root / "data" / "dagster_home")) as instance:
        return [r for r in instance.get_runs() if r.status not in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The lake and marts of one uninterrupted run of the sample."""
    root = _sample(tmp_path_factory.mktemp("reference"))
    done = _ti(root)
    assert done.returncode == 0, done.stderr
    assert "OK: 0 problem(s), 6 warning(s)." in done.stdout, "the ref_programme warnings are counted"
    return {"lake": _rows(root / "data" / "lake"), "marts": _rows(root / "data" / "marts")}


# ------------------------------------------------------------------------------------------------
# A setting, a path, a full disk: one line
# ------------------------------------------------------------------------------------------------
def test_an_invalid_setting_is_one_line_naming_it_and_its_values(tmp_path):
    done = _ti(_sample(tmp_path), TI_INDUSTRY_SCOPE="XY")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "TI_INDUSTRY_SCOPE" in lines[0] and "'BE'" in lines[0] and "'C'" in lines[0] and "'XY'" in lines[0]
    assert not (tmp_path / "data" / "dagster_home").exists(), "nothing was run"


def test_a_data_folder_that_cannot_be_created_is_one_line_naming_it(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    data = tmp_path / "a_file" / "data"  # fails for root too, unlike a chmod
    done = _ti(_sample(tmp_path), TI_DATA_DIR=str(data))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"TI_DATA_DIR={data}" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def _tmpfs(mount: Path, options: str):
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.fixture()
def tiny_disk(tmp_path):
    """A real 256 KiB tmpfs (the sample's lake needs about 2 MB): root only."""
    yield from _tmpfs(tmp_path / "disk", "size=256k")


@pytest.fixture()
def read_only_disk(tmp_path):
    """A real read-only tmpfs: writing there fails for root too, unlike a chmod."""
    yield from _tmpfs(tmp_path / "ro", "ro,size=64k")


def test_a_read_only_data_folder_is_one_line_naming_it(tmp_path, read_only_disk):
    done = _ti(_sample(tmp_path), TI_DATA_DIR=str(read_only_disk / "data"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"TI_DATA_DIR={read_only_disk / 'data'}" in lines[0] and "read-only file system" in lines[0]


def test_os_errors_as_python_and_duckdb_word_them_become_one_line():
    from ti_pipeline.user_errors import explain

    denied = PermissionError(13, "Permission denied", "/srv/ti/lake/raw/x/.tmp_data.parquet.1")
    assert explain(f"Failure: {denied}") == (
        "/srv/ti/lake/raw/x/.tmp_data.parquet.1: permission denied: give the user running ti-pipeline write access, "
        "or point TI_DATA_DIR elsewhere")
    assert explain("IO Error: Could not write file: No space left on device", Path("/srv/ti")).startswith(
        "in the data folder /srv/ti (TI_DATA_DIR): no space left on the device")
    assert explain("ValueError: TI_INDUSTRY_SCOPE must be one of ('BE', 'C')") is None


def test_a_full_disk_inside_the_steps_is_one_line_naming_the_data_folder(tmp_path, tiny_disk):
    _sample(tmp_path)
    env = {"TI_DATA_DIR": str(tiny_disk), "DAGSTER_HOME": str(tmp_path / "home")}
    done = _ti(tmp_path, **env)
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert "Traceback" not in out and "Stack Trace" not in out, out
    full = [line for line in done.stderr.splitlines() if "no space left on the device" in line]
    assert len(full) == 1 and f"data folder {tiny_disk} (TI_DATA_DIR)" in full[0], done.stderr
    assert "step raw_" in full[0]
    assert done.stdout.rstrip().endswith("exit code 1; --debug shows the tracebacks.")

    debug = _ti(tmp_path, "run", "--debug", **env)
    assert debug.returncode == 1
    assert "Stack Trace" in debug.stdout + debug.stderr and "No space left on device" in debug.stderr


# ------------------------------------------------------------------------------------------------
# Data problems: named, counted
# ------------------------------------------------------------------------------------------------
def test_a_bad_commune_code_names_column_value_and_rejects_file_and_a_warning_is_counted(tmp_path):
    _sample(tmp_path)
    communes = get_source("ti_communes")  # no rejected row allowed: blocks
    path = sample_path(tmp_path / "sample", communes, communes.releases[0])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '"ABCDE"' + lines[1][lines[1].index(","):]
    path.write_text("".join(lines), encoding="utf-8")
    urssaf = get_source("urssaf_ape")  # 1 % allowed: one bad row is a warning
    upath = sample_path(tmp_path / "sample", urssaf, urssaf.releases[0])
    text = upath.read_text(encoding="utf-8")
    assert ";200042935;01011;1071D;" in text  # code_epci;code_commune;code_ape of the first row
    upath.write_text(text.replace(";200042935;01011;1071D;", ";200042935;ZZ999;1071D;", 1), encoding="utf-8")

    done = _ti(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    problems = done.stderr[done.stderr.index("Problems (1):"):]
    # the vintage is blocked: its partition and rejects stay those of the last good file, the blocked
    # attempt's rejects are in lake/blocked/ (stage, then promote)
    rejects = tmp_path / "data" / "lake" / "blocked" / "ti_communes" / "millesime=2024" / "rejects.parquet"
    for said in ("raw_ti_communes: lignes_valides", "source ti_communes", f"file {path.name!r}", "millésime 2024",
                 "1 of 325 rows rejected", "column insee_com, rule pattern: 1 row(s), e.g. 'ABCDE'", str(rejects)):
        assert said in problems, f"{said!r} not in {problems}"
    assert "ABCDE" in str(pq.read_table(rejects).to_pylist())

    warnings = done.stdout[done.stdout.index("Warnings (1):"):]
    assert "raw_urssaf_ape: lignes_valides — source urssaf_ape" in warnings and "'ZZ999'" in warnings, warnings
    assert "FAILED: 1 problem(s), 1 warning(s); exit code 1" in done.stdout


def test_a_failed_data_test_exits_1_and_names_the_failing_rows(tmp_path):
    """A duplicated row of the TI communes file (the issue's case that exited 0)."""
    _sample(tmp_path)
    communes = get_source("ti_communes")
    path = sample_path(tmp_path / "sample", communes, communes.releases[0])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines) + lines[1], encoding="utf-8")
    code = lines[1].split(",")[0].strip('"')
    done = _ti(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    problems = done.stderr[done.stderr.index("Problems ("):]
    assert code in problems, problems  # as a failing row of a data test, or a rejected value


# ------------------------------------------------------------------------------------------------
# Two commands at once; kill -9; what recovery removes
# ------------------------------------------------------------------------------------------------
def _holds_lock(root: Path, proc: subprocess.Popen) -> bool:
    try:
        return json.loads((root / "data" / LOCK_NAME).read_text() or "{}").get("pid") == proc.pid
    except (OSError, ValueError):
        return False


def test_a_second_run_on_the_same_data_folder_refuses_or_waits(tmp_path, reference):
    _sample(tmp_path)
    first = subprocess.Popen(_command(), env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not _holds_lock(tmp_path, first) and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        assert _holds_lock(tmp_path, first), "the first command never took the lock"
        refused = _ti(tmp_path)
        assert refused.returncode == 3 and refused.stdout == ""
        assert f"pid {first.pid}" in refused.stderr and "ti-pipeline run" in refused.stderr and "--wait" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        waiting = subprocess.Popen(_command("run", "--wait"), env=_env(tmp_path), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        out, err = waiting.communicate(timeout=600)
        assert first.wait(timeout=600) == 0, first.stderr.read()
        assert waiting.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
    assert f"waiting for the other command using {tmp_path / 'data'} to end (pid {first.pid}" in out
    assert " 0 rebuilt, " in out, "the second found everything done by the first"
    assert _unfinished_runs(tmp_path) == []
    assert _rows(tmp_path / "data" / "lake") == reference["lake"], "no duplicate or missing rows"
    assert _rows(tmp_path / "data" / "marts") == reference["marts"]


def test_after_kill_9_during_ingestion_the_next_run_recovers_and_completes(tmp_path, reference):
    _sample(tmp_path)
    proc = subprocess.Popen(_command(), env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    raw = tmp_path / "data" / "lake" / "raw"
    signal_when(proc, lambda: any(raw.rglob("*.parquet")), signal.SIGKILL, settle=0, whole_group=False)
    assert proc.returncode == -signal.SIGKILL
    left = _unfinished_runs(tmp_path)
    assert left and all(r.status == dg.DagsterRunStatus.STARTED for r in left), "the killed run is left STARTED"

    done = _ti(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"ti-pipeline: recovery: marked {len(left)} run(s) of a killed command failed ({left[0].run_id[:8]}" in done.stdout
    assert _unfinished_runs(tmp_path) == []
    with dg.DagsterInstance.from_config(str(tmp_path / "data" / "dagster_home")) as instance:
        assert all(instance.get_run_by_id(r.run_id).status == dg.DagsterRunStatus.FAILURE for r in left)
    paths = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "sample")
    assert temporary_paths(paths) == []
    assert _rows(tmp_path / "data" / "lake") == reference["lake"]
    assert _rows(tmp_path / "data" / "marts") == reference["marts"]


def test_recovery_removes_the_temporary_files_of_our_writers_and_nothing_else(tmp_path):
    paths = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "data" / "sample")
    hexa = "0123456789abcdef" * 2
    temporary = [
        f"lake/raw/rp_emploi/millesime=2021/.tmp_data.parquet.{hexa}",
        f"lake/rejects/rp_emploi/millesime=2021/.tmp_rejects.parquet.{hexa}",
        f"cache/.tmp_sha256.json.123.456",
        f"builds/marts/.tmp/mart_ti_portrait-{hexa}",
        f"builds/portraits/.tmp-{hexa}",
        f"lake/intermediate/.candidate_int_communes.parquet.{hexa}",
        f"releases/.tmp-20991231T000000000000Z-{hexa[:8]}",
        f"releases/20991231T000000000000Z-{hexa[:8]}",  # renamed into place, no manifest yet
        f"releases/r1/.catalog.duckdb.{hexa}.tmp",
        f"releases/r1/.catalog.duckdb.{hexa}.tmp.wal",
        f"releases/r1/.datapackage.json.{hexa}",
        f".marts.link-{hexa}",
        "builds/portraits/state.json.tmp",
        ".duckdb_tmp/duckdb_temp_storage-0.tmp",
    ]
    kept = ["lake/raw/rp_emploi/millesime=2021/data.parquet", "builds/marts/mart_ti_portrait/v1/part.parquet",
            "releases/r1/datapackage.json", "releases/r1/marts/mart_ti_portrait/data.parquet",
            f"sample/.tmp_not_ours", f"dagster_home/.tmp_{hexa}", LOCK_NAME]
    for name in temporary + kept:
        target = paths.data_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(f"mart_ti_portrait-{hexa}") or "/.tmp-" in name or name.startswith("releases/2099"):
            target.mkdir()
            (target / "part.parquet").write_text("half written")
        elif ".link-" in name:
            target.symlink_to("releases/r1/marts")
        else:
            target.write_text("x")
    with dg.DagsterInstance.ephemeral() as instance:
        recovered = recover(instance, paths)
    assert sorted(str(p.relative_to(paths.data_dir)) for p in recovered.removed) == sorted(temporary)
    assert not any((paths.data_dir / name).exists() or (paths.data_dir / name).is_symlink() for name in temporary)
    assert all((paths.data_dir / name).exists() for name in kept)
    assert (paths.builds / "marts" / ".tmp").is_dir() and (paths.data_dir / ".duckdb_tmp").is_dir(), "the folders stay"
    assert recovered.line() == "ti-pipeline: recovery: removed 14 temporary file(s) or folder(s) it left"


def test_recovery_marks_only_this_folders_cli_runs_and_keeps_temp_files_while_a_ui_run_is_in_progress(tmp_path):
    paths = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "sample")
    candidate = paths.builds / "marts" / ".tmp" / f"mart_ti_portrait-{'0' * 32}"
    candidate.mkdir(parents=True)

    def run(letter: str, **tags: str) -> dg.DagsterRun:
        return dg.DagsterRun(job_name="rebuild_from_lake", run_id=f"{letter * 8}-0000-0000-0000-000000000000",
                             status=dg.DagsterRunStatus.STARTED, tags=tags)

    with dg.DagsterInstance.ephemeral() as instance:
        ours = instance.add_run(run("a", **{"ti/trigger": "cli", "ti/data_dir": str(paths.data_dir)}))
        other_folder = instance.add_run(run("b", **{"ti/trigger": "cli", "ti/data_dir": str(tmp_path / "elsewhere")}))
        scheduled = instance.add_run(run("c", **{"dagster/schedule_name": "monthly_refresh"}))
        recovered = recover(instance, paths)
        status = {r.run_id: instance.get_run_by_id(r.run_id).status for r in (ours, other_folder, scheduled)}
    assert recovered.runs == [ours.run_id] and recovered.removed == [] and recovered.kept_for == scheduled.run_id
    assert status == {ours.run_id: dg.DagsterRunStatus.FAILURE, other_folder.run_id: dg.DagsterRunStatus.STARTED,
                      scheduled.run_id: dg.DagsterRunStatus.STARTED}
    assert candidate.is_dir(), "a run of the schedule may be writing it"
    assert "kept the temporary files: run cccccccc" in recovered.line()
