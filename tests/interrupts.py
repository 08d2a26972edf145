"""Ctrl-C as a terminal sends it, for the tests that stop a command half-way."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Callable


def ctrl_c_when(proc: subprocess.Popen, ready: Callable[[], bool], *, settle: float = 0.5,
                wait_ready: float = 120, wait_stop: float = 30) -> float:
    """Once ``ready()`` (polled until ``wait_ready`` s), and ``settle`` s later, SIGINT to the
    whole process group of ``proc`` (started with ``start_new_session=True``), as Ctrl-C does;
    returns how long it took to stop. ``proc`` is killed if it is still running at the end."""
    try:
        deadline = time.monotonic() + wait_ready
        while not ready() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert ready(), "the command never reached the point where it is to be interrupted"
        time.sleep(settle)
        interrupted = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=wait_stop)
        return time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
