"""Production on a real PostgreSQL: the sample refresh with ``docs/dagster.production.yaml``.

A private PostgreSQL cluster (``initdb``/``pg_ctl`` of the Debian package ``postgresql``; ``.ci/run``
installs it when it may) is started on a free port for this test: under a temporary folder, as
the invoking user, or as the ``postgres`` system user when that is root (PostgreSQL refuses to run
as root). ``ti-pipeline run --executor multiprocess`` then runs the sample refresh with the
production ``dagster.yaml`` as the instance (``DAGSTER_PG_*`` pointing at that cluster): every run
must be recorded in PostgreSQL, successful, and the marts published. Skipped, saying why, when the
PostgreSQL binaries are not installed. Slow (a process per step): about two minutes.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ti_pipeline.config import PROJECT_ROOT

PRODUCTION_YAML = PROJECT_ROOT / "docs" / "dagster.production.yaml"
DB_USER, DB_PASSWORD, DB_NAME = "dagster", "dagster", "ti_dagster"


def _pg_bin() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: on PATH, or Debian's ``/usr/lib/postgresql/<v>/bin``."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in ``folder``, run by ``user`` (None: this process's user)."""

    def __init__(self, bin_dir: Path, folder: Path, user: str | None):
        self.bin_dir, self.folder, self.user = bin_dir, folder, user
        self.data, self.port = folder / "data", _free_port()

    def _cmd(self, *args: str) -> list[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        return ["runuser", "-u", self.user, "--", *command] if self.user else command

    def run(self, *args: str) -> None:
        done = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{' '.join(args[:2])}: {done.stdout[-2000:]}{done.stderr[-2000:]}"

    def start(self) -> None:
        pwfile = self.folder / "pw"
        pwfile.write_text(DB_PASSWORD + "\n")
        if self.user:
            shutil.chown(pwfile, self.user)
        self.run("initdb", "-D", str(self.data), "-U", DB_USER, "--pwfile", str(pwfile), "-A", "scram-sha-256",
                 "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
                       capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def postgres():
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (Debian package `postgresql`: initdb and pg_ctl); .ci/run installs it as root")
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: the package's own system user runs it
        try:
            user = pwd.getpwnam("postgres").pw_name
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        if not shutil.which("runuser"):
            pytest.skip("running as root without `runuser` to start PostgreSQL as the `postgres` user")
    # not under pytest's tmp_path: its parents are private to this user, and the server's user must reach it
    folder = Path(tempfile.mkdtemp(prefix="ti-postgres-"))
    if user:
        shutil.chown(folder, user)
    cluster = Cluster(bin_dir, folder, user)
    try:
        cluster.start()
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=cluster.port, user=DB_USER, password=DB_PASSWORD, dbname="postgres")
        con.autocommit = True  # CREATE DATABASE runs outside a transaction
        con.cursor().execute(f"create database {DB_NAME}")
        con.close()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_the_sample_refresh_on_postgresql_with_a_process_per_step(postgres, tmp_path):
    import psycopg2

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PRODUCTION_YAML, home / "dagster.yaml")  # the very file the README documents
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TI_", "DAGSTER_"))}
    env.update(
        DAGSTER_HOME=str(home), TI_DATA_DIR=str(tmp_path / "data"), TI_MODE="sample",
        DAGSTER_PG_HOST="127.0.0.1", DAGSTER_PG_PORT=str(postgres.port), DAGSTER_PG_DB=DB_NAME,
        DAGSTER_PG_USERNAME=DB_USER, DAGSTER_PG_PASSWORD=DB_PASSWORD,
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ti_pipeline.cli", "run", "--executor", "multiprocess", "--log-level", "WARNING"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "executor=multiprocess" in done.stdout and "0 unchanged and kept" in done.stdout
    assert (home / "dagster.yaml").read_text() == PRODUCTION_YAML.read_text(), "an operator's dagster.yaml is never touched"
    assert not list(home.glob("**/*.db")), "no SQLite storage beside PostgreSQL"

    with psycopg2.connect(host="127.0.0.1", port=postgres.port, user=DB_USER, password=DB_PASSWORD, dbname=DB_NAME) as con:
        cur = con.cursor()
        cur.execute("select status, count(*) from runs group by status")
        statuses = dict(cur.fetchall())
        cur.execute("select count(*) from event_logs where dagster_event_type = 'STEP_START'")
        (steps,) = cur.fetchone()
        cur.execute("select count(distinct asset_key) from asset_keys")
        (assets,) = cur.fetchone()
    # seven raw runs (one per partitions definition: the census historical series, RP 2022 alone, adds
    # one, and rp_emploi's vintages 2011-2022, apart from rp_population's, another) and the downstream run
    assert statuses == {"SUCCESS": 8}, statuses
    assert steps > 5, "several steps per run, each in its own process"
    assert assets >= 50
    marts = tmp_path / "data" / "marts"
    assert {"mart_ti_indicateurs", "mart_ti_portrait", "dim_indicateur"} <= {p.name for p in marts.iterdir()}
    assert all((marts / m).resolve().is_dir() for m in ("mart_ti_indicateurs", "mart_ti_portrait"))
    print(f"sample refresh on PostgreSQL, multiprocess: {time.perf_counter() - started:.0f} s")
