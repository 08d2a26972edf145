"""The downloader against a real local HTTP server: success, every failure mode, and the cache
left as it was after each failure."""

from __future__ import annotations

import email.utils
import threading
import time

import pytest

from http_server import delay, html_page, local_server, mirrored, redirect, status, truncate  # noqa: F401 - fixtures
from ti_pipeline.sources import catalog
from ti_pipeline.sources.download import (
    DownloadError,
    DownloadSettings,
    HostNotAllowed,
    RetryPolicy,
    download,
    manifest_path,
    parse_retry_after,
    read_manifest,
)
from ti_pipeline.sources.locate import mirror_url

COG = catalog.COG_COMMUNES
COG_RELEASE = COG.releases[0]
OFFICIAL_URL = COG_RELEASE.url  # https://www.insee.fr/fr/statistiques/fichier/8377162/cog_ensemble_2025_csv.zip
PATH = "/fr/statistiques/fichier/8377162/cog_ensemble_2025_csv.zip"
V1 = b"PK-version-1 " * 1000
V2 = b"PK-version-2 " * 1200

FAST = DownloadSettings(
    connect_timeout=2.0,
    read_timeout=0.5,
    retry=RetryPolicy(attempts=3, backoff=0.01, jitter=0.0),
    progress_interval=0.0,
)


@pytest.fixture
def dest(tmp_path):
    return catalog.cache_path(tmp_path / "cache", COG, COG_RELEASE)


def fetch(dest, settings=FAST, **kw):
    return download(mirror_url(OFFICIAL_URL), dest, source=COG.name, millesime=2025, settings=settings, page=COG.page, **kw)


def good_copy(server, dest):
    """A first good download (v1), then the server moves to v2: failures must leave v1 in place."""
    server.add_file(PATH, V1, "application/zip")
    fetch(dest)
    before = (dest.read_bytes(), read_manifest(dest))
    server.add_file(PATH, V2, "application/zip")
    return before


def assert_intact(dest, before):
    assert dest.read_bytes() == before[0]
    assert read_manifest(dest) == before[1]
    leftovers = [p.name for p in dest.parent.iterdir() if p.name.endswith(".part")]
    assert leftovers == []


def test_mirror_rewrites_the_official_url(mirrored):
    assert mirror_url(OFFICIAL_URL) == mirrored.base_url + PATH


def test_success_writes_file_and_manifest(mirrored, dest):
    mirrored.add_file(PATH, V1, "application/zip")
    events = []
    result = fetch(dest, progress=events.append)
    assert result.status == "downloaded"
    assert dest.read_bytes() == V1
    m = read_manifest(dest)
    assert manifest_path(dest).name == "cog_ensemble_2025_csv.zip.manifest.json"
    assert m["source"] == "cog_communes" and m["millesime"] == 2025
    assert m["url"] == mirrored.url(PATH) and m["final_url"] == mirrored.url(PATH)
    assert m["size"] == len(V1) and len(m["sha256"]) == 64
    assert m["etag"] and m["last_modified"] and m["content_type"] == "application/zip"
    assert m["retrieved_at"] and m["status"] == 200
    assert events and events[-1]["done"] and events[-1]["bytes"] == len(V1) and events[-1]["percent"] == 100.0
    assert "MB/s" in events[-1]["message"]
    assert dest.parent == (dest.parents[2] / "cog" / "2025")  # data/cache/<folder>/<millesime>/
    assert [p.name for p in dest.parent.iterdir() if p.name.endswith(".part")] == []


def test_500_then_success(mirrored, dest):
    mirrored.add_file(PATH, V1)
    mirrored.queue(PATH, status(500), status(503))
    result = fetch(dest)
    assert dest.read_bytes() == V1
    assert result.manifest["attempts"] == 3
    assert len(mirrored.hits(PATH)) == 3


def test_500_until_giving_up_keeps_previous_file(mirrored, dest):
    before = good_copy(mirrored, dest)
    mirrored.queue(PATH, status(500), status(502), status(500))
    with pytest.raises(DownloadError) as err:
        fetch(dest)
    msg = str(err.value)
    assert "cog_communes" in msg and mirrored.url(PATH) in msg and "HTTP 500" in msg and "What to do" in msg
    assert err.value.status == 500
    assert_intact(dest, before)


def test_429_honours_retry_after(mirrored, dest):
    mirrored.add_file(PATH, V1)
    mirrored.queue(PATH, status(429, b"slow down", **{"Retry-After": "1"}))
    started = time.monotonic()
    fetch(dest)
    assert time.monotonic() - started >= 0.95  # the 0.01 s backoff was replaced by Retry-After
    assert dest.read_bytes() == V1


def test_retry_after_as_http_date():
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= parse_retry_after(future) <= 31
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("not a date") is None
    assert RetryPolicy(max_retry_after=5).wait(1, retry_after=3600) == 5


def test_timeout_then_success(mirrored, dest):
    mirrored.add_file(PATH, V1)
    mirrored.queue(PATH, delay(1.5))
    fetch(dest)
    assert dest.read_bytes() == V1
    assert len(mirrored.hits(PATH)) == 2


def test_timeouts_until_giving_up_keep_previous_file(mirrored, dest):
    before = good_copy(mirrored, dest)
    mirrored.queue(PATH, delay(1.5), delay(1.5), delay(1.5))
    with pytest.raises(DownloadError, match="timed out") as err:
        fetch(dest)
    assert "network or proxy" in str(err.value)
    assert_intact(dest, before)


def test_truncated_body_is_retried(mirrored, dest):
    mirrored.add_file(PATH, V1)
    mirrored.queue(PATH, truncate(100))
    fetch(dest)
    assert dest.read_bytes() == V1


def test_truncated_body_keeps_previous_file(mirrored, dest):
    before = good_copy(mirrored, dest)
    mirrored.queue(PATH, truncate(100), truncate(5000), truncate(len(V2) - 1))
    with pytest.raises(DownloadError, match="truncated") as err:
        fetch(dest)
    assert "cog_communes" in str(err.value)
    assert_intact(dest, before)


def test_304_revalidation_reuses_the_cache(mirrored, dest):
    mirrored.add_file(PATH, V1)
    first = fetch(dest)
    mtime = dest.stat().st_mtime_ns
    second = fetch(dest)
    assert second.status == "revalidated"
    hit = mirrored.hits(PATH)[-1]
    assert hit["headers"]["If-None-Match"] == first.manifest["etag"]
    assert hit["headers"]["If-Modified-Since"] == first.manifest["last_modified"]
    assert dest.stat().st_mtime_ns == mtime
    m = read_manifest(dest)
    assert m["revalidated_at"] and m["sha256"] == first.manifest["sha256"]
    # A new file on the server (new ETag) is downloaded again.
    mirrored.add_file(PATH, V2)
    assert fetch(dest).status == "downloaded" and dest.read_bytes() == V2


def test_404_names_source_url_and_what_to_do(mirrored, dest):
    before = good_copy(mirrored, dest)
    mirrored.queue(PATH, html_page(404, "Page non trouvée | Insee"))
    with pytest.raises(DownloadError) as err:
        fetch(dest)
    msg = str(err.value)
    assert err.value.status == 404
    assert "cog_communes" in msg and mirrored.url(PATH) in msg
    assert "Page non trouvée | Insee" in msg
    assert "moved or renamed" in msg and COG.page in msg
    assert len(mirrored.hits(PATH)) == 2  # no retry on a 404
    assert_intact(dest, before)


def test_html_page_with_status_200_is_not_cached(mirrored, dest):
    before = good_copy(mirrored, dest)
    mirrored.queue(PATH, html_page(200, "Insee - Maintenance en cours"))
    with pytest.raises(DownloadError) as err:
        fetch(dest)
    msg = str(err.value)
    assert "HTML page" in msg and "Maintenance en cours" in msg and "cog_communes" in msg and mirrored.url(PATH) in msg
    assert_intact(dest, before)


def test_redirect_to_a_host_outside_the_allow_list(mirrored, dest):
    before = good_copy(mirrored, dest)
    mirrored.queue(PATH, redirect("http://downloads.example.com/cog.zip"))
    with pytest.raises(HostNotAllowed) as err:
        fetch(dest)
    msg = str(err.value)
    assert "downloads.example.com" in msg and "allow-list" in msg and "redirected from" in msg
    assert_intact(dest, before)


def test_url_outside_the_allow_list_is_refused_before_any_request(tmp_path, monkeypatch):
    monkeypatch.delenv("TI_MIRROR_URL", raising=False)
    with pytest.raises(HostNotAllowed, match="example.org"):
        download("https://example.org/x.csv", tmp_path / "x.csv", source="test", settings=FAST)


def test_redirect_to_an_official_host_stays_on_the_mirror(mirrored, dest):
    # data.gouv.fr's /r/<id> links redirect to static.data.gouv.fr: the mirror must serve that too.
    mirrored.add_file("/resources/x/cog.zip", V1)
    mirrored.queue(PATH, redirect("https://static.data.gouv.fr/resources/x/cog.zip"))
    result = fetch(dest)
    assert dest.read_bytes() == V1
    assert result.manifest["final_url"] == mirrored.url("/resources/x/cog.zip")


def test_size_guard(mirrored, dest):
    before = good_copy(mirrored, dest)
    small = DownloadSettings(retry=FAST.retry, max_bytes=1000)
    with pytest.raises(DownloadError, match="limit"):
        fetch(dest, settings=small)
    assert_intact(dest, before)


def test_checksum_mismatch_keeps_previous_file(mirrored, dest):
    before = good_copy(mirrored, dest)
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch(dest, expected_checksum={"type": "sha1", "value": "0" * 40})
    assert_intact(dest, before)
    import hashlib

    fetch(dest, expected_checksum={"type": "sha1", "value": hashlib.sha1(V2).hexdigest()})
    assert dest.read_bytes() == V2


def test_stale_partial_files_are_cleaned(mirrored, dest):
    mirrored.add_file(PATH, V1)
    dest.parent.mkdir(parents=True)
    stale = dest.with_name(f".{dest.name}.999.dead.part")
    stale.write_bytes(b"half")
    fetch(dest)
    assert not stale.exists()


def test_concurrent_downloads_of_one_file_fetch_the_body_once(mirrored, dest):
    mirrored.add_file(PATH, V1)
    results, errors = [], []

    def run():
        try:
            results.append(fetch(dest).status)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == ["downloaded", "revalidated", "revalidated"]
    assert dest.read_bytes() == V1
