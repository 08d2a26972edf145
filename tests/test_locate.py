"""Live location (catalog URLs, the data.gouv.fr API, configured URLs, mirrors) and ``obtain`` in
both modes, against a real local HTTP server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from http_server import datagouv_resource, html_page, local_server, mirrored, status  # noqa: F401 - fixtures
from ti_pipeline.config import Paths
from ti_pipeline.sources import catalog
from ti_pipeline.sources.download import DownloadError, DownloadSettings, RetryPolicy, read_manifest
from ti_pipeline.sources.locate import (
    OFFICIAL_HOSTS,
    LocateError,
    SourceUnavailable,
    allowed_hosts,
    locate,
    mirror_url,
    pick_resource,
)
from ti_pipeline.ingest.obtain import SampleMissing, clear_memo, obtain

FAST = DownloadSettings(connect_timeout=2.0, read_timeout=1.0, retry=RetryPolicy(attempts=3, backoff=0.01, jitter=0.0))
TI_COM = catalog.TI_COMMUNES
TI_REL = TI_COM.releases[0]
SLUG = "programme-territoires-dindustrie"
API = f"/api/1/datasets/{SLUG}/"


@pytest.fixture(autouse=True)
def _fresh_memo():
    clear_memo()
    yield
    clear_memo()


def fake_sample(root: Path, sources=catalog.SOURCES) -> Path:
    """A sample directory with a small distinct file per release (the downloader does not parse)."""
    for s in sources:
        for r in s.releases:
            p = catalog.sample_path(root, s, r)
            p.parent.mkdir(parents=True, exist_ok=True)
            if not p.exists():
                p.write_bytes(f"{s.folder}/{r.millesime}/{r.file_name}\n".encode() * 50)
    return root


def ti_resources(*names: str) -> list[dict]:
    return [
        datagouv_resource(n, f"https://static.data.gouv.fr/resources/{SLUG}/x/{n}", n.encode())
        for n in names
    ]


# ------------------------------------------------------------------------------------------------
# Mirrors and allow-list
# ------------------------------------------------------------------------------------------------
def test_mirror_url_keeps_path_query_and_prefix(monkeypatch):
    urssaf = catalog.URSSAF_APE.releases[0].url
    monkeypatch.setenv("TI_MIRROR_URL", "http://127.0.0.1:8765/mirror/")
    assert mirror_url(urssaf) == (
        "http://127.0.0.1:8765/mirror/api/explore/v2.1/catalog/datasets/"
        "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last/exports/csv?delimiter=%3B"
    )
    # A per-host mirror wins over the global one; other hosts keep the global one.
    monkeypatch.setenv("TI_MIRROR_WWW_INSEE_FR", "http://insee-mirror.local")
    assert mirror_url("https://www.insee.fr/fr/x.zip") == "http://insee-mirror.local/fr/x.zip"
    assert mirror_url("https://unpkg.com/a.json").startswith("http://127.0.0.1:8765/mirror/")
    # Unknown hosts are never rewritten.
    assert mirror_url("https://example.org/a") == "https://example.org/a"
    assert {"127.0.0.1", "insee-mirror.local"} <= allowed_hosts()


def test_official_hosts_cover_the_catalog():
    assert {"www.insee.fr", "www.data.gouv.fr", "static.data.gouv.fr", "object.files.data.gouv.fr", "open.urssaf.fr", "unpkg.com"} <= OFFICIAL_HOSTS


def test_catalog_url_release(mirrored):
    rel = catalog.FLORES_A38.releases[0]
    loc = locate(catalog.FLORES_A38, rel)
    assert loc.method == "catalog" and loc.official_url == rel.url
    assert loc.url == mirrored.base_url + "/fr/statistiques/fichier/8266010/DS_FLORES_A38_2024_CSV_FR.zip"


# ------------------------------------------------------------------------------------------------
# data.gouv.fr
# ------------------------------------------------------------------------------------------------
def test_datagouv_resource_is_resolved_through_the_api(mirrored):
    resources = ti_resources("liste-ti-com2023-20231114.csv", "liste-ti-com2023-20240704.csv", "liste-ti-grpt2023-20240704.csv", "liste-ti-20240704.csv")
    mirrored.set_dataset(SLUG, resources)
    loc = locate(TI_COM, TI_REL, settings=FAST)
    assert loc.method == "datagouv"
    assert loc.official_url == f"https://static.data.gouv.fr/resources/{SLUG}/x/liste-ti-com2023-20240704.csv"
    assert loc.url == mirrored.url(f"/resources/{SLUG}/x/liste-ti-com2023-20240704.csv")
    assert loc.resource["id"] == resources[1]["id"]
    assert loc.resource["checksum"] == {"type": "sha1", "value": hashlib.sha1(b"liste-ti-com2023-20240704.csv").hexdigest()}
    assert loc.resource["last_modified"] == resources[1]["last_modified"]
    assert len(mirrored.hits(API)) == 1
    # The territory list pattern does not swallow the commune or groupement files.
    terr = locate(catalog.TI_TERRITOIRES, catalog.TI_TERRITOIRES.releases[0], settings=FAST)
    assert terr.resource["title"] == "liste-ti-20240704.csv"


def test_newest_date_group_wins_and_file_name_matches_when_title_is_free_text():
    resources = ti_resources("liste-ti-com2023-20240704.csv", "liste-ti-com2023-20250301.csv", "liste-ti-com2023-20231114.csv")
    assert pick_resource(TI_COM, resources)["title"] == "liste-ti-com2023-20250301.csv"
    r = ti_resources("liste-ti-com2023-20240704.csv")[0]
    r["title"] = "Liste des communes des Territoires d'industrie (juillet 2024)"
    assert pick_resource(TI_COM, [r]) is r


def test_renamed_resource_lists_what_the_api_offers(mirrored):
    mirrored.set_dataset(SLUG, ti_resources("communes-territoires-industrie-2025.csv", "liste-ti-20240704.csv"))
    with pytest.raises(LocateError) as err:
        locate(TI_COM, TI_REL, settings=FAST)
    msg = str(err.value)
    assert "ti_communes" in msg and f"api/1/datasets/{SLUG}" in msg
    assert "communes-territoires-industrie-2025.csv" in msg and "liste-ti-20240704.csv" in msg
    assert "renamed" in msg


def test_api_failures(mirrored):
    mirrored.set_dataset(SLUG, ti_resources("liste-ti-com2023-20240704.csv"))
    mirrored.queue(API, status(502))
    assert locate(TI_COM, TI_REL, settings=FAST).resource["title"] == "liste-ti-com2023-20240704.csv"
    mirrored.queue(API, html_page(200, "data.gouv.fr - maintenance"))
    with pytest.raises(DownloadError, match="expected JSON from the API, got an HTML page .*maintenance"):
        locate(TI_COM, TI_REL, settings=FAST)
    mirrored.files.pop(API)
    with pytest.raises(DownloadError) as err:
        locate(TI_COM, TI_REL, settings=FAST)
    assert err.value.status == 404 and "ti_communes" in str(err.value)


# ------------------------------------------------------------------------------------------------
# Sources without a public file
# ------------------------------------------------------------------------------------------------
def test_synthetic_only_source_needs_a_configured_url(mirrored, monkeypatch):
    src = catalog.LAUREATS_TI
    with pytest.raises(SourceUnavailable, match="TI_LAUREATS_TI_URL"):
        locate(src, src.releases[0])
    monkeypatch.setenv("TI_LAUREATS_TI_URL", "https://extracts.anct.internal/laureats.csv")
    loc = locate(src, src.releases[0])
    assert loc.method == "env" and loc.url == "https://extracts.anct.internal/laureats.csv"
    assert "extracts.anct.internal" in allowed_hosts()


# ------------------------------------------------------------------------------------------------
# obtain
# ------------------------------------------------------------------------------------------------
def test_obtain_sample_mode(tmp_path):
    sample = fake_sample(tmp_path / "sample", [TI_COM])
    paths = Paths(data_dir=tmp_path / "data", sample_dir=sample)
    got = obtain(TI_COM, TI_REL, paths, "sample")
    p = got.provenance
    assert got.path == catalog.sample_path(sample, TI_COM, TI_REL)
    assert p["mode"] == "sample" and p["url"].startswith("file://") and p["url"] == p["final_url"]
    assert p["sha256"] == hashlib.sha256(got.path.read_bytes()).hexdigest()
    assert p["licence"] == TI_COM.licence and p["publisher"] == "ANCT" and p["cog_year"] == 2023
    with pytest.raises(SampleMissing, match="python -m ti_pipeline.sample"):
        obtain(catalog.FLORES_A38, catalog.FLORES_A38.releases[0], paths, "sample")


def test_obtain_live_every_source_through_the_local_server(mirrored, monkeypatch, tmp_path):
    sample = fake_sample(tmp_path / "sample")
    for name, value in mirrored.publish_catalog(sample).items():
        monkeypatch.setenv(name, value)
    paths = Paths(data_dir=tmp_path / "data", sample_dir=sample)
    messages: list[str] = []
    for source in catalog.SOURCES:
        for release in source.releases:
            got = obtain(source, release, paths, "live", log=messages.append, settings=FAST)
            assert got.path == catalog.cache_path(paths.cache, source, release)
            assert got.path.read_bytes() == catalog.sample_path(sample, source, release).read_bytes()
            p = got.provenance
            assert p["mode"] == "live" and p["source"] == source.name and p["millesime"] == release.millesime
            assert p["url"].startswith(mirrored.base_url) and p["sha256"] and p["retrieved_at"]
            assert p["licence"] == source.licence
    relance = obtain(catalog.RELANCE_LAUREATS, catalog.RELANCE_LAUREATS.releases[0], paths, "live", settings=FAST).provenance
    assert "/resources/" in relance["final_url"]  # the /r/<id> redirect was followed on the mirror
    ti = obtain(TI_COM, TI_REL, paths, "live", settings=FAST).provenance
    assert ti["resolved_by"] == "datagouv" and ti["resource"]["checksum"]["type"] == "sha1"
    # Sources sharing a file downloaded it once: COG communes + regions, EPCI + composition.
    assert len(mirrored.hits("/fr/statistiques/fichier/8377162/cog_ensemble_2025_csv.zip")) == 1
    assert len(mirrored.hits("/fr/statistiques/fichier/2510634/epci_au_01-01-2025.zip")) == 1
    assert any("reusing" in m for m in messages)
    # A later run (memo cleared, as in a new process) revalidates with a 304.
    clear_memo()
    again = obtain(catalog.EPCI, catalog.EPCI.releases[0], paths, "live", settings=FAST)
    assert again.provenance["download"] == "revalidated"
    assert read_manifest(again.path)["revalidated_at"]


def test_obtain_live_synthetic_only_without_url_is_unavailable(mirrored, tmp_path):
    paths = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "sample")
    with pytest.raises(SourceUnavailable, match="no public file"):
        obtain(catalog.LAUREATS_TI, catalog.LAUREATS_TI.releases[0], paths, "live", settings=FAST)


def test_obtain_live_404_names_source_and_url(mirrored, tmp_path):
    paths = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "sample")
    src = catalog.URSSAF_APE
    with pytest.raises(DownloadError) as err:
        obtain(src, src.releases[0], paths, "live", settings=FAST)
    msg = str(err.value)
    assert "urssaf_ape" in msg and mirrored.base_url + "/api/explore/v2.1/catalog/datasets/" in msg and "HTTP 404" in msg
    assert not catalog.cache_path(paths.cache, src, src.releases[0]).exists()


# ------------------------------------------------------------------------------------------------
# Catalog listing (the CLI's `catalog` command)
# ------------------------------------------------------------------------------------------------
def test_catalog_rows_live_and_sample(monkeypatch, tmp_path):
    from ti_pipeline.sources.listing import catalog_rows, format_table

    for name in ("TI_MIRROR_URL", "TI_LAUREATS_TI_URL"):
        monkeypatch.delenv(name, raising=False)
    rows = {(r["source"], r["millesime"]): r for r in catalog_rows("live")}
    assert len(rows) == sum(len(s.releases) for s in catalog.SOURCES)
    cog = rows[("cog_communes", 2025)]
    assert cog["url"] == catalog.COG_COMMUNES.releases[0].url and cog["file"] == "cog_ensemble_2025_csv.zip > v_commune_2025.csv"
    assert cog["licence"] == catalog.LICENCE_ETALAB and cog["cog_year"] == 2025 and cog["approx_size"]
    assert "api/1/datasets/programme-territoires-dindustrie/" in rows[("ti_communes", 2024)]["url"]
    assert rows[("laureats_ti", 2022)]["url"] == "no public file: set TI_LAUREATS_TI_URL"
    monkeypatch.setenv("TI_MIRROR_URL", "http://127.0.0.1:9")
    assert catalog_rows("live")[3]["url"].startswith("http://127.0.0.1:9/fr/statistiques/")

    monkeypatch.setenv("TI_SAMPLE_DIR", str(fake_sample(tmp_path / "sample", [TI_COM])))
    sample = {r["source"]: r for r in catalog_rows("sample")}
    assert sample["ti_communes"]["present"] is True and sample["flores_a38"]["present"] is False
    table = format_table(list(rows.values()))
    assert table.splitlines()[0].split()[:3] == ["source", "millesime", "cog_year"]


# ------------------------------------------------------------------------------------------------
# The committed sample served as the live sources: live mode reads what sample mode reads
# ------------------------------------------------------------------------------------------------
def test_live_mode_through_the_local_server_reads_the_same_frames_as_sample_mode(mirrored, monkeypatch, tmp_path):
    from ti_pipeline.config import get_paths
    from ti_pipeline.sources.readers import read_release

    sample_dir = get_paths().sample_dir
    missing = [
        str(catalog.sample_path(sample_dir, s, r)) for s in catalog.SOURCES for r in s.releases
        if not catalog.sample_path(sample_dir, s, r).is_file()
    ]
    if missing:
        pytest.skip(f"sample not generated yet ({len(missing)} files missing, e.g. {missing[0]})")
    for name, value in mirrored.publish_catalog(sample_dir).items():
        monkeypatch.setenv(name, value)
    paths = Paths(data_dir=tmp_path / "data", sample_dir=sample_dir)
    for source in catalog.SOURCES:
        for release in source.releases:
            live = obtain(source, release, paths, "live", settings=FAST)
            sample = obtain(source, release, paths, "sample")
            assert live.provenance["sha256"] == sample.provenance["sha256"]
            a = read_release(source, release, live.path)
            b = read_release(source, release, sample.path)
            assert a.frame.equals(b.frame), f"{source.name} {release.millesime}"
