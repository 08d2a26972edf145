"""Errors a user can cause, said in one line that names the setting or the path.

Two places: before any run (``preflight``: the settings of ``config`` and the folders the command
writes to, checked up front, so that a bad ``TI_INDUSTRY_SCOPE`` or an unusable ``TI_DATA_DIR`` is
one line and exit code 2 rather than a failure deep in a Dagster step), and after a run
(``explain``: an operating-system error met inside a step — a full disk, a denied permission, a
read-only file system — found in the error Dagster recorded and turned into one line naming the
path and what to do).

Not here: printing and exit codes (``cli``); the data problems of a run (``run_report``).
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

from ti_pipeline.config import Paths, get_industry_scope, get_mode


class UserError(Exception):
    """A problem the user can fix (a setting, a path): ``str()`` is the whole message."""


# what to do about an operating-system error, by errno
ADVICE = {
    errno.ENOSPC: "no space left on the device: free some space (or point TI_DATA_DIR elsewhere) and run again",
    errno.EDQUOT: "disk quota exceeded: free some space (or point TI_DATA_DIR elsewhere) and run again",
    errno.EACCES: "permission denied: give the user running ti-pipeline write access, or point TI_DATA_DIR elsewhere",
    errno.EPERM: "operation not permitted: give the user running ti-pipeline write access, or point TI_DATA_DIR elsewhere",
    errno.EROFS: "read-only file system: point TI_DATA_DIR to a writable folder",
    errno.ENOTDIR: "a file is in the way where a folder is expected: point TI_DATA_DIR to a folder",
    errno.EEXIST: "a file is in the way where a folder is expected: point TI_DATA_DIR to a folder",
}
# "[Errno 28] No space left on device: '/data/lake/...'" as Python prints an OSError
_ERRNO = re.compile(r"\[Errno (\d+)\] ([^:\n]+)(?:: '([^'\n]*)')?")
# DuckDB, SQLite (the Dagster instance) and others say it without the errno
_PHRASES = {"No space left on device": errno.ENOSPC, "database or disk is full": errno.ENOSPC, "Disk quota exceeded": errno.EDQUOT, "Read-only file system": errno.EROFS}


def describe_os_error(code: int, path: str | None, fallback: str = "") -> str:
    advice = ADVICE.get(code, fallback or os.strerror(code))
    return f"{path}: {advice}" if path else advice


def explain(text: str, data_dir: Path | None = None) -> str | None:
    """One line for an operating-system error in ``text`` (an error message, its causes), or None.
    Without a path in the message, the data folder is named (``TI_DATA_DIR``)."""
    where = f"in the data folder {data_dir} (TI_DATA_DIR)" if data_dir else None
    for match in _ERRNO.finditer(text or ""):
        code, path = int(match.group(1)), match.group(3)
        if code in ADVICE:
            return describe_os_error(code, path or where)
    for phrase, code in _PHRASES.items():
        if phrase in (text or ""):
            return describe_os_error(code, where)
    return None


def _writable_folder(path: Path, setting: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(path))
        with tempfile.NamedTemporaryFile(dir=path, prefix=".tmp_probe_"):
            pass
    except OSError as exc:
        where = exc.filename or path
        raise UserError(f"{setting}={path} cannot be used as a folder to write in: "
                        f"{describe_os_error(exc.errno or 0, str(where), exc.strerror or str(exc))}") from None


def preflight(paths: Paths, dagster_home: Path | None = None) -> str:
    """Check the settings and the folders of a run before it starts; returns the mode.
    ``UserError`` names the setting or path at fault."""
    try:
        mode = get_mode()
        get_industry_scope()
    except ValueError as exc:
        raise UserError(f"invalid setting: {exc}") from None
    if mode == "sample" and not paths.sample_dir.is_dir():
        raise UserError(f"TI_SAMPLE_DIR={paths.sample_dir} is not a folder: sample mode reads its files there")
    _writable_folder(paths.data_dir, "TI_DATA_DIR")
    if dagster_home is not None:
        _writable_folder(dagster_home, "DAGSTER_HOME")
    return mode
