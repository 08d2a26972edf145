"""The one downloader every source goes through in live mode.

What belongs here: fetching one URL into the cache file of a release, safely and politely.

- Streaming into a temporary file next to the target, then an atomic ``os.replace``: a failed or
  killed download never leaves a partial file under the cache name, and the previous good file and
  its manifest stay as they were.
- A sidecar ``<file>.manifest.json``: source, millésime, url, final_url (after redirects), size,
  sha256, etag, last_modified, content_type, retrieved_at, status; ``revalidated_at`` after a 304.
- Conditional requests (``If-None-Match`` / ``If-Modified-Since`` from the manifest): a 304 reuses
  the cached file.
- Connect and read timeouts; retries with exponential backoff and jitter on connection errors,
  timeouts, truncated bodies, 408/429/5xx, honouring ``Retry-After`` (seconds or an HTTP date).
- Truncated bodies detected (Content-Length against the bytes received; urllib3's IncompleteRead).
- Redirects followed by hand so that every hop's host is checked against the allow-list (official
  hosts of the catalog plus configured mirrors, see ``locate``) before it is contacted, and so
  that mirrored hosts stay mirrored after a redirect.
- A size guard, a checksum check when the publisher gives one, and a refusal to cache an HTML page
  (a landing or error page served with status 200) as a data file.
- Progress of large files in the logs (bytes, %, MB/s) and through a callback, which a Dagster
  asset uses to forward it to ``context.log``.

Settings come from ``DownloadSettings`` (tests pass a fast retry policy); ``from_env`` reads
``TI_HTTP_CONNECT_TIMEOUT``, ``TI_HTTP_READ_TIMEOUT`` (seconds), ``TI_HTTP_ATTEMPTS`` and
``TI_MAX_DOWNLOAD_BYTES``.

Modules: this one writes the cache file and its manifest (streaming, atomic replace, lock,
progress, checksum, "this is not data"); ``transport`` makes the HTTP exchange (errors, settings,
allow-list, redirects, retries, JSON API calls); ``hosts`` knows the allow-list and the mirrors.
The names of ``transport`` that callers import from here are re-exported.

Not here: which URL a release lives at (``locate``), sample vs live (``obtain``), parsing (``readers``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import requests

from ti_pipeline.sources.sniff import describe_non_data
from ti_pipeline.sources.transport import (
    SNIFF,
    DownloadError,
    DownloadSettings,
    HostNotAllowed,
    RetryableFailure,
    RetryPolicy,
    check_host,
    fetch_json,
    get_following_redirects,
    new_session,
    parse_retry_after,
    raise_for_status,
    with_retries,
)

log = logging.getLogger(__name__)


@dataclass
class DownloadResult:
    path: Path
    manifest: dict
    status: str  # "downloaded" | "revalidated"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# ------------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------------
def manifest_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".manifest.json")


def read_manifest(dest: Path) -> dict | None:
    p = manifest_path(Path(dest))
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _locked(dest: Path) -> Iterator[None]:
    """One download of a cache file at a time across processes (sources sharing a file, parallel
    Dagster steps): the second waits, then revalidates with a cheap conditional request."""
    try:
        import fcntl
    except ImportError:  # not POSIX: atomic replace still keeps the cache consistent
        yield
        return
    lock = dest.with_name(f".{dest.name}.lock")
    with open(lock, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _size(n: int) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.2f} GB"
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e3:.1f} kB"


class _Progress:
    def __init__(self, source: str, url: str, total: int | None, settings: DownloadSettings, callback):
        self.source, self.url, self.total = source, url, total
        self.settings, self.callback = settings, callback
        self.start = self.last = time.monotonic()
        self.enabled = callback is not None or total is None or total >= settings.progress_min_bytes

    def __call__(self, received: int, done: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not done and now - self.last < self.settings.progress_interval:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-6)
        event = {
            "source": self.source,
            "url": self.url,
            "bytes": received,
            "total": self.total,
            "percent": round(100.0 * received / self.total, 1) if self.total else None,
            "mb_per_s": round(received / elapsed / 1e6, 2),
            "done": done,
        }
        pct = f" ({event['percent']:.1f}%)" if event["percent"] is not None else ""
        of = f" of {_size(self.total)}" if self.total else ""
        message = f"source {self.source}: {_size(received)}{of}{pct} at {event['mb_per_s']:.2f} MB/s" + (" - done" if done else "")
        event["message"] = message
        if self.callback is not None:
            self.callback(event)
        if self.total is None or self.total >= self.settings.progress_min_bytes:
            log.info(message)


def download(
    url: str,
    dest: Path,
    *,
    source: str,
    millesime: int | None = None,
    settings: DownloadSettings | None = None,
    session: requests.Session | None = None,
    progress: Callable[[dict], None] | None = None,
    expected_checksum: dict | None = None,
    page: str | None = None,
    force: bool = False,
    extra_manifest: dict | None = None,
) -> DownloadResult:
    """Download ``url`` into ``dest`` (a cache path) unless the cached copy is still current.

    ``expected_checksum`` is the publisher's checksum, ``{"type": "sha1", "value": ...}`` as the
    data.gouv.fr API gives it; a mismatch fails without touching the cache. ``extra_manifest`` is
    merged into the manifest (e.g. the data.gouv.fr resource id).
    """
    settings = settings or DownloadSettings.from_env()
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    sess = new_session(session)
    check_host(url, source, settings.hosts())

    with _locked(dest):
        # Leftovers of a killed download: only the lock holder writes parts, so none is in use.
        for stale in dest.parent.glob(f".{dest.name}.*.part"):
            stale.unlink(missing_ok=True)

        previous = None if force else read_manifest(dest)
        conditional: dict[str, str] = {}
        if (
            previous
            and dest.is_file()
            and previous.get("url") == url
            and previous.get("size") == dest.stat().st_size
        ):
            if previous.get("etag"):
                conditional["If-None-Match"] = previous["etag"]
            if previous.get("last_modified"):
                conditional["If-Modified-Since"] = previous["last_modified"]

        def attempt(n: int) -> DownloadResult:
            headers = {"Accept-Encoding": "identity", **conditional}
            resp, final_url = get_following_redirects(sess, url, headers, settings, source, stream=True)
            if resp.status_code == 304 and conditional:
                resp.close()
                manifest = {**previous, "revalidated_at": _now(), "final_url": final_url}
                _write_json_atomic(manifest_path(dest), manifest)
                log.info("source %s: %s not modified (HTTP 304), cached copy reused", source, url)
                return DownloadResult(dest, manifest, "revalidated")
            if resp.status_code != 200:
                raise_for_status(resp, source, url, page)
            return _stream_to_cache(resp, url, final_url, dest, source, millesime, settings, progress, expected_checksum, page, n, extra_manifest)

        return with_retries(attempt, source, url, settings)


def _stream_to_cache(
    resp: requests.Response,
    url: str,
    final_url: str,
    dest: Path,
    source: str,
    millesime: int | None,
    settings: DownloadSettings,
    progress_cb,
    expected_checksum: dict | None,
    page: str | None,
    attempt: int,
    extra_manifest: dict | None,
) -> DownloadResult:
    length = resp.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    if total is not None and total > settings.max_bytes:
        resp.close()
        raise DownloadError(
            source, url, f"the file is {total} bytes, above the {settings.max_bytes}-byte limit", status=200,
            hint="raise TI_MAX_DOWNLOAD_BYTES if this size is expected",
        )
    encoded = resp.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    sha256 = hashlib.sha256()
    check = None
    if expected_checksum and settings.verify_checksum and expected_checksum.get("value"):
        try:
            check = hashlib.new(str(expected_checksum.get("type", "sha1")).lower())
        except ValueError:
            check = None  # an algorithm we do not know: recorded, not verified
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    received = 0
    report = _Progress(source, url, total, settings, progress_cb)
    try:
        with open(tmp, "wb") as fh:
            try:
                for chunk in resp.iter_content(chunk_size=settings.chunk_size):
                    received += len(chunk)
                    if received > settings.max_bytes:
                        raise DownloadError(
                            source, url, f"more than {settings.max_bytes} bytes received", status=200,
                            hint="raise TI_MAX_DOWNLOAD_BYTES if this size is expected",
                        )
                    fh.write(chunk)
                    sha256.update(chunk)
                    if check is not None:
                        check.update(chunk)
                    report(received)
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError) as exc:
                # urllib3 raises IncompleteRead when the connection closes before Content-Length.
                raise RetryableFailure(f"truncated body after {received} bytes ({type(exc).__name__})") from None
            finally:
                resp.close()
            fh.flush()
            os.fsync(fh.fileno())
        on_wire = resp.raw.tell() if encoded and resp.raw is not None else received
        if total is not None and on_wire != total:
            raise RetryableFailure(f"truncated body: {on_wire} of {total} bytes")
        with open(tmp, "rb") as fh:
            head = fh.read(SNIFF)
        what = describe_non_data(head)
        if what and not (dest.suffix.lower() == ".json" and what.startswith("a JSON")):
            raise DownloadError(
                source, url, f"the server answered 200 with {what} instead of the file {dest.name}", status=200,
                hint=f"the URL probably points to a landing or error page; check the dataset page{f' {page}' if page else ''} and the catalog",
            )
        if check is not None and check.hexdigest().lower() != str(expected_checksum["value"]).lower():
            raise DownloadError(
                source, url,
                f"{expected_checksum.get('type')} checksum mismatch: the publisher lists {expected_checksum['value']}, "
                f"the file received has {check.hexdigest()}",
                status=200,
                hint="the resource may be being replaced: retry later; if it persists, report it to the publisher",
            )
        report(received, done=True)
        manifest = {
            "source": source,
            "millesime": millesime,
            "url": url,
            "final_url": final_url,
            "file_name": dest.name,
            "size": received,
            "sha256": sha256.hexdigest(),
            "etag": resp.headers.get("ETag"),
            "last_modified": resp.headers.get("Last-Modified"),
            "content_type": resp.headers.get("Content-Type"),
            "retrieved_at": _now(),
            "status": resp.status_code,
            "attempts": attempt,
            **({"publisher_checksum": expected_checksum} if expected_checksum else {}),
            **(extra_manifest or {}),
        }
        # The data file first, then its manifest: a crash in between leaves a manifest whose size
        # does not match the file, which disables conditional requests (a full download follows).
        os.replace(tmp, dest)
        _write_json_atomic(manifest_path(dest), manifest)
        log.info("source %s: downloaded %s (%d bytes, sha256 %s)", source, url, received, manifest["sha256"][:12])
        return DownloadResult(dest, manifest, "downloaded")
    finally:
        tmp.unlink(missing_ok=True)  # gone after a success; a partial file after a failure


__all__ = [
    "DownloadError",
    "DownloadResult",
    "DownloadSettings",
    "HostNotAllowed",
    "RetryPolicy",
    "check_host",
    "download",
    "fetch_json",
    "manifest_path",
    "parse_retry_after",
    "read_manifest",
]
