"""Stopping a command half-way, for the tests: Ctrl-C as a terminal sends it, or ``kill -9``."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Callable


def signal_when(proc: subprocess.Popen, ready: Callable[[], bool], sig: int, *, settle: float = 0.5,
                wait_ready: float = 120, wait_stop: float = 30, whole_group: bool = True) -> float:
    """Once ``ready()`` (polled until ``wait_ready`` s), and ``settle`` s later, send ``sig`` to the
    whole process group of ``proc`` (started with ``start_new_session=True``), as a terminal does,
    or with ``whole_group=False`` to ``proc`` alone (``kill -9`` of the command, not of its workers);
    returns how long it took to stop. The group is killed if ``proc`` is still running at the end."""
    try:
        deadline = time.monotonic() + wait_ready
        while not ready() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert ready(), "the command never reached the point where it is to be interrupted"
        time.sleep(settle)
        interrupted = time.monotonic()
        if whole_group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        proc.wait(timeout=wait_stop)
        return time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def ctrl_c_when(proc: subprocess.Popen, ready: Callable[[], bool], *, settle: float = 0.5,
                wait_ready: float = 120, wait_stop: float = 30) -> float:
    """SIGINT to the whole process group of ``proc`` once ``ready()``, as Ctrl-C does (``signal_when``)."""
    return signal_when(proc, ready, signal.SIGINT, settle=settle, wait_ready=wait_ready, wait_stop=wait_stop)
