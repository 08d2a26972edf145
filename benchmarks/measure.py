"""Running one command in a subprocess and measuring it: wall time, CPU time, peak memory, timeline.

The child runs in its own session (process group). While it runs, ``/proc`` is sampled every
``interval`` seconds for its whole process tree: resident memory (sum over the tree) and CPU time
(user + system, reaped children included), so that a stage's CPU and peak memory can be read off
the timeline between two timestamps (``stages``). When the child ends, ``os.wait4`` gives its own
resource usage (``ru_maxrss``: the largest resident set of the child or of a descendant it
waited for), which covers a peak shorter than the sampling interval. CPU time is the larger of
``wait4``'s and the tree's last sample: a descendant its parent never waited for (reparented when
its parent exits) is in the second only.

A memory budget protects the shared machine: past ``mem_limit_bytes`` (tree RSS) the process
group is killed and the result says so.
"""

from __future__ import annotations

import bisect
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Measurement:
    command: list[str]
    returncode: int
    wall_s: float
    cpu_user_s: float
    cpu_sys_s: float
    peak_rss_bytes: int  # max(sampled tree RSS, ru_maxrss)
    started_at: float  # time.time() at start, to align with Dagster event timestamps
    killed_for_memory: bool = False
    samples: list[tuple[float, int, float]] = field(default_factory=list)  # (time.time(), tree RSS, tree CPU s)

    @property
    def cpu_tree_s(self) -> float:
        """CPU seconds of the whole process tree, from the samples (descendants included)."""
        return max((s[2] for s in self.samples), default=0.0)

    @property
    def cpu_s(self) -> float:
        """CPU seconds: the larger of ``wait4``'s and the sampled tree's. ``wait4`` counts the
        process and the descendants it waited for, not those it did not (when the raw runs ran in
        a fork server's workers, ``wait4`` alone missed about 25 of the national run's 60 CPU-s).
        The samples miss at most the last interval of a process."""
        return max(self.cpu_user_s + self.cpu_sys_s, self.cpu_tree_s)

    def summary(self) -> dict:
        return {
            "returncode": self.returncode,
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "cpu_user_s": round(self.cpu_user_s, 3),
            "cpu_sys_s": round(self.cpu_sys_s, 3),
            "cpu_tree_s": round(self.cpu_tree_s, 3),
            "peak_rss_bytes": self.peak_rss_bytes,
            "killed_for_memory": self.killed_for_memory,
        }


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(ppid, CPU seconds incl. reaped children, RSS bytes) of ``pid``, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()
    # fields[0] is field 3 (state): ppid = 4, utime..cstime = 14..17, rss = 24 (in pages)
    ppid = int(fields[1])
    cpu = sum(int(x) for x in fields[11:15]) / TICKS
    rss = int(fields[21]) * PAGE
    return ppid, cpu, rss


def tree_usage(root: int) -> tuple[int, float]:
    """(RSS bytes, CPU s) summed over ``root`` and its descendants."""
    stats: dict[int, tuple[int, float, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            s = _stat(int(entry))
            if s is not None:
                stats[int(entry)] = s
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    rss = 0
    cpu = 0.0
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            rss += stats[pid][2]
            cpu += stats[pid][1]
        todo.extend(children.get(pid, []))
    return rss, cpu


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    interval: float = 0.2,
    mem_limit_bytes: int | None = None,
) -> Measurement:
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    started_at = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    samples: list[tuple[float, int, float]] = []
    killed = threading.Event()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, cpu = tree_usage(proc.pid)
            samples.append((time.time(), rss, cpu))
            if mem_limit_bytes and rss > mem_limit_bytes and not killed.is_set():
                killed.set()
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    if log_path:
        log.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = max([usage.ru_maxrss * 1024] + [s[1] for s in samples])
    return Measurement(
        command=list(command),
        returncode=proc.returncode,
        wall_s=wall,
        cpu_user_s=usage.ru_utime,
        cpu_sys_s=usage.ru_stime,
        peak_rss_bytes=peak,
        started_at=started_at,
        killed_for_memory=killed.is_set(),
        samples=samples,
    )


def _cpu_at(samples: list[tuple[float, int, float]], t: float) -> float:
    """Cumulative CPU seconds of the tree at instant ``t``, interpolated between two samples."""
    times = [x[0] for x in samples]
    i = bisect.bisect_left(times, t)
    if i == 0:
        return samples[0][2]
    if i == len(samples):
        return samples[-1][2]
    (t0, _, c0), (t1, _, c1) = samples[i - 1], samples[i]
    return c0 + (c1 - c0) * ((t - t0) / (t1 - t0) if t1 > t0 else 1.0)


def window(samples: list[tuple[float, int, float]], start: float, end: float) -> tuple[float, int]:
    """(CPU seconds, peak tree RSS) between two ``time.time()`` instants, from the samples.

    CPU is interpolated at both ends, so consecutive windows add up to the whole; the peak is the
    largest sample inside the window or on either side of it (a step shorter than the sampling
    interval is seen through its neighbours)."""
    if not samples:
        return 0.0, 0
    cpu = max(_cpu_at(samples, end) - _cpu_at(samples, start), 0.0)
    times = [x[0] for x in samples]
    lo = max(bisect.bisect_left(times, start) - 1, 0)
    hi = min(bisect.bisect_right(times, end) + 1, len(samples))
    return cpu, max(x[1] for x in samples[lo:hi])
