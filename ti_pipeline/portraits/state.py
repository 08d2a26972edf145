"""Whether the portraits were built from the marts a release will hold: plain, no Dagster.

The pipeline builds the pages into ``builds/portraits/<build>/`` (``build.build_portraits_build``),
from the audited builds of the marts; a release links them beside those marts. A build records
what it was made from in ``builds/portraits/state.json``: the folder of every mart it read and a
hash of the portraits' code (``build_inputs``), and its own folder. The ``portraits`` asset
(``ti_pipeline.defs.portraits``) skips a build whose inputs are those recorded
(``up_to_date_build``), and the release checks the pages it links were built from its marts.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Mapping

from ti_pipeline.portraits.marts import PORTRAIT_MARTS

STATE_FILE = "state.json"


def builds_dir(paths) -> Path:
    """Where the pipeline's portrait builds are kept: ``builds/portraits``."""
    return paths.builds / "portraits"


def recorded_state(paths) -> dict:
    """What the last build recorded (empty if none, or unreadable)."""
    try:
        return json.loads((builds_dir(paths) / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def record_state(paths, inputs: dict, version_dir: Path) -> None:
    """Record a build (atomically: a reader sees the previous state or this one)."""
    state_path = builds_dir(paths) / STATE_FILE
    state_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_path.with_name(state_path.name + ".tmp")
    tmp.write_text(json.dumps({"inputs": inputs, "version_dir": str(Path(version_dir).resolve())}))
    os.replace(tmp, state_path)


def up_to_date_build(paths, inputs: dict) -> Path | None:
    """The kept build made from ``inputs`` (mart folders and code), or None."""
    state = recorded_state(paths)
    folder = Path(state.get("version_dir") or "/nonexistent")
    return folder if state.get("inputs") == inputs and folder.is_dir() else None


def build_from(paths, marts: Mapping[str, Path]) -> Path | None:
    """The kept build made from these mart folders and the current code, with or without PDFs
    (whichever the last build was asked for): what a release links."""
    state = recorded_state(paths)
    inputs = build_inputs(marts, pdf=bool((state.get("inputs") or {}).get("pdf")))
    return up_to_date_build(paths, inputs)


def code_hash() -> str:
    """Every module of this package and its sub-packages (content/, render/)."""
    code = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for f in sorted(package.rglob("*.py")):
        code.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes())
    return code.hexdigest()


def build_inputs(marts: Mapping[str, Path], pdf: bool = False) -> dict:
    """What the pages are a function of: the folder of each portrait mart read, the code, and
    whether PDFs are printed."""
    versions = {m: str(Path(marts[m]).resolve()) for m in PORTRAIT_MARTS if m in marts}
    return {"marts": versions, "code": code_hash(), "pdf": pdf}


__all__ = ["STATE_FILE", "build_from", "build_inputs", "builds_dir", "code_hash", "record_state", "recorded_state", "up_to_date_build"]
