"""The matrix-vector products of one decode step alone: the same weights, in the same order, through the same
F.linear call as the model, without attention, norms, RoPE or the Python around them. Their speed is the ceiling
of what the model's decode can reach with these kernels; the rest of the gap to the memory bandwidth is the
kernels' own."""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from ...core.costs import tensor_bytes
from ...core.quantize import BLOCK_MATRICES


def decode_matrices(model) -> list:
    """Every weight matrix one decode step multiplies by, in order: each block's seven, then the output matrix."""
    mats = [block.weights()[spec.short] for block in model.layers for spec in BLOCK_MATRICES]
    return mats + [model.output.weight]


def _bytes(w) -> int:
    """A plain weight's bytes, an int8 one's with its scales, a prepacked one's (its nbytes)."""
    if isinstance(w, torch.Tensor):
        return tensor_bytes(w)
    return w.nbytes if hasattr(w, "nbytes") else tensor_bytes(w.q) + tensor_bytes(w.scale)


@torch.inference_mode()
def matmul_ceiling(model, repeats: int = 5) -> dict:
    """Time F.linear(x, w) for a random x [1, 1, in] over decode_matrices(model): best of ``repeats`` passes.
    Returns {"bytes": bytes of the matrices, "seconds": one pass, "bytes_per_s", "tokens_per_s": 1 / seconds}."""
    mats = decode_matrices(model)
    gen = torch.Generator().manual_seed(0)
    xs = {w.shape[1]: torch.randn(1, 1, w.shape[1], generator=gen).to(model.device, model.dtype) for w in mats}
    best = float("inf")
    for _ in range(repeats + 1):  # the first pass warms up (kernel selection, first-touch)
        start = time.perf_counter()
        for w in mats:
            out = F.linear(xs[w.shape[1]], w)
        float(out[0, 0, 0])  # wait for the device
        best = min(best, time.perf_counter() - start)
    nbytes = sum(_bytes(w) for w in mats)
    return {"bytes": nbytes, "seconds": best, "bytes_per_s": nbytes / best, "tokens_per_s": 1 / best}
