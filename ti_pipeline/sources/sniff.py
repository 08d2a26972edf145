"""First looks at a file, from its first bytes: what it obviously is when it is not data (an HTML
page, an XML or JSON error document), and the separator of a CSV.

Asked of a download's first bytes (``download``) and of a file about to be read (``readers``), so
that the error says "an HTML page (title: 'Maintenance')" rather than a parser's complaint. Plain
standard library: ``download`` imports it, and the up-to-date check imports ``download`` before
anything heavy.
"""

from __future__ import annotations

import csv
import io
import json
import re

SNIFF_BYTES = 64 * 1024
SEPARATORS = (";", ",", "\t")


def describe_non_data(head: bytes) -> str | None:
    """Say what ``head`` (the first bytes of a file) is when it is obviously not a data file.

    Returns ``None`` when nothing is wrong with it at first sight.
    """
    if not head.strip():
        return "an empty file"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().decode("utf-8", errors="replace")
    lower = text[:2048].lower()
    if lower.startswith(("<!doctype html", "<html", "<head", "<body")) or (
        lower.startswith("<") and ("<html" in lower or "<body" in lower or "<title" in lower)
    ):
        m = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        title = " ".join(m.group(1).split())[:120] if m else ""
        return f"an HTML page (title: {title!r})" if title else "an HTML page"
    if lower.startswith("<?xml") and "<error" in lower:
        m = re.search(r"<message>(.*?)</message>", text, re.IGNORECASE | re.DOTALL)
        return f"an XML error document (message: {m.group(1).strip()[:200]!r})" if m else "an XML error document"
    if lower.startswith("{"):
        try:
            body = json.loads(text)
        except ValueError:
            return None  # a truncated head of a large document: let the format reader decide
        if isinstance(body, dict):
            msg = next((str(body[k]) for k in ("message", "error", "detail", "title") if k in body), None)
            return f"a JSON object (message: {msg[:200]!r})" if msg else f"a JSON object with keys {sorted(body)[:10]}"
    return None


__all__ = ["describe_non_data"]


def sniff_separator(sample: str) -> str:
    """Pick the separator among ``;``, ``,`` and tab from the first lines of a CSV.

    The winner splits every sampled line into the same number of fields (quotes respected), with
    the most fields; free text with stray commas in a ``;`` file therefore does not fool it.
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1:
        lines = lines[:-1] if not sample.endswith(("\n", "\r")) else lines  # drop a cut last line
    text = "".join(lines[:200])
    best, best_key = ",", (False, 0)
    for sep in SEPARATORS:
        try:
            rows = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        consistent = all(len(r) == width for r in rows)
        key = (consistent and width > 1, width if consistent else 0)
        if key > best_key:
            best, best_key = sep, key
    if best_key == (False, 0):
        # Inconsistent everywhere (ragged file): trust the header line.
        header = text.splitlines()[0] if text else ""
        best = max(SEPARATORS, key=header.count)
    return best
