"""Headless Chromium for the project's checks and screenshots: Playwright driving the system Chromium.

Dev tooling, not runtime: the package builds its pages without any browser. ``playwright`` is a dev
dependency (``pip install -e '.[dev]'``) and drives Debian's Chromium at ``/usr/bin/chromium``
(``executable_path``); no browser is ever downloaded (``playwright install`` is not used: the
machines reach package registries only). ``.ci/run`` installs the Debian package when it is missing.

Used by ``tests/test_portraits.py`` (pages open without console errors, the index search works) and
by the screenshot scripts in ``docs/`` (which put this folder on ``sys.path``)::

    from browser import chromium, open_page, unavailable
    with chromium() as browser:
        report = open_page(browser, url, screenshot=True)
"""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
# No sandbox (containers run as root); nothing that phones home or updates itself.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def unavailable() -> str | None:
    """Why the browser cannot run here (a skip reason), or None when it can."""
    if not SYSTEM_CHROMIUM.exists():
        return f"no system Chromium at {SYSTEM_CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (a dev dependency: pip install -e '.[dev]')"
    return None


@contextmanager
def chromium(timeout_ms: float = 30_000) -> Iterator[Browser]:
    """One headless system Chromium for the block (launching it costs about a second)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(SYSTEM_CHROMIUM), headless=True, args=list(CHROMIUM_ARGS), timeout=timeout_ms
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageReport:
    url: str
    title: str
    errors: list[str] = field(default_factory=list)  # console errors, uncaught exceptions, failed requests
    probes: dict = field(default_factory=dict)
    screenshot: bytes | None = None


def open_page(browser: Browser, url: str, *, width: int = 1280, height: int = 900, probes: dict[str, str] | None = None,
              screenshot: bool = False, clip_height: int | None = None) -> PageReport:
    """Load ``url`` in a new page of ``width`` x ``height``, run the ``probes`` (name -> JavaScript
    expression), and take a PNG screenshot of the whole page, or of its top ``clip_height`` pixels."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type in ("error", "assert") else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} ({r.failure})"))
    try:
        page.goto(url, wait_until="load")
        report = PageReport(url=url, title=page.title(), errors=errors)
        for name, expression in (probes or {}).items():
            report.probes[name] = page.evaluate(expression)
        if screenshot:
            if clip_height:
                full = page.evaluate("Math.ceil(document.documentElement.scrollHeight)")
                clip = {"x": 0, "y": 0, "width": width, "height": min(full, clip_height)}
                report.screenshot = page.screenshot(clip=clip, full_page=True, type="png")
            else:
                report.screenshot = page.screenshot(full_page=True, type="png")
        return report
    finally:
        page.close()
