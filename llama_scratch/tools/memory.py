"""Process memory: the peak and current resident set size of this process or another (a notebook's kernel)."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil


def vmhwm_bytes(pid="self") -> int | None:
    """Peak resident set size of a process from /proc/<pid>/status (VmHWM, Linux); None where there is none."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def peak_rss_bytes() -> int:
    """Peak resident set size of this process: VmHWM on Linux (per address space, so not inherited from the
    parent across fork+exec, unlike ru_maxrss), else ru_maxrss."""
    peak = vmhwm_bytes()
    if peak is not None:
        return peak
    import resource  # Unix only: imported where it is needed, so this module still imports on Windows

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def rss_bytes() -> int:
    """Current resident set size of this process."""
    return psutil.Process().memory_info().rss


def process_peak_rss(pid: int) -> int | None:
    """Peak resident memory of process ``pid`` so far: VmHWM on Linux, else its current RSS; None if unknown."""
    peak = vmhwm_bytes(pid)
    if peak is not None:
        return peak
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:  # no such process, no permission: unknown
        return None
