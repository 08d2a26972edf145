"""A real HTTP server on 127.0.0.1 for the live-mode tests: real sockets, no mocks.

``LocalServer`` serves files at the paths of the live URLs, a data.gouv.fr-like dataset API, and
switchable behaviours queued per path (an error status, a delay past the client's timeout, a body
cut short, a redirect, an HTML error page). ``publish_catalog`` publishes a whole sample directory
the way the real publishers lay it out and returns the environment variables (``TI_MIRROR_URL``,
``TI_LAUREATS_TI_URL``) that point live mode at the server.

Import the fixtures into a test module: ``from http_server import local_server, mirrored``
(``tests`` is on ``sys.path`` under pytest's default import mode).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest


@dataclass
class Resource:
    data: bytes
    content_type: str = "application/octet-stream"
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Behaviour:
    kind: str  # status | delay | truncate | redirect
    code: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    seconds: float = 0.0
    nbytes: int = 0
    location: str = ""


def status(code: int, body: bytes = b"", content_type: str = "text/plain", **headers) -> Behaviour:
    return Behaviour("status", code=code, body=body, headers={"Content-Type": content_type, **headers})


def html_page(code: int, title: str) -> Behaviour:
    body = f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>".encode()
    return status(code, body, "text/html; charset=utf-8")


def delay(seconds: float) -> Behaviour:
    """Wait before answering (past the client's read timeout), then serve normally."""
    return Behaviour("delay", seconds=seconds)


def truncate(nbytes: int) -> Behaviour:
    """Announce the full Content-Length, send ``nbytes`` of the body, close the connection."""
    return Behaviour("truncate", nbytes=nbytes)


def redirect(location: str, code: int = 302) -> Behaviour:
    return Behaviour("redirect", code=code, location=location)


class LocalServer:
    def __init__(self) -> None:
        self.files: dict[str, Resource] = {}
        self.redirects: dict[str, tuple[int, str]] = {}
        self.queues: dict[str, deque[Behaviour]] = defaultdict(deque)
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> "LocalServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                try:
                    server._handle(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing to answer to

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- content ----------------------------------------------------------------------------------
    def add_file(self, path: str, data: bytes, content_type: str = "application/octet-stream", etag: bool | str = True) -> Resource:
        tag = (f'"{hashlib.sha1(data).hexdigest()[:16]}"' if etag is True else etag) or None
        res = Resource(data, content_type, tag, email.utils.formatdate(1720000000, usegmt=True))
        self.files[path] = res
        return res

    def add_json(self, path: str, obj) -> None:
        self.add_file(path, json.dumps(obj).encode(), "application/json", etag=False)

    def add_redirect(self, path: str, location: str, code: int = 302) -> None:
        self.redirects[path] = (code, location)

    def queue(self, path: str, *behaviours: Behaviour) -> None:
        """Behaviours for the next requests of ``path``, one per request, before normal service."""
        with self._lock:
            self.queues[path].extend(behaviours)

    def hits(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    # -- serving ----------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = urlsplit(h.path).path
        with self._lock:
            self.requests.append({"path": path, "query": urlsplit(h.path).query, "headers": dict(h.headers)})
            behaviour = self.queues[path].popleft() if self.queues[path] else None
        if behaviour is not None:
            if behaviour.kind == "delay":
                time.sleep(behaviour.seconds)
            elif behaviour.kind == "status":
                self._send(h, behaviour.code, behaviour.body, behaviour.headers)
                return
            elif behaviour.kind == "redirect":
                self._send(h, behaviour.code, b"", {"Location": behaviour.location})
                return
        if path in self.redirects:
            code, location = self.redirects[path]
            self._send(h, code, b"", {"Location": location})
            return
        res = self.files.get(path)
        if res is None:
            page = b"<!DOCTYPE html><html><head><title>Page not found</title></head><body>404</body></html>"
            self._send(h, 404, page, {"Content-Type": "text/html; charset=utf-8"})
            return
        if res.etag and h.headers.get("If-None-Match") == res.etag:
            self._send(h, 304, b"", {"ETag": res.etag})
            return
        headers = {"Content-Type": res.content_type}
        if res.etag:
            headers["ETag"] = res.etag
        if res.last_modified:
            headers["Last-Modified"] = res.last_modified
        if behaviour is not None and behaviour.kind == "truncate":
            h.send_response(200)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(res.data)))
            h.end_headers()
            h.wfile.write(res.data[: behaviour.nbytes])
            h.wfile.flush()
            h.close_connection = True
            return
        self._send(h, 200, res.data, headers)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict) -> None:
        h.send_response(code)
        for k, v in headers.items():
            h.send_header(k, v)
        if code != 304:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            h.wfile.write(body)

    # -- the publishers' layout -------------------------------------------------------------------
    def publish_catalog(self, sample_dir: Path, sources=None) -> dict[str, str]:
        """Serve every release of ``sources`` (default: the whole catalog) from ``sample_dir`` at the
        path of its live URL, with a data.gouv.fr-like dataset API for data.gouv.fr sources.

        Returns the environment variables that point live mode at this server.
        """
        from ti_pipeline.sources.catalog import SOURCES, sample_path
        from ti_pipeline.sources.locate import DATAGOUV_API, configured_url_env, release_url_env

        env = {"TI_MIRROR_URL": self.base_url}
        datasets: dict[str, list[dict]] = defaultdict(list)
        for source in sources or SOURCES:
            for release in source.releases:
                data = sample_path(Path(sample_dir), source, release).read_bytes()
                if source.synthetic_only:
                    path = f"/extracts/{source.name}/{release.file_name}"
                    self.add_file(path, data)
                    env[configured_url_env(source)] = self.url(path)
                elif release.url:
                    path = urlsplit(release.url).path
                    if "/datasets/r/" in path:
                        # data.gouv.fr's stable resource links redirect to static.data.gouv.fr.
                        static = f"/resources/{source.folder}/20220408-000000/{release.file_name}"
                        self.add_file(static, data)
                        self.add_redirect(path, "https://static.data.gouv.fr" + static)
                    else:
                        self.add_file(path, data)
                elif source.datagouv is not None:
                    m = re.search(r"(\d{8})", release.file_name)
                    stamp = f"{m.group(1)}-000000" if m else "20240101-000000"
                    path = f"/resources/{source.datagouv.dataset}/{stamp}/{release.file_name}"
                    self.add_file(path, data, "text/csv")
                    resources = datasets[source.datagouv.dataset]
                    if not any(r["title"] == release.file_name for r in resources):
                        resources.append(datagouv_resource(release.file_name, "https://static.data.gouv.fr" + path, data))
                else:
                    # a vintage whose page the catalog lacks: the URL a user would configure
                    path = f"/extracts/{source.name}/{release.millesime}/{release.file_name}"
                    self.add_file(path, data)
                    env[release_url_env(source, release.millesime)] = self.url(path)
        for slug, resources in datasets.items():
            self.set_dataset(slug, resources)
        return env

    def set_dataset(self, slug: str, resources: list[dict]) -> None:
        path = urlsplit(f"https://www.data.gouv.fr/api/1/datasets/{slug}/").path
        self.add_json(path, {"id": uuid.uuid5(uuid.NAMESPACE_URL, slug).hex, "slug": slug, "resources": resources})

    def dataset(self, slug: str) -> dict:
        return json.loads(self.files[f"/api/1/datasets/{slug}/"].data)


def datagouv_resource(title: str, url: str, data: bytes, last_modified: str = "2024-07-04T09:18:48+00:00") -> dict:
    """A resource as the data.gouv.fr API describes it."""
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, url)),
        "title": title,
        "url": url,
        "format": title.rsplit(".", 1)[-1],
        "filesize": len(data),
        "last_modified": last_modified,
        "checksum": {"type": "sha1", "value": hashlib.sha1(data).hexdigest()},
    }


@pytest.fixture
def local_server():
    server = LocalServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mirrored(local_server, monkeypatch):
    """The local server as the mirror of every official host; no other mirror configuration leaks in."""
    import os

    for name in list(os.environ):
        if name.startswith("TI_MIRROR_") or name == "TI_ALLOWED_HOSTS" or (name.startswith("TI_") and name.endswith("_URL")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TI_MIRROR_URL", local_server.base_url)
    return local_server
