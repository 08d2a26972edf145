"""Portraits: a readable HTML page per territory, built only from the published Parquet marts.

What belongs here: reading the marts as any downstream tool would (``marts``), choosing what a
portrait shows (the ``content`` package), French number formats (``formats``), inline SVG charts
(``svg``), the HTML (the ``render`` package), the build (``build``: into ``builds/portraits`` for
the next release, or into a folder of one's own), what the last build was made from (``state``). The Dagster asset is ``ti_pipeline.defs.portraits``.
What does not: any access to raw sources, the lake or SQL internals — if a portrait needs a figure,
it goes into a mart first; and any browser: the pages are written without one, and the headless
Chromium that checks them and takes the README's screenshots is dev tooling (``tests/browser.py``).

    from ti_pipeline.portraits import build_portraits
    build_portraits(paths.marts, Path("my-portraits"))   # from the current release's marts
"""

# Imported when first asked for (PEP 562): the release step imports ``portraits.state``
# without the build (its pandas and rendering modules).
_EXPORTS = {
    "PORTRAIT_MARTS": "marts",
    "MartsUnavailable": "marts",
    "PortraitsBuild": "build",
    "PortraitsOutputError": "build",
    "build_portraits": "build",
    "build_portraits_build": "build",
    "load_marts": "marts",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PORTRAIT_MARTS",
    "MartsUnavailable",
    "PortraitsBuild",
    "PortraitsOutputError",
    "build_portraits",
    "build_portraits_build",
    "load_marts",
]
