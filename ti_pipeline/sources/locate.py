"""Where live mode finds the file of a release, and the mirror configuration.

What belongs here: turning a catalog release into the URL to download, without downloading it.

- A release with a ``url`` in the catalog (Insee static files, the Urssaf export, Sirene, unpkg):
  that URL.
- A data.gouv.fr source (``source.datagouv``): the dataset API
  ``https://www.data.gouv.fr/api/1/datasets/<slug>/`` lists the resources; the one whose title or
  file name matches the catalog pattern is chosen (the newest date group when several match: ANCT
  uploads date-stamped files), and its ``last_modified``, ``checksum`` (``{"type": "sha1", ...}``)
  and id are recorded. Date-stamped URLs change; the dataset slug and the naming rule do not.
- A release without a URL in the catalog (its publisher's page not found yet: Flores 2018-2021):
  the URL in ``TI_<SOURCE>_<MILLESIME>_URL`` (``TI_FLORES_A17_TD_2018_URL``), or ``SourceUnavailable``
  (live mode then publishes the vintage as unavailable).
- A ``synthetic_only`` source (no public file, e.g. ``laureats_ti``): the URL in the environment
  variable ``TI_<SOURCE>_URL`` (``TI_LAUREATS_TI_URL``), or ``SourceUnavailable``.

Mirrors (how tests and air-gapped runs point live mode at another server, without code changes):

- ``TI_MIRROR_URL=http://127.0.0.1:8765`` rewrites every official host to that base URL, keeping
  path and query: ``https://www.insee.fr/fr/statistiques/fichier/8377162/x.zip`` becomes
  ``http://127.0.0.1:8765/fr/statistiques/fichier/8377162/x.zip``. The base may carry a path
  prefix (``http://mirror.local/ti``).
- ``TI_MIRROR_<HOST>`` rewrites one host only and wins over ``TI_MIRROR_URL``; ``<HOST>`` is the host
  in upper case with dots and dashes as underscores: ``TI_MIRROR_WWW_INSEE_FR``,
  ``TI_MIRROR_STATIC_DATA_GOUV_FR``, ``TI_MIRROR_OPEN_URSSAF_FR``, ``TI_MIRROR_UNPKG_COM`` ...
- The rewrite also applies to the resource URLs returned by the data.gouv.fr API and to redirect
  targets (the downloader calls ``mirror_url`` on every hop), so nothing leaks to the real host.
- Mirror hosts, and hosts of ``TI_<SOURCE>_URL`` variables, join the downloader's host allow-list.
  ``TI_ALLOWED_HOSTS`` (comma-separated) adds hosts when a publisher moves to a new one.

The mirror and allow-list functions live in ``hosts`` (re-exported here), which the downloader
asks too: ``locate`` depends on ``hosts`` and ``transport``, neither depends on ``locate``.

Not here: the HTTP machinery (``transport``, ``download``), the choice between sample and live (``obtain``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.sources.hosts import (  # noqa: F401 - re-exported: the mirror names were defined here
    OFFICIAL_HOSTS,
    allowed_hosts,
    configured_url_env,
    mirror_for,
    mirror_hosts,
    mirror_url,
    release_url_env,
)
from ti_pipeline.sources.transport import fetch_json

DATAGOUV_API = "https://www.data.gouv.fr/api/1/datasets/{slug}/"


class SourceUnavailable(RuntimeError):
    """Live mode cannot obtain this source at all (no public file and no configured URL)."""

    def __init__(self, source: str, message: str):
        self.source = source
        super().__init__(f"source {source!r}: {message}")


class LocateError(RuntimeError):
    """The publisher's listing does not hold the expected file (a renamed or removed resource)."""

    def __init__(self, source: str, url: str, message: str):
        self.source = source
        self.url = url
        super().__init__(f"source {source!r}, {url}: {message}")


@dataclass
class Location:
    source: str
    millesime: int
    url: str  # what the downloader fetches (mirror applied)
    official_url: str  # the publisher's URL
    method: str  # "catalog" | "datagouv" | "env"
    resource: dict = field(default_factory=dict)  # data.gouv.fr: id, title, url, last_modified, checksum, filesize



# ------------------------------------------------------------------------------------------------
# Resolution
# ------------------------------------------------------------------------------------------------
def _file_name(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def pick_resource(source: Source, resources: list[dict], api_url: str = "") -> dict:
    """Choose among a data.gouv.fr dataset's resources the one the catalog pattern names.

    The pattern is tried on the resource title and on the file name of its URL. When several
    match, the newest wins: by the pattern's date group, then by ``last_modified``.
    """
    assert source.datagouv is not None
    rx = re.compile(source.datagouv.pattern)
    candidates = []
    for r in resources:
        for name in (r.get("title") or "", _file_name(r.get("url") or "")):
            m = rx.search(name)
            if m:
                date = m.group(1) if rx.groups else ""
                candidates.append(((date or "", r.get("last_modified") or ""), r))
                break
    if not candidates:
        titles = [r.get("title") or _file_name(r.get("url") or "") for r in resources]
        raise LocateError(
            source.name,
            api_url or DATAGOUV_API.format(slug=source.datagouv.dataset),
            f"no resource of dataset {source.datagouv.dataset!r} matches {source.datagouv.pattern!r} "
            f"(title or file name). The publisher may have renamed it; available resources: {titles}. "
            "Update the pattern in ti_pipeline/sources/catalog/ once the right file is identified.",
        )
    return max(candidates, key=lambda c: c[0])[1]


def locate(source: Source, release: Release, settings=None, session=None) -> Location:
    """Resolve the live URL of ``release``; calls the data.gouv.fr API for data.gouv.fr sources."""
    if source.synthetic_only:
        env = configured_url_env(source)
        url = os.environ.get(env)
        if not url:
            raise SourceUnavailable(
                source.name,
                f"no public file exists for this source ({source.notes or source.title}). "
                f"Set {env} to the URL of the extract you received to use it in live mode.",
            )
        return Location(source.name, release.millesime, url, url, "env")
    if release.url:
        return Location(source.name, release.millesime, mirror_url(release.url), release.url, "catalog")
    if source.datagouv is None:
        env = release_url_env(source, release.millesime)
        url = os.environ.get(env)
        if url:
            return Location(source.name, release.millesime, url, url, "env")
        raise SourceUnavailable(
            source.name,
            f"millésime {release.millesime} has no URL in the catalog (its publisher's page was not found) "
            f"and no data.gouv.fr dataset; set {env} to the URL of {release.file_name} to read it in live mode",
        )

    api_url = DATAGOUV_API.format(slug=source.datagouv.dataset)
    body, _ = fetch_json(mirror_url(api_url), source=source.name, settings=settings, session=session)
    resources = body.get("resources") if isinstance(body, dict) else None
    if not isinstance(resources, list):
        raise LocateError(source.name, api_url, "the data.gouv.fr API answer has no 'resources' list")
    r = pick_resource(source, resources, api_url)
    if not r.get("url"):
        raise LocateError(source.name, api_url, f"resource {r.get('title')!r} has no URL")
    resource = {
        "id": r.get("id"),
        "title": r.get("title"),
        "url": r["url"],
        "file_name": _file_name(r["url"]),
        "last_modified": r.get("last_modified"),
        "checksum": r.get("checksum"),
        "filesize": r.get("filesize"),
        "dataset": source.datagouv.dataset,
    }
    return Location(source.name, release.millesime, mirror_url(r["url"]), r["url"], "datagouv", resource)


__all__ = [
    "DATAGOUV_API",
    "OFFICIAL_HOSTS",
    "Location",
    "LocateError",
    "SourceUnavailable",
    "allowed_hosts",
    "configured_url_env",
    "locate",
    "mirror_for",
    "mirror_hosts",
    "mirror_url",
    "pick_resource",
]
