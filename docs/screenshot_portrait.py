"""Take the README's screenshot of a portrait in headless Chromium, and list the page's errors.

    .venv/bin/python docs/screenshot_portrait.py data/portraits/ti-8402.html docs/portrait-ti-8402.png --width 1100 --height 1100

Needs the dev dependencies (``pip install -e '.[dev]'``: Playwright) and the Debian package
``chromium``, which Playwright drives (``tests/browser.py``; no browser is downloaded). Exits 1 when
the page logs a console error, throws, or fails to load a resource.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the project's one headless-browser launcher (dev tooling)

from browser import chromium, open_page  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", help="a file path or URL")
    parser.add_argument("png", help="where to write the screenshot")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, help="crop the page to this height (default: the whole page)")
    args = parser.parse_args(argv)
    url = args.page if "://" in args.page else Path(args.page).absolute().as_uri()
    with chromium() as browser:
        report = open_page(browser, url, width=args.width, height=900, screenshot=True, clip_height=args.height)
    Path(args.png).write_bytes(report.screenshot)
    for error in report.errors:
        print(error, file=sys.stderr)
    print(f"{args.png}: {len(report.screenshot)} bytes, {len(report.errors)} errors")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
