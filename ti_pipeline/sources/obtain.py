"""The pipeline's one entry point to get the file of a release, in sample or live mode.

What belongs here: choosing between the embedded sample (``data/sample/<folder>/<millesime>/<file>``)
and a live download into the cache (``data/cache/<folder>/<millesime>/<file>``), and the provenance
record that travels with the data (DESIGN.md decision 8). After this call sample and live share every
line: the readers get a local path either way.

Sources that share a file (the COG zip for communes and regions, the EPCI workbook for two sheets)
download it once: a process-wide memo skips the second request for a few minutes, and the
downloader's file lock plus conditional request make other processes reuse the cached copy.

Not here: HTTP (``download``), URL resolution and mirrors (``locate``), parsing (``readers``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ti_pipeline.config import Paths
from ti_pipeline.sources.catalog import Release, Source, cache_path, sample_path
from ti_pipeline.sources.download import DownloadSettings, download
from ti_pipeline.sources.locate import SourceUnavailable, locate

logger = logging.getLogger(__name__)

# A file obtained in this process is reused without a new request for this long: long enough for
# one run's sources sharing a file, short enough for a long-lived process to see a new release.
MEMO_SECONDS = 600.0


class SampleMissing(FileNotFoundError):
    """The sample file of a release is not in the sample directory."""


@dataclass
class ObtainedFile:
    path: Path
    provenance: dict


_memo: dict[tuple[str, str], tuple[float, ObtainedFile]] = {}
_memo_lock = threading.Lock()
_key_locks: dict[tuple[str, str], threading.Lock] = {}
_sha_cache: dict[tuple[str, int, int], str] = {}


def _emit(log: Any, message: str) -> None:
    """``log`` may be a callable (``context.log.info``) or a logger-like object with ``info``."""
    if log is None:
        logger.info(message)
    elif hasattr(log, "info"):
        log.info(message)
    else:
        log(message)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def file_sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _sha_cache:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                h.update(chunk)
        _sha_cache[key] = h.hexdigest()
    return _sha_cache[key]


def _base_provenance(source: Source, release: Release, mode: str) -> dict:
    return {
        "source": source.name,
        "millesime": release.millesime,
        "cog_year": release.cog_year,
        "mode": mode,
        "file_name": release.file_name,
        "licence": source.licence,
        "publisher": source.publisher,
    }


def obtain(
    source: Source,
    release: Release,
    paths: Paths,
    mode: str,
    log: Callable[[str], None] | Any = None,
    *,
    settings: DownloadSettings | None = None,
    session=None,
) -> ObtainedFile:
    """The local file of ``release`` and its provenance.

    ``mode`` is ``sample`` or ``live``; ``log`` receives progress messages (a Dagster asset passes
    ``context.log.info``). Raises ``SampleMissing``, ``SourceUnavailable`` (live, no public file),
    ``LocateError`` or ``DownloadError`` with a message naming the source and what to do.
    """
    if mode == "sample":
        return _obtain_sample(source, release, paths)
    if mode == "live":
        return _obtain_live(source, release, paths, log, settings, session)
    raise ValueError(f"mode must be 'sample' or 'live', got {mode!r}")


def _obtain_sample(source: Source, release: Release, paths: Paths) -> ObtainedFile:
    path = sample_path(paths.sample_dir, source, release)
    if not path.is_file():
        raise SampleMissing(
            f"source {source.name!r}, millésime {release.millesime}: sample file missing at {path}. "
            "Generate the sample with `ti-pipeline generate-sample` (or `python -m ti_pipeline.sample`), point TI_SAMPLE_DIR at one, or run in live mode."
        )
    provenance = {
        **_base_provenance(source, release, "sample"),
        "url": path.resolve().as_uri(),
        "final_url": path.resolve().as_uri(),
        "size": path.stat().st_size,
        "sha256": file_sha256(path),
        "etag": None,
        "last_modified": None,
        "retrieved_at": _now(),
        "synthetic": True,  # the sample holds synthetic values (DESIGN.md decision 6)
    }
    return ObtainedFile(path, provenance)


def _obtain_live(source: Source, release: Release, paths: Paths, log, settings, session) -> ObtainedFile:
    location = locate(source, release, settings=settings, session=session)
    dest = cache_path(paths.cache, source, release)
    key = (str(dest), location.url)
    with _memo_lock:
        lock = _key_locks.setdefault(key, threading.Lock())
    with lock:
        hit = _memo.get(key)
        if hit and time.monotonic() - hit[0] < MEMO_SECONDS and hit[1].path.is_file():
            shared = hit[1]
            _emit(log, f"source {source.name}: reusing {dest.name}, obtained for {shared.provenance['source']} in this run")
            provenance = {**shared.provenance, **_base_provenance(source, release, "live"), "shared_with": shared.provenance["source"]}
            return ObtainedFile(shared.path, provenance)

        _emit(log, f"source {source.name}: fetching {location.url} ({location.method}) into {dest}")
        result = download(
            location.url,
            dest,
            source=source.name,
            millesime=release.millesime,
            settings=settings,
            session=session,
            progress=lambda event: _emit(log, event["message"]),
            expected_checksum=(location.resource or {}).get("checksum"),
            page=source.page,
            extra_manifest={"resource": location.resource} if location.resource else None,
        )
        m = result.manifest
        provenance = {
            **_base_provenance(source, release, "live"),
            "url": location.url,
            "official_url": location.official_url,
            "resolved_by": location.method,
            "final_url": m.get("final_url"),
            "size": m.get("size"),
            "sha256": m.get("sha256"),
            "etag": m.get("etag"),
            "last_modified": m.get("last_modified"),
            "retrieved_at": m.get("retrieved_at"),
            "revalidated_at": m.get("revalidated_at"),
            "download": result.status,
        }
        if location.resource:
            provenance["resource"] = location.resource
            published = location.resource.get("file_name")
            if published and published != release.file_name:
                # ANCT published a newer date-stamped file than the catalog names: use it, say so.
                provenance["published_file_name"] = published
                _emit(log, f"source {source.name}: the publisher's current file is {published} (catalog: {release.file_name})")
        obtained = ObtainedFile(result.path, provenance)
        _memo[key] = (time.monotonic(), obtained)
        return obtained


def clear_memo() -> None:
    """Forget files obtained in this process (tests; a long-lived process forcing a refresh)."""
    with _memo_lock:
        _memo.clear()


__all__ = ["ObtainedFile", "SampleMissing", "SourceUnavailable", "clear_memo", "file_sha256", "obtain"]
