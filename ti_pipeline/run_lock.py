"""One ``ti-pipeline run`` or ``backfill`` at a time per data folder: a lock file held with ``flock``.

``<data>/.ti-pipeline.lock`` is locked (``fcntl.flock``, exclusive) for the whole command and says who
holds it: pid, start time, command line. The lock belongs to the open file, so the operating system
releases it when the process ends, however it ends: a ``kill -9`` never leaves a stale lock, and
holding the lock proves that no other command of ours is writing to the folder (``recovery`` relies
on it). A second command refuses with a line naming the holder (``RunLockBusy``), or, asked to
wait, blocks until the lock is free.

Not here: what is cleaned once the lock is held (``recovery``); the runs themselves (``launch``).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

LOCK_NAME = ".ti-pipeline.lock"


class RunLockBusy(Exception):
    """Another process holds the data folder's lock; ``str()`` names it."""


def lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOCK_NAME


def holder(path: Path) -> str:
    """Who holds (or last held) the lock at ``path``, as the holder wrote it."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info.get("pid"):
        return "a process that has not yet said who it is"
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.get("started", 0)))
    return f"pid {info['pid']}, started {started}, command: {info.get('command', '?')}"


@contextmanager
def run_lock(data_dir: Path, *, wait: bool = False, on_wait: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold the lock of ``data_dir`` for the ``with`` block. Busy: ``RunLockBusy``, or with ``wait``
    block until it is free (``on_wait`` is told the holder first)."""
    path = lock_path(data_dir)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by the processes we start
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = holder(path)
            if not wait:
                raise RunLockBusy(f"another ti-pipeline command is using the data folder {data_dir} ({who})") from None
            if on_wait:
                on_wait(who)
            fcntl.flock(fd, fcntl.LOCK_EX)
        info = {"pid": os.getpid(), "started": time.time(), "command": " ".join(["ti-pipeline", *sys.argv[1:]])}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock (the OS does the same if the process dies)
