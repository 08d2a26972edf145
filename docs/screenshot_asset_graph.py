"""Take the README's screenshot of the asset graph in a real headless Chromium.

    .venv/bin/python docs/screenshot_asset_graph.py                  # sample run, dagster dev, shot
    .venv/bin/python docs/screenshot_asset_graph.py --url http://127.0.0.1:3000   # a UI already running

Needs the Debian package ``chromium`` (``apt-get install -y chromium``). Without ``--url`` it runs
the pipeline on the sample into a temporary folder (so the graph shows materializations and passed
checks), starts ``dagster dev`` on a free port with that instance, and stops it at the end.

Chromium is driven through the DevTools protocol over a WebSocket (a few lines of the standard
library below, no extra package): open the lineage of the census staging model,
hide the navigation, zoom in until the nodes show their details, capture ``docs/asset-graph.png``. Not run by the tests: it
takes about a minute and needs Chromium.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# One screen that reads: the census sources (partitioned by vintage) through staging and the
# intermediate models to the indicators mart, grouped by layer (the whole graph has ~60 assets).
PAGE = "/assets/stg_rp?view=lineage&lineageScope=neighbors&lineageDepth=2"
ZOOM_STEPS = 1
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


# ------------------------------------------------------------------------------------------------
# A minimal WebSocket client (RFC 6455): text frames, client-side masking, no extensions
# ------------------------------------------------------------------------------------------------
class WebSocket:
    def __init__(self, url: str, timeout: float = 60):
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        self.sock.sendall(
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"WebSocket handshake refused: {head[:200]!r}")

    def send(self, text: str) -> None:
        data = text.encode()
        header = bytearray([0x81])
        n = len(data)
        if n < 126:
            header.append(0x80 | n)
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = secrets.token_bytes(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("WebSocket closed")
            buf += chunk
        return buf

    def recv(self) -> str:
        message = b""
        while True:
            b1, b2 = self._exact(2)
            n = b2 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(n)
            if b1 & 0x0F == 0x8:
                raise ConnectionError("WebSocket closed by the browser")
            message += payload
            if b1 & 0x80:
                return message.decode()


class DevTools:
    def __init__(self, ws_url: str):
        self.ws = WebSocket(ws_url)
        self.next_id = 0

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def wait_for(self, expression: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {seconds} s for {expression}")
            time.sleep(0.5)


# ------------------------------------------------------------------------------------------------
# The UI and the browser
# ------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(base: str, query: str) -> dict:
    req = urllib.request.Request(base + "/graphql", json.dumps({"query": query}).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def start_ui(home: Path, data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "TI_DATA_DIR": str(data), "TI_MODE": "sample"}
    proc = subprocess.Popen(
        [str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            entries = graphql(base, "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }")
            if all(e["loadStatus"] == "LOADED" for e in entries["data"]["workspaceOrError"]["locationEntries"]):
                return proc, base
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.5)
    stop(proc)
    raise TimeoutError("dagster dev did not start in 180 s")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def stop(proc: subprocess.Popen, first: int = signal.SIGINT) -> None:
    """Ctrl+C to the whole group (what dagster dev expects), then SIGKILL whatever lingers: the
    parent exits first and a code server of the group can outlive it."""
    pgid = proc.pid
    if group_alive(pgid):
        os.killpg(pgid, first)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 10
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
    proc.wait(timeout=10)


def click_icon(tools: DevTools, icon: str) -> None:
    """Click the UI button drawn with the icon ``icon`` (Dagster's buttons carry no labels)."""
    found = tools.evaluate(
        f"(() => {{ const b = [...document.querySelectorAll('button')].find(b => b.querySelector('[aria-label=\"{icon}\"]'));"
        " if (b) { b.click(); return true } return false })()"
    )
    if not found:
        raise RuntimeError(f"no button with icon {icon!r} on the page")


def screenshot(base: str, out: Path, width: int, height: int, path: str = PAGE, zoom: int = ZOOM_STEPS) -> None:
    # The "join the community" dialog shows once per instance on localhost: mark it seen.
    graphql(base, "mutation { setNuxSeen }")
    profile = Path(tempfile.mkdtemp(prefix="chromium-"))
    port = free_port()
    chrome = subprocess.Popen(
        [shutil.which("chromium") or "chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
         f"--remote-debugging-port={port}", f"--window-size={width},{height}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as resp:
                    page = next(t for t in json.loads(resp.read()) if t["type"] == "page")
                break
            except Exception:  # noqa: BLE001 - Chromium not listening yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        tools.call("Page.navigate", url=base + path)
        tools.wait_for("document.body && document.body.innerText.includes('raw_rp_population')", 120)
        time.sleep(2)
        click_icon(tools, "panel_show_right")  # hide the navigation: more room for the graph
        for _ in range(zoom):  # close enough for the nodes to show kinds, checks and partitions
            time.sleep(0.5)
            click_icon(tools, "zoom_in")
        time.sleep(3)  # layout and the zoom animation
        data = tools.call("Page.captureScreenshot", format="png")["data"]
        out.write_bytes(base64.b64decode(data))
    finally:
        stop(chrome, signal.SIGTERM)
        shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a Dagster UI already running (default: start one on the sample)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "asset-graph.png"))
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--page", default=PAGE, help=f"UI path to capture (default {PAGE})")
    parser.add_argument("--zoom", type=int, default=ZOOM_STEPS, help="zoom-in clicks")
    args = parser.parse_args()
    out = Path(args.out)
    if args.url:
        screenshot(args.url.rstrip("/"), out, args.width, args.height, args.page, args.zoom)
    else:
        work = Path(tempfile.mkdtemp(prefix="ti-ui-"))
        home, data = work / "dagster_home", work / "data"
        env = {**os.environ, "DAGSTER_HOME": str(home), "TI_DATA_DIR": str(data), "TI_MODE": "sample"}
        subprocess.run([str(BIN / "ti-pipeline"), "run", "--log-level", "WARNING"], cwd=ROOT, env=env, check=True)
        proc, base = start_ui(home, data)
        try:
            screenshot(base, out, args.width, args.height, args.page, args.zoom)
        finally:
            stop(proc)
            shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out} ({out.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
