"""The hosts live mode may contact: the official ones, and the mirrors configured in the environment.

What belongs here: the allow-list (``OFFICIAL_HOSTS`` of the catalog's URLs and data.gouv.fr, plus
mirror hosts, ``TI_<SOURCE>_URL`` hosts and ``TI_ALLOWED_HOSTS``) and the rewrite of an official
URL to its mirror (``TI_MIRROR_URL``, ``TI_MIRROR_<HOST>``; see ``locate`` for the whole story).
Both the downloader (every redirect hop) and ``locate`` ask it; it asks neither of them.

Not here: HTTP (``transport``, ``download``), resolving a release's URL (``locate``).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

from ti_pipeline.sources.catalog import SOURCES, Source

# The official hosts: those of the catalog's URLs, plus where data.gouv.fr serves its API and files.
OFFICIAL_HOSTS: frozenset[str] = frozenset(
    {urlsplit(r.url).hostname for s in SOURCES for r in s.releases if r.url}
    | {"www.data.gouv.fr", "static.data.gouv.fr", "object.files.data.gouv.fr", "www.insee.fr", "open.urssaf.fr", "unpkg.com"}
)


def _host_env(host: str) -> str:
    return "TI_MIRROR_" + re.sub(r"[^A-Z0-9]", "_", host.upper())


def mirror_for(host: str | None) -> str | None:
    """The mirror base URL configured for an official host, if any."""
    if not host or host.lower() not in OFFICIAL_HOSTS:
        return None
    return os.environ.get(_host_env(host.lower())) or os.environ.get("TI_MIRROR_URL") or None


def mirror_url(url: str) -> str:
    """``url`` rewritten to its mirror when one is configured for its host; unchanged otherwise."""
    parts = urlsplit(url)
    base = mirror_for(parts.hostname)
    if not base:
        return url
    b = urlsplit(base.rstrip("/"))
    return urlunsplit((b.scheme, b.netloc, b.path + parts.path, parts.query, parts.fragment))


def configured_url_env(source: Source) -> str:
    """The environment variable giving the URL of a source without a public file."""
    return f"TI_{source.name.upper()}_URL"


def release_url_env(source: Source, millesime: int) -> str:
    """The environment variable giving the URL of a vintage the catalog has no URL for (its
    publisher's page not found yet: Flores 2018-2021), ``TI_FLORES_A17_TD_2018_URL``."""
    return f"TI_{source.name.upper()}_{millesime}_URL"


def mirror_hosts() -> set[str]:
    """Hosts the configuration points at: mirrors, ``TI_<SOURCE>_URL`` hosts, ``TI_ALLOWED_HOSTS``."""
    hosts: set[str] = set()
    for name, value in os.environ.items():
        if not value:
            continue
        if name == "TI_MIRROR_URL" or name.startswith("TI_MIRROR_"):
            hosts.add(urlsplit(value).hostname or "")
        elif name == "TI_ALLOWED_HOSTS":
            hosts |= {h.strip().lower() for h in value.split(",") if h.strip()}
    for s in SOURCES:
        values = [os.environ.get(configured_url_env(s))]
        values += [os.environ.get(release_url_env(s, r.millesime)) for r in s.releases if not r.url]
        for value in values:
            if value:
                hosts.add(urlsplit(value).hostname or "")
    hosts.discard("")
    return {h.lower() for h in hosts}


def allowed_hosts() -> frozenset[str]:
    return OFFICIAL_HOSTS | mirror_hosts()


# ------------------------------------------------------------------------------------------------


__all__ = [
    "OFFICIAL_HOSTS",
    "allowed_hosts",
    "configured_url_env",
    "mirror_for",
    "mirror_hosts",
    "mirror_url",
    "release_url_env",
]
