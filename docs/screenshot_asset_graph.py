"""Take the README's screenshot of the asset graph in a real headless Chromium.

    .venv/bin/python docs/screenshot_asset_graph.py                  # sample run, dagster dev, shot
    .venv/bin/python docs/screenshot_asset_graph.py --url http://127.0.0.1:3000   # a UI already running

Needs the dev dependencies (``pip install -e '.[dev]'``: Playwright) and the Debian package
``chromium``, which Playwright drives (``tests/browser.py``; no browser is downloaded). Without
``--url`` it runs the pipeline on the sample into a temporary folder (so the graph shows
materializations and passed checks), starts ``dagster dev`` on a free port with that instance, and
stops it at the end. In the browser: open the lineage of the census staging model, hide the
navigation, zoom in until the nodes show their details, capture ``docs/asset-graph.png``. Not run by
the tests: it takes about a minute and needs Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))  # the project's one headless-browser launcher (dev tooling)

from browser import chromium  # noqa: E402

# One screen that reads: the census sources (partitioned by vintage) through staging and the
# intermediate models to the indicators mart, grouped by layer (the whole graph has ~60 assets).
PAGE = "/assets/stg_rp?view=lineage&lineageScope=neighbors&lineageDepth=2"
ZOOM_STEPS = 1


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


def click_icon(page, icon: str) -> None:
    """Click the UI button drawn with the icon ``icon`` (Dagster's buttons carry no labels)."""
    found = page.evaluate(
        f"(() => {{ const b = [...document.querySelectorAll('button')].find(b => b.querySelector('[aria-label=\"{icon}\"]'));"
        " if (b) { b.click(); return true } return false })()"
    )
    if not found:
        raise RuntimeError(f"no button with icon {icon!r} on the page")


def screenshot(base: str, out: Path, width: int, height: int, path: str = PAGE, zoom: int = ZOOM_STEPS) -> None:
    # The "join the community" dialog shows once per instance on localhost: mark it seen.
    graphql(base, "mutation { setNuxSeen }")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        page.goto(base + path)
        # a function, not an expression string: the UI's CSP forbids eval of strings
        page.wait_for_function("() => document.body && document.body.innerText.includes('raw_rp_population')", timeout=120_000)
        page.wait_for_timeout(2000)
        click_icon(page, "panel_show_right")  # hide the navigation: more room for the graph
        for _ in range(zoom):  # close enough for the nodes to show kinds, checks and partitions
            page.wait_for_timeout(500)
            click_icon(page, "zoom_in")
        page.wait_for_timeout(3000)  # layout and the zoom animation
        out.write_bytes(page.screenshot(type="png"))


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
