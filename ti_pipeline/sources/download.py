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

Not here: which URL a release lives at (``locate``), sample vs live (``obtain``), parsing (``readers``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import logging
import os
import random
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urljoin, urlsplit

import requests

from ti_pipeline.sources.sniff import describe_non_data

log = logging.getLogger(__name__)

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
SNIFF = 64 * 1024  # bytes looked at to tell a data file from an HTML or JSON error page
USER_AGENT = "ti-pipeline/0.1 (+open data pipeline of the Territoires d'industrie portraits)"


# ------------------------------------------------------------------------------------------------
# Errors and settings
# ------------------------------------------------------------------------------------------------
class DownloadError(RuntimeError):
    """A file that could not be obtained: names the source, the URL, the HTTP status and what to do."""

    def __init__(self, source: str, url: str, message: str, status: int | None = None, hint: str | None = None):
        self.source = source
        self.url = url
        self.status = status
        self.hint = hint
        text = f"source {source!r}: {message} ({url}"
        text += f", HTTP {status})" if status is not None else ")"
        if hint:
            text += f". What to do: {hint}"
        super().__init__(text)


class HostNotAllowed(DownloadError):
    """A URL, or a redirect target, outside the host allow-list."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # total tries, the first included
    backoff: float = 1.0  # seconds before the first retry
    factor: float = 2.0
    max_backoff: float = 60.0
    jitter: float = 0.5  # up to this fraction of the wait is added at random (no thundering herd)
    max_retry_after: float = 300.0  # a longer Retry-After is capped to this

    def wait(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        base = min(self.backoff * self.factor ** (attempt - 1), self.max_backoff)
        return base + random.uniform(0, self.jitter * base)


@dataclass(frozen=True)
class DownloadSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_bytes: int = 8 * 1024**3  # Sirene's StockEtablissement is ~2.1 GB
    chunk_size: int = 1024 * 1024
    progress_interval: float = 5.0  # seconds between two progress lines
    progress_min_bytes: int = 20 * 1024 * 1024  # smaller files: no progress lines
    max_redirects: int = 10
    verify_checksum: bool = True
    allowed_hosts: frozenset[str] | None = None  # None: official hosts + configured mirrors, read at call time

    @classmethod
    def from_env(cls, **overrides) -> "DownloadSettings":
        env = os.environ
        values: dict = {}
        if env.get("TI_HTTP_CONNECT_TIMEOUT"):
            values["connect_timeout"] = float(env["TI_HTTP_CONNECT_TIMEOUT"])
        if env.get("TI_HTTP_READ_TIMEOUT"):
            values["read_timeout"] = float(env["TI_HTTP_READ_TIMEOUT"])
        if env.get("TI_HTTP_ATTEMPTS"):
            values["retry"] = RetryPolicy(attempts=int(env["TI_HTTP_ATTEMPTS"]))
        if env.get("TI_MAX_DOWNLOAD_BYTES"):
            values["max_bytes"] = int(env["TI_MAX_DOWNLOAD_BYTES"])
        values.update(overrides)
        return cls(**values)

    def hosts(self) -> frozenset[str]:
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        from ti_pipeline.sources.locate import allowed_hosts

        return allowed_hosts()


@dataclass
class DownloadResult:
    path: Path
    manifest: dict
    status: str  # "downloaded" | "revalidated"


class _Retry(Exception):
    """A failure worth another try."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def _retryable(status: int) -> bool:
    return status in (408, 425, 429) or (500 <= status < 600 and status not in (501, 505))


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds, from either form the header takes (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max((when - dt.datetime.now(dt.timezone.utc)).total_seconds(), 0.0)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _hint_for_status(status: int, page: str | None) -> str:
    where = f" (dataset page: {page})" if page else ""
    if status in (404, 410):
        return (
            "the file is no longer at this URL: the publisher probably moved or renamed it. Find the new "
            f"file{where} and update ti_pipeline/sources/catalog.py, or check the mirror configuration (TI_MIRROR_*)"
        )
    if status in (401, 403):
        return f"the server refuses access: check the URL{where}, a proxy, or the mirror configuration"
    if status == 429 or status >= 500:
        return "the server kept failing: try again later, or point TI_MIRROR_URL at a mirror"
    return f"check the URL{where} and the catalog entry"


# ------------------------------------------------------------------------------------------------
# One HTTP exchange, redirects followed by hand
# ------------------------------------------------------------------------------------------------
def check_host(url: str, source: str, allowed: frozenset[str], origin: str | None = None) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or host not in allowed:
        via = f" (redirected from {origin})" if origin and origin != url else ""
        raise HostNotAllowed(
            source,
            url,
            f"host {host or parts.scheme!r}{via} is not in the allow-list of official hosts and mirrors",
            hint=(
                "if the publisher moved its files, add the host to TI_ALLOWED_HOSTS after checking it is "
                "official; to use a mirror set TI_MIRROR_URL or TI_MIRROR_<HOST>"
            ),
        )


def _get(session: requests.Session, url: str, headers: dict, settings: DownloadSettings, source: str, stream: bool):
    from ti_pipeline.sources.locate import mirror_url

    allowed = settings.hosts()
    current = url
    for _ in range(settings.max_redirects + 1):
        check_host(current, source, allowed, origin=url)
        try:
            resp = session.get(
                current,
                headers=headers,
                stream=stream,
                timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=False,
            )
        except requests.exceptions.Timeout as exc:
            raise _Retry(f"timed out ({type(exc).__name__}) after {settings.read_timeout:g}s") from None
        except requests.exceptions.ConnectionError as exc:
            raise _Retry(f"connection failed ({exc})") from None
        if resp.status_code in REDIRECT_STATUSES and resp.headers.get("Location"):
            resp.close()
            current = mirror_url(urljoin(current, resp.headers["Location"]))
            continue
        return resp, current
    raise DownloadError(source, url, f"more than {settings.max_redirects} redirects")


def _raise_for_status(resp: requests.Response, source: str, url: str, page: str | None) -> None:
    status = resp.status_code
    if _retryable(status):
        resp.close()
        raise _Retry(f"HTTP {status}", status=status, retry_after=parse_retry_after(resp.headers.get("Retry-After")))
    try:
        body = resp.raw.read(4096, decode_content=True) if resp.raw is not None else b""
    except Exception:  # noqa: BLE001 - only used to describe the error
        body = b""
    resp.close()
    what = describe_non_data(body) if body else None
    served = f"; the server sent {what}" if what and what != "an empty file" else ""
    raise DownloadError(source, url, f"the server answered {status} {resp.reason}{served}", status=status, hint=_hint_for_status(status, page))


def _with_retries(fn: Callable[[int], object], source: str, url: str, settings: DownloadSettings):
    policy = settings.retry
    last: _Retry | None = None
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn(attempt)
        except _Retry as r:
            last = r
            if attempt == policy.attempts:
                break
            wait = policy.wait(attempt, r.retry_after)
            log.warning("source %s: %s from %s; try %d/%d in %.1fs", source, r.reason, url, attempt + 1, policy.attempts, wait)
            time.sleep(wait)
    assert last is not None
    if last.status is not None:
        hint = _hint_for_status(last.status, None)
    elif "truncated" in last.reason:
        hint = "the connection kept dropping before the end of the file: try again later or use a mirror"
    else:
        hint = "the host did not answer in time: check the network or proxy (HTTPS_PROXY), try again later, or use a mirror"
    raise DownloadError(source, url, f"gave up after {policy.attempts} attempts, last: {last.reason}", status=last.status, hint=hint)


def _session(session: requests.Session | None) -> requests.Session:
    if session is not None:
        return session
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    return s


# ------------------------------------------------------------------------------------------------
# JSON APIs (data.gouv.fr)
# ------------------------------------------------------------------------------------------------
def fetch_json(url: str, *, source: str, settings: DownloadSettings | None = None, session: requests.Session | None = None):
    """GET a JSON document with the same allow-list and retry policy as downloads.

    Returns ``(document, final_url)``.
    """
    settings = settings or DownloadSettings.from_env()
    sess = _session(session)

    def attempt(_: int):
        resp, final = _get(sess, url, {"Accept": "application/json"}, settings, source, stream=False)
        if resp.status_code != 200:
            _raise_for_status(resp, source, url, None)
        try:
            return resp.json(), final
        except ValueError:
            what = describe_non_data(resp.content[:SNIFF]) or "a document that is not JSON"
            raise DownloadError(source, url, f"expected JSON from the API, got {what}", status=200, hint="check the API URL or the mirror") from None

    return _with_retries(attempt, source, url, settings)



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
    sess = _session(session)
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
            resp, final_url = _get(sess, url, headers, settings, source, stream=True)
            if resp.status_code == 304 and conditional:
                resp.close()
                manifest = {**previous, "revalidated_at": _now(), "final_url": final_url}
                _write_json_atomic(manifest_path(dest), manifest)
                log.info("source %s: %s not modified (HTTP 304), cached copy reused", source, url)
                return DownloadResult(dest, manifest, "revalidated")
            if resp.status_code != 200:
                _raise_for_status(resp, source, url, page)
            return _stream_to_cache(resp, url, final_url, dest, source, millesime, settings, progress, expected_checksum, page, n, extra_manifest)

        return _with_retries(attempt, source, url, settings)


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
                raise _Retry(f"truncated body after {received} bytes ({type(exc).__name__})") from None
            finally:
                resp.close()
            fh.flush()
            os.fsync(fh.fileno())
        on_wire = resp.raw.tell() if encoded and resp.raw is not None else received
        if total is not None and on_wire != total:
            raise _Retry(f"truncated body: {on_wire} of {total} bytes")
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
