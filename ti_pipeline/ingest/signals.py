"""Release signals: has a publisher put out a new file since we last looked?

What belongs here: reading each release's signal and deciding, against a cursor of the signals
seen before, which releases are new. No Dagster (the sensor in ``ti_pipeline.defs.automation`` is the edge).

- A data.gouv.fr source (``source.datagouv``): the dataset API, through ``locate``; the signal is
  the chosen resource's URL, ``last_modified`` and checksum (ANCT uploads date-stamped files, so a
  new file also shows as a new URL).
- A file at a fixed URL (Insee, Urssaf, Sirene, unpkg) or a configured ``TI_<SOURCE>_URL``: the
  response headers ``ETag`` and ``Last-Modified``. They are read with a GET that is closed right
  after the headers, made conditional on the validators seen last time: an unchanged file answers
  304 with no body. Not a HEAD request: the same information, but some servers do not implement
  HEAD or answer it differently from GET (object stores signing GET only, export APIs, the test
  server), and a conditional GET costs no more. The request goes through the downloader's own
  machinery (host allow-list, mirrors on every redirect hop, timeouts, retries with backoff), not
  a second HTTP client.
- Mirrors apply as everywhere (``TI_MIRROR_URL``), which is how the tests point this at a local
  server. Signals record the publisher's URL, never the mirror's.

The cursor is a JSON document ``{"releases": {"<source>/<millesime>": signal}}``. A release is new
when its signal differs from the cursor's; a release the cursor has never seen is new only if its
vintage was never materialized (a cursor starting on an existing lake does not re-ingest it all).
A release that cannot be checked keeps its previous signal, so it is compared again next time.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable

from ti_pipeline.sources import download as dl
from ti_pipeline.sources.transport import get_following_redirects, new_session, raise_for_status, with_retries
from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.sources.locate import LocateError, SourceUnavailable, locate

logger = logging.getLogger(__name__)

# Probes are cheap; a sensor tick must stay well under Dagster's 60 s evaluation timeout.
PROBE_SETTINGS = dict(connect_timeout=10.0, read_timeout=20.0, retry=dl.RetryPolicy(attempts=2, backoff=1.0))


@dataclass(frozen=True)
class ReleaseSignal:
    source: str
    millesime: int
    url: str  # the publisher's URL (never a mirror's)
    etag: str | None = None
    last_modified: str | None = None
    checksum: str | None = None  # data.gouv.fr resource checksum, "sha1:<hex>"

    @property
    def key(self) -> str:
        return f"{self.source}/{self.millesime}"

    @property
    def fingerprint(self) -> str:
        """What identifies the published file; empty when the publisher gives no validator."""
        parts = [f"{k}={v}" for k, v in (("etag", self.etag), ("last_modified", self.last_modified), ("checksum", self.checksum)) if v]
        return "|".join([f"url={self.url}", *parts]) if parts else ""

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("source", "millesime")}

    @classmethod
    def from_json(cls, key: str, data: dict) -> "ReleaseSignal":
        source, _, millesime = key.rpartition("/")
        return cls(source, int(millesime), data.get("url", ""), data.get("etag"), data.get("last_modified"), data.get("checksum"))


# ------------------------------------------------------------------------------------------------
# Cursor
# ------------------------------------------------------------------------------------------------
def decode_cursor(cursor: str | None) -> dict[str, ReleaseSignal]:
    if not cursor:
        return {}
    data = json.loads(cursor)
    return {key: ReleaseSignal.from_json(key, value) for key, value in data.get("releases", {}).items()}


def encode_cursor(signals: dict[str, ReleaseSignal]) -> str:
    return json.dumps({"releases": {k: signals[k].to_json() for k in sorted(signals)}}, sort_keys=True)


def new_releases(
    seen: dict[str, ReleaseSignal],
    current: Iterable[ReleaseSignal],
    is_materialized: Callable[[str, int], bool],
) -> list[ReleaseSignal]:
    """Releases of ``current`` that are new against ``seen`` (see the module docstring)."""
    out = []
    for signal in current:
        if not signal.fingerprint:
            continue  # nothing to compare: the monthly refresh covers this source
        before = seen.get(signal.key)
        if before is None:
            if not is_materialized(signal.source, signal.millesime):
                out.append(signal)
        elif before.fingerprint != signal.fingerprint:
            out.append(signal)
    return out


def advance_cursor(seen: dict[str, ReleaseSignal], current: Iterable[ReleaseSignal]) -> dict[str, ReleaseSignal]:
    return {**seen, **{s.key: s for s in current}}


# ------------------------------------------------------------------------------------------------
# Probing
# ------------------------------------------------------------------------------------------------
def probe_headers(
    url: str, source: str, previous: ReleaseSignal | None = None, *, settings: dl.DownloadSettings | None = None, session=None
) -> dict[str, Any]:
    """``ETag`` and ``Last-Modified`` of ``url`` (a conditional GET closed after the headers).

    Returns ``{"etag", "last_modified", "status"}``; on a 304 the validators are the previous ones.
    Raises ``DownloadError`` like the downloader (HTTP errors, hosts outside the allow-list).
    """
    settings = settings or dl.DownloadSettings.from_env(**PROBE_SETTINGS)
    headers = {"Accept-Encoding": "identity"}
    if previous and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    sess = new_session(session)

    def attempt(_: int) -> dict[str, Any]:
        resp, _final = get_following_redirects(sess, url, headers, settings, source, stream=True)
        try:
            if resp.status_code == 304 and previous is not None:
                return {"etag": previous.etag, "last_modified": previous.last_modified, "status": 304}
            if resp.status_code != 200:
                raise_for_status(resp, source, url, None)
            return {"etag": resp.headers.get("ETag"), "last_modified": resp.headers.get("Last-Modified"), "status": 200}
        finally:
            resp.close()  # the body is never read

    return with_retries(attempt, source, url, settings)


def probe_release(
    source: Source,
    release: Release,
    previous: ReleaseSignal | None = None,
    *,
    settings: dl.DownloadSettings | None = None,
    session=None,
    memo: dict | None = None,
) -> ReleaseSignal | None:
    """The current signal of one release; ``None`` when live mode has no file for it at all
    (a ``synthetic_only`` source without a configured URL). ``memo`` shares one probe between
    releases at the same URL (the COG zip, the EPCI workbook)."""
    try:
        location = locate(source, release, settings=settings, session=session)
    except SourceUnavailable:
        return None
    if location.method == "datagouv":
        r = location.resource
        checksum = r.get("checksum") or {}
        value = f"{checksum.get('type', 'sha1')}:{checksum['value']}" if checksum.get("value") else None
        return ReleaseSignal(source.name, release.millesime, r.get("url") or location.official_url, None, r.get("last_modified"), value)
    memo = {} if memo is None else memo
    if location.url not in memo:
        memo[location.url] = probe_headers(location.url, source.name, previous, settings=settings, session=session)
    found = memo[location.url]
    return ReleaseSignal(source.name, release.millesime, location.official_url, found.get("etag"), found.get("last_modified"))


def poll_release_signals(
    sources: Iterable[Source],
    seen: dict[str, ReleaseSignal] | None = None,
    *,
    settings: dl.DownloadSettings | None = None,
    session=None,
) -> tuple[list[ReleaseSignal], dict[str, str]]:
    """Signals of every release of ``sources``, and the errors (release key -> message) of those
    that could not be checked."""
    seen = seen or {}
    signals: list[ReleaseSignal] = []
    errors: dict[str, str] = {}
    memo: dict = {}
    for source in sources:
        for release in source.releases:
            key = f"{source.name}/{release.millesime}"
            try:
                signal = probe_release(source, release, seen.get(key), settings=settings, session=session, memo=memo)
            except (dl.DownloadError, LocateError) as exc:
                errors[key] = str(exc)
                logger.warning("release signal of %s: %s", key, exc)
                continue
            if signal is not None:
                signals.append(signal)
    return signals, errors


__all__ = [
    "ReleaseSignal",
    "advance_cursor",
    "decode_cursor",
    "encode_cursor",
    "new_releases",
    "poll_release_signals",
    "probe_headers",
    "probe_release",
]
