"""The pipeline's one entry point to get the file of a release, in sample or live mode.

What belongs here: choosing between the embedded sample (``data/sample/<folder>/<millesime>/<file>``)
and a live download into the cache (``data/cache/<folder>/<millesime>/<file>``), and the provenance
record that travels with the data (DESIGN.md decision 8). After this call sample and live share every
line: the readers get a local path either way.

Sources that share a file (the COG zip for communes and regions, the EPCI workbook for two sheets)
download it once: a process-wide memo skips the second request for a few minutes, and the
downloader's file lock plus conditional request make other processes reuse the cached copy.

Not here: HTTP (``sources.download``), URL resolution and mirrors (``sources.locate``), parsing
(``sources.readers``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
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


SHA256_CACHE_FILE = ".sha256-cache.json"


def file_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """sha256 of a file, remembered by (path, size, modification time in ns, inode): in this
    process, and across processes in ``cache_dir/.sha256-cache.json`` when given (the national
    sample is 1.7 GB: hashing it again on every re-run costs seconds). Any write to the file
    changes its modification time, so a changed file is hashed again."""
    path = Path(path).resolve()
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key in _sha_cache:
        return _sha_cache[key]
    disk_key = f"{path}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"
    cache_file = Path(cache_dir) / SHA256_CACHE_FILE if cache_dir is not None else None
    known: dict = {}
    if cache_file is not None:
        try:
            known = json.loads(cache_file.read_text())
        except (OSError, ValueError):
            known = {}
        if disk_key in known:
            _sha_cache[key] = known[disk_key]
            return known[disk_key]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            h.update(chunk)
    _sha_cache[key] = h.hexdigest()
    if cache_file is not None:
        # keep the entries of files that still exist as they were; write atomically
        kept = {k: v for k, v in known.items() if not k.startswith(f"{path}|")}
        kept[disk_key] = _sha_cache[key]
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_name(f".tmp_{cache_file.name}.{os.getpid()}.{threading.get_ident()}")
            tmp.write_text(json.dumps(kept))
            os.replace(tmp, cache_file)
        except OSError:
            pass  # a cache only: hashing again next time is correct
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
        "sha256": file_sha256(path, cache_dir=paths.cache),
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
