"""Whether the published portraits are those the current marts and code would build: plain, no Dagster.

A build records what it was made from in ``data/.portraits.state.json``: the published version
of every mart it read and a hash of the portraits' code (``build_inputs``), and the version folder
it published. The ``portraits`` asset (``ti_pipeline.defs.portraits``) skips a build whose inputs are those recorded,
(``portraits_up_to_date``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ti_pipeline.portraits.marts import PORTRAIT_MARTS

STATE_FILE = ".portraits.state.json"


def default_out_dir(data_dir: Path) -> Path:
    """Where the pages are published: ``data/portraits`` (a symlink to the current version)."""
    return Path(data_dir) / "portraits"


def recorded_state(paths) -> dict:
    """What the last build recorded (empty if none, or unreadable)."""
    try:
        return json.loads((paths.data_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def record_state(paths, inputs: dict, version_dir: Path) -> None:
    """Record a build (atomically: a reader sees the previous state or this one)."""
    state_path = paths.data_dir / STATE_FILE
    tmp = state_path.with_name(state_path.name + ".tmp")
    tmp.write_text(json.dumps({"inputs": inputs, "version_dir": str(Path(version_dir).resolve())}))
    os.replace(tmp, state_path)


def portraits_up_to_date(paths, inputs: dict | None = None) -> bool:
    """Whether the published pages were built from the current mart versions and code."""
    state = recorded_state(paths)
    inputs = build_inputs(paths.marts) if inputs is None else inputs
    out = default_out_dir(paths.data_dir)
    return (
        state.get("inputs") == inputs
        and Path(state.get("version_dir", "")).is_dir()
        and out.resolve() == Path(state["version_dir"])
    )


def build_inputs(marts_dir: Path, pdf: bool = False) -> dict:
    """What the pages are a function of: the published version of each mart, the code (every
    module of this package and its sub-packages) and whether PDFs are printed."""
    code = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for f in sorted(package.rglob("*.py")):  # sub-packages too (content/, render/)
        code.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes())
    versions = {m: str((marts_dir / m).resolve()) for m in PORTRAIT_MARTS if (marts_dir / m).exists()}
    return {"marts": versions, "code": code.hexdigest(), "pdf": pdf}


__all__ = ["STATE_FILE", "build_inputs", "default_out_dir", "portraits_up_to_date", "record_state", "recorded_state"]
