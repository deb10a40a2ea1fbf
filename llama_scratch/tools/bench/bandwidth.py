"""The machine's memory bandwidth, measured with torch: a STREAM-like read / copy / triad over arrays far larger
than the CPU's caches, on torch's threads. Decode at batch 1 cannot read its weights faster than this.

Bytes are counted the way STREAM counts them: read a.sum() = 1 array, copy b.copy_(a) = 2 arrays (read a, write
b), triad a = b + 3 c = 3 arrays; the write-allocate traffic a CPU may add for the written array is not counted.
Each kernel's best of ``repeats`` runs is reported; ``limit`` is the highest of the three, the strictest yardstick
for a decode step (which only reads its weights).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import torch

DEFAULT_ARRAY_BYTES = 256 * 2**20  # per array; at least 4x the last-level cache (STREAM's rule), see array_bytes
KERNELS = ("read", "copy", "triad")


def last_level_cache_bytes() -> int:
    """Size of the CPU's largest cache from sysconf or /sys (Linux); 0 where unknown."""
    sizes = []
    for name in ("SC_LEVEL3_CACHE_SIZE", "SC_LEVEL2_CACHE_SIZE"):
        try:
            sizes.append(os.sysconf(name) or 0)
        except (ValueError, OSError):
            pass
    for path in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):  # "32768K"
        text = path.read_text().strip()
        units = {"K": 2**10, "M": 2**20, "G": 2**30}
        sizes.append(int(text[:-1]) * units[text[-1]] if text[-1:] in units else int(text or 0))
    return max(sizes, default=0)


def array_bytes(requested: int = DEFAULT_ARRAY_BYTES) -> int:
    """Bytes per array: ``requested``, raised to 4x the last-level cache when that is larger."""
    return max(requested, 4 * last_level_cache_bytes())


def _sync(device: torch.device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@torch.inference_mode()
def stream_bandwidth(n_bytes: int | None = None, repeats: int = 10, device="cpu") -> dict:
    """Measure read, copy and triad bandwidth (bytes/s, best of ``repeats``) on float32 arrays of ``n_bytes``
    each (default: array_bytes()). Returns {"read", "copy", "triad", "limit" (the highest), "array_bytes",
    "threads", "repeats"}."""
    device = torch.device(device)
    n_bytes = array_bytes() if n_bytes is None else n_bytes
    n = n_bytes // 4
    a, b, c = (torch.ones(n, device=device) for _ in range(3))  # [n] float32 each, every page touched
    kernels = {
        "read": (lambda: a.sum(), 1),
        "copy": (lambda: b.copy_(a), 2),
        "triad": (lambda: torch.add(b, c, alpha=3.0, out=a), 3),
    }
    best = {name: float("inf") for name in kernels}
    for _ in range(repeats):  # the kernels interleaved, so that a busy moment hits all three alike
        for name, (kernel, _) in kernels.items():
            _sync(device)
            start = time.perf_counter()
            kernel()
            _sync(device)
            best[name] = min(best[name], time.perf_counter() - start)
    result = {name: arrays * n * 4 / best[name] for name, (_, arrays) in kernels.items()}
    result["limit"] = max(result[name] for name in KERNELS)
    return {**result, "array_bytes": n * 4, "threads": torch.get_num_threads(), "repeats": repeats}
