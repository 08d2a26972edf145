"""One HTTP exchange with a publisher, as every download and API call makes it.

What belongs here: the errors a download reports (``DownloadError``, ``HostNotAllowed``), its
settings (timeouts, retry policy, size limit: ``DownloadSettings``), the allow-list check of every
host (``check_host``), redirects followed by hand so that each hop is checked and stays mirrored,
retries with backoff and jitter honouring ``Retry-After``, the hint that says what to do after a
404 or a 5xx, and JSON API calls (``fetch_json``, data.gouv.fr).

Not here: writing a file into the cache and its manifest (``download``), which hosts are allowed
and where mirrors are (``hosts``), which URL a release lives at (``locate``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
import random
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit

import requests

from ti_pipeline.sources.hosts import allowed_hosts, mirror_url
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
        return allowed_hosts()


class RetryableFailure(Exception):
    """A failure worth another try."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def is_retryable(status: int) -> bool:
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


def hint_for_status(status: int, page: str | None) -> str:
    where = f" (dataset page: {page})" if page else ""
    if status in (404, 410):
        return (
            "the file is no longer at this URL: the publisher probably moved or renamed it. Find the new "
            f"file{where} and update its declaration in ti_pipeline/sources/catalog/, or check the mirror configuration (TI_MIRROR_*)"
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


def get_following_redirects(session: requests.Session, url: str, headers: dict, settings: DownloadSettings, source: str, stream: bool):
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
            raise RetryableFailure(f"timed out ({type(exc).__name__}) after {settings.read_timeout:g}s") from None
        except requests.exceptions.ConnectionError as exc:
            raise RetryableFailure(f"connection failed ({exc})") from None
        if resp.status_code in REDIRECT_STATUSES and resp.headers.get("Location"):
            resp.close()
            current = mirror_url(urljoin(current, resp.headers["Location"]))
            continue
        return resp, current
    raise DownloadError(source, url, f"more than {settings.max_redirects} redirects")


def raise_for_status(resp: requests.Response, source: str, url: str, page: str | None) -> None:
    status = resp.status_code
    if is_retryable(status):
        resp.close()
        raise RetryableFailure(f"HTTP {status}", status=status, retry_after=parse_retry_after(resp.headers.get("Retry-After")))
    try:
        body = resp.raw.read(4096, decode_content=True) if resp.raw is not None else b""
    except Exception:  # noqa: BLE001 - only used to describe the error
        body = b""
    resp.close()
    what = describe_non_data(body) if body else None
    served = f"; the server sent {what}" if what and what != "an empty file" else ""
    raise DownloadError(source, url, f"the server answered {status} {resp.reason}{served}", status=status, hint=hint_for_status(status, page))


def with_retries(fn: Callable[[int], object], source: str, url: str, settings: DownloadSettings):
    policy = settings.retry
    last: RetryableFailure | None = None
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn(attempt)
        except RetryableFailure as r:
            last = r
            if attempt == policy.attempts:
                break
            wait = policy.wait(attempt, r.retry_after)
            log.warning("source %s: %s from %s; try %d/%d in %.1fs", source, r.reason, url, attempt + 1, policy.attempts, wait)
            time.sleep(wait)
    assert last is not None
    if last.status is not None:
        hint = hint_for_status(last.status, None)
    elif "truncated" in last.reason:
        hint = "the connection kept dropping before the end of the file: try again later or use a mirror"
    else:
        hint = "the host did not answer in time: check the network or proxy (HTTPS_PROXY), try again later, or use a mirror"
    raise DownloadError(source, url, f"gave up after {policy.attempts} attempts, last: {last.reason}", status=last.status, hint=hint)


def new_session(session: requests.Session | None) -> requests.Session:
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
    sess = new_session(session)

    def attempt(_: int):
        resp, final = get_following_redirects(sess, url, {"Accept": "application/json"}, settings, source, stream=False)
        if resp.status_code != 200:
            raise_for_status(resp, source, url, None)
        try:
            return resp.json(), final
        except ValueError:
            what = describe_non_data(resp.content[:SNIFF]) or "a document that is not JSON"
            raise DownloadError(source, url, f"expected JSON from the API, got {what}", status=200, hint="check the API URL or the mirror") from None

    return with_retries(attempt, source, url, settings)


__all__ = [
    "DownloadError",
    "DownloadSettings",
    "HostNotAllowed",
    "RetryPolicy",
    "RetryableFailure",
    "check_host",
    "fetch_json",
    "get_following_redirects",
    "hint_for_status",
    "new_session",
    "parse_retry_after",
    "raise_for_status",
    "with_retries",
]
