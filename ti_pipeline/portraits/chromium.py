"""Open a page in headless Chromium: screenshot, console messages, and a JavaScript probe.

Used by the tests (a portrait must load without console errors) and to refresh the README
screenshot. It talks to Chromium over the DevTools protocol with a minimal WebSocket client written
here on the standard library (text frames, masking, fragmentation, ping/close), so neither the
tests nor the package need Selenium, Playwright or a websocket dependency.

    python -m ti_pipeline.portraits.chromium data/portraits/ti-8402.html docs/portrait.png --height 1400

Chromium comes from the system (Debian package ``chromium``); ``$CHROMIUM`` names another binary.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# The flags the project settled on: no sandbox (containers run as root), nothing that phones home.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


class ChromiumError(RuntimeError):
    pass


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return shutil.which(explicit) or (explicit if Path(explicit).exists() else None)
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


# --- a minimal WebSocket client (RFC 6455), enough for the DevTools protocol ----------------------


class WebSocket:
    def __init__(self, url: str, timeout: float = 30.0):
        u = urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        path = u.path + (f"?{u.query}" if u.query else "")
        # no Origin header: Chromium only checks --remote-allow-origins for requests that send one
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ChromiumError("DevTools closed the connection during the WebSocket handshake")
            head += chunk
        status, _, self._buffer = head.partition(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n")[0]:
            raise ChromiumError(f"WebSocket handshake refused: {status.decode(errors='replace')}")

    def _read(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self._buffer)))
            if not chunk:
                raise ChromiumError("DevTools closed the connection")
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send(self, text: str) -> None:
        self._send_frame(0x1, text.encode("utf-8"))

    def recv(self) -> str:
        message = b""
        while True:
            b0, b1 = self._read(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._read(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._read(8))
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ChromiumError("DevTools closed the WebSocket")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if fin:
                    return message.decode("utf-8")

    def close(self) -> None:
        try:
            self._send_frame(0x8, b"")
        except OSError:
            pass
        self.sock.close()


# --- DevTools session ----------------------------------------------------------------------------


@dataclass
class ConsoleMessage:
    level: str  # error, warning, info...
    source: str  # console-api, exception, network, javascript...
    text: str
    url: str | None = None


@dataclass
class PageReport:
    url: str
    title: str
    console: list[ConsoleMessage] = field(default_factory=list)
    screenshot: bytes | None = None
    probes: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[ConsoleMessage]:
        return [m for m in self.console if m.level in ("error", "assert")]


class DevTools:
    def __init__(self, ws: WebSocket, timeout: float = 30.0):
        self.ws = ws
        self.timeout = timeout
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        # wait_event and drain shorten the socket timeout: a call gets the full one back
        self.ws.sock.settimeout(self.timeout)
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise ChromiumError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        for i, ev in enumerate(self.events):
            if ev["method"] == method:
                return self.events.pop(i)
        while time.monotonic() < deadline:
            self.ws.sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                msg = json.loads(self.ws.recv())
            except socket.timeout:
                break
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)
        raise ChromiumError(f"no {method} within {timeout} s")

    def drain(self, seconds: float) -> None:
        """Collect the events arriving during ``seconds`` (late console errors, for instance)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.ws.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                msg = json.loads(self.ws.recv())
            except socket.timeout:
                return
            if "method" in msg:
                self.events.append(msg)

    def console_messages(self) -> list[ConsoleMessage]:
        out = []
        for ev in self.events:
            p = ev.get("params", {})
            if ev["method"] == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                level = {"warning": "warning", "error": "error", "assert": "assert"}.get(p.get("type"), p.get("type", "log"))
                out.append(ConsoleMessage(level, "console-api", text))
            elif ev["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                text = d.get("exception", {}).get("description") or d.get("text", "exception")
                out.append(ConsoleMessage("error", "exception", text, d.get("url")))
            elif ev["method"] == "Log.entryAdded":
                entry = p.get("entry", {})
                out.append(ConsoleMessage(entry.get("level", "info"), entry.get("source", "other"), entry.get("text", ""), entry.get("url")))
        return out


class Chromium:
    """One headless Chromium process, driven through one page target; use as a context manager."""

    def __init__(self, binary: str | None = None, width: int = 1280, height: int = 900, timeout: float = 30.0):
        self.binary = binary or find_chromium()
        if not self.binary:
            raise ChromiumError("Chromium not found (Debian: apt-get install chromium; or set $CHROMIUM)")
        self.width, self.height, self.timeout = width, height, timeout
        self.proc: subprocess.Popen | None = None
        self.profile: str | None = None
        self.devtools: DevTools | None = None

    def __enter__(self) -> "Chromium":
        self.profile = tempfile.mkdtemp(prefix="ti-chromium-")
        self.proc = subprocess.Popen(
            [self.binary, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={self.width},{self.height}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        port = self._wait_port()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
        deadline = time.monotonic() + self.timeout
        while True:
            targets = json.loads(opener.open(f"http://127.0.0.1:{port}/json/list", timeout=self.timeout).read())
            pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
            if pages or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if not pages:
            raise ChromiumError("Chromium started without a page target")
        self.devtools = DevTools(WebSocket(pages[0]["webSocketDebuggerUrl"], timeout=self.timeout), self.timeout)
        for domain in ("Page", "Runtime", "Log"):
            self.devtools.call(f"{domain}.enable")
        self.devtools.call(
            "Emulation.setDeviceMetricsOverride", width=self.width, height=self.height, deviceScaleFactor=1, mobile=False
        )
        return self

    def _wait_port(self) -> int:
        active = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace")[-2000:]
                raise ChromiumError(f"Chromium exited with {self.proc.returncode}: {err}")
            if active.exists():
                first = active.read_text().splitlines()[:1]
                if first and first[0].strip().isdigit():
                    return int(first[0])
            time.sleep(0.05)
        raise ChromiumError("Chromium did not open its DevTools port")

    def __exit__(self, *exc) -> None:
        if self.devtools is not None:
            self.devtools.ws.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)

    def evaluate(self, expression: str):
        result = self.devtools.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise ChromiumError(f"{expression!r}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def open(self, url: str, screenshot: bool = False, full_page: bool = False, clip_height: int | None = None,
             probes: dict[str, str] | None = None, settle: float = 0.3, clip_top: int = 0) -> PageReport:
        """Load ``url``, wait for its load event, run the ``probes`` (name -> JS expression), screenshot."""
        dt = self.devtools
        dt.events.clear()
        dt.call("Page.navigate", url=url)
        dt.wait_event("Page.loadEventFired", timeout=self.timeout)
        dt.drain(settle)
        report = PageReport(url=url, title=self.evaluate("document.title") or "")
        for name, expression in (probes or {}).items():
            report.probes[name] = self.evaluate(expression)
        if screenshot:
            params: dict = {"format": "png"}
            if full_page or clip_height or clip_top:
                height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)") - clip_top
                if clip_height:
                    height = min(height, clip_height)
                params["clip"] = {"x": 0, "y": clip_top, "width": self.width, "height": height, "scale": 1}
                params["captureBeyondViewport"] = True
            report.screenshot = base64.b64decode(dt.call("Page.captureScreenshot", **params)["data"])
        dt.drain(0.1)
        report.console = dt.console_messages()
        return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshot a page in headless Chromium and list its console messages.")
    parser.add_argument("page", help="a file path or URL")
    parser.add_argument("png", help="where to write the screenshot")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, help="crop the page to this height (default: the whole page)")
    args = parser.parse_args(argv)
    url = args.page if "://" in args.page else Path(args.page).absolute().as_uri()
    with Chromium(width=args.width, height=900) as browser:
        report = browser.open(url, screenshot=True, full_page=args.height is None, clip_height=args.height)
    Path(args.png).write_bytes(report.screenshot)
    for m in report.console:
        print(f"[{m.level}] {m.source}: {m.text}", file=sys.stderr)
    print(f"{args.png}: {len(report.screenshot)} bytes, {len(report.errors)} console errors")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
