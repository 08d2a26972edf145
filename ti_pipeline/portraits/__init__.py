"""Portraits: a readable HTML page per territory, built only from the published Parquet marts.

What belongs here: reading the marts as any downstream tool would (``marts``), choosing what a
portrait shows (``content``), French number formats (``formats``), inline SVG charts (``svg``), the
HTML (``render``), the build and its atomic publication (``build``), the Dagster asset (``assets``)
and a small headless-Chromium driver for screenshots and console checks (``chromium``).
What does not: any access to raw sources, the lake or SQL internals — if a portrait needs a figure,
it goes into a mart first.

    from ti_pipeline.portraits import build_portraits
    build_portraits(paths.marts, paths.data_dir / "portraits")
"""

from ti_pipeline.portraits.build import PortraitsBuild, PortraitsOutputError, build_portraits, default_out_dir
from ti_pipeline.portraits.marts import PORTRAIT_MARTS, MartsUnavailable, load_marts

__all__ = [
    "PORTRAIT_MARTS",
    "MartsUnavailable",
    "PortraitsBuild",
    "PortraitsOutputError",
    "build_portraits",
    "default_out_dir",
    "load_marts",
]
