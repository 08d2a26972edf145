"""The whole pipeline in live mode against a local HTTP server that serves the sample files at the
live URL paths (with a data.gouv.fr-like API), compared with sample mode: same marts.

Real sockets on 127.0.0.1, the real downloader, readers and assets; nothing reaches the internet
(every official host is rewritten to the local server by TI_MIRROR_URL, and the downloader's
allow-list refuses any other host).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import run_pipeline
from http_server import LocalServer
from test_pipeline import MARTS, read_mart
from ti_pipeline.config import Paths
from ti_pipeline.sources.catalog import SOURCES


@pytest.fixture
def live_server(monkeypatch, sample_run):
    server = LocalServer().start()
    try:
        env = server.publish_catalog(sample_run.sample_dir)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield server
    finally:
        server.stop()


def test_live_mode_gives_the_sample_marts(tmp_path, sample_run, live_server):
    assert run_pipeline(tmp_path, mode="live") == 0
    live = Paths(tmp_path, sample_run.sample_dir)

    for mart in MARTS:
        a = read_mart(sample_run, mart)
        b = read_mart(live, mart)
        keys = list(a.columns)
        a = a.sort_values(keys).reset_index(drop=True)
        b = b[keys].sort_values(keys).reset_index(drop=True)
        # sums of floats may be added in another order: equal to 1e-9, not bit for bit
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)

    # the Flores and Urssaf indicators have a value for every territory (the real codes and statuses
    # are read: no filter on a code the files do not use leaves them empty)
    ind = read_mart(live, "mart_ti_indicateurs")
    territories = set(ind["id_ti"])
    for code in ("postes_salaries_industrie", "part_industrie_emploi_salarie", "etab_employeurs_industrie",
                 "evol_emploi_ind_prive_1a", "evol_emploi_ind_prive_5a", "evol_emploi_ind_prive_10a"):
        with_value = set(ind.loc[(ind["code_indicateur"] == code) & ind["valeur"].notna(), "id_ti"])
        assert with_value == territories, (code, sorted(territories - with_value))

    # every file came through the downloader: cached with its manifest, from the local server
    for source in SOURCES:
        for release in source.releases:
            cached = tmp_path / "cache" / source.folder / str(release.millesime) / release.file_name
            manifest = json.loads(cached.with_name(cached.name + ".manifest.json").read_text())
            assert manifest["final_url"].startswith(live_server.base_url), manifest["final_url"]
    assert live_server.requests, "the local server saw no request"


def test_a_second_live_run_asks_the_server_and_rebuilds_nothing(tmp_path, sample_run, live_server, capsys):
    # Each raw step asks the server whether its file changed (the downloader's conditional GET):
    # unchanged files answer 304, nothing is downloaded again, every step keeps its output.
    assert run_pipeline(tmp_path, mode="live") == 0
    seen = len(live_server.requests)
    capsys.readouterr()
    from ti_pipeline.ingest.obtain import clear_memo

    clear_memo()  # a new command is a new process: nothing obtained yet
    assert run_pipeline(tmp_path, mode="live") == 0
    out = capsys.readouterr().out
    assert "\n0 rebuilt, " in "\n" + out and "Rebuilt (" not in out
    again = live_server.requests[seen:]
    assert again, "the server was asked"
    files = [r for r in again if not r["path"].startswith("/api/")]
    assert files and all("If-None-Match" in r["headers"] or "If-Modified-Since" in r["headers"] for r in files), (
        "every file is checked with a conditional request, none downloaded again"
    )


def test_ctrl_c_during_a_download_stops_the_run(tmp_path, sample_run, live_server):
    """SIGINT while a raw step waits on the network: the command stops within seconds (exit 130),
    no run is left unfinished, no step is retried (with a retry_policy on the asset, Dagster would
    retry an interrupted step a minute later and carry on), nothing downstream is built."""
    import os
    import subprocess
    import sys
    from urllib.parse import urlsplit

    import dagster as dg

    from http_server import delay
    from interrupts import ctrl_c_when
    from ti_pipeline.config import PROJECT_ROOT
    from ti_pipeline.sources.catalog import COG_COMMUNES

    path = urlsplit(COG_COMMUNES.releases[0].url).path  # in the second raw run, after the TI files
    live_server.queue(path, delay(25))  # under the downloader's 60 s read timeout: it just waits
    home = tmp_path / "dagster_home"
    env = {**os.environ, "TI_DATA_DIR": str(tmp_path), "TI_MODE": "live", "DAGSTER_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ti_pipeline.cli", "run", "--log-level", "WARNING"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    # once the step is inside the delayed request
    stopped_after = ctrl_c_when(proc, lambda: bool(live_server.hits(path)), wait_stop=20)
    assert proc.returncode == 130 and stopped_after < 20, proc.stdout.read()[-2000:]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert runs and all(r.is_finished for r in runs), [(r.run_id[:8], r.status) for r in runs]
        kinds = [e.dagster_event.event_type_value for r in runs for e in instance.all_logs(r.run_id) if e.dagster_event]
    assert "STEP_UP_FOR_RETRY" not in kinds
    assert not (tmp_path / "marts" / "mart_ti_indicateurs").exists()
