"""Exercises of notebook 09 (making it fast): the decode limit of a GPU, the KV cache of another Llama, per-row
int8 quantization from scratch, and the context at which the cache outweighs int8 weights.

Numbers are compared with what the package derives from the models' params.json (within 2 % where rounding is
the student's choice, exactly for a byte count); the quantizer is run on random matrices of several shapes and
judged by the properties that define it (int8, one scale per row, every weight within half a step)."""

from __future__ import annotations

import torch

from ...checkpoints.models import LLAMA_3_2_1B_PARAMS, LLAMA_3_2_3B_PARAMS
from ...core.config import config_from_params
from ...core.costs import kv_bytes_per_position
from ...core.format import count_parameters
from . import exercise

H100_BYTES_PER_S = 3.35e12  # the bandwidth the exercise gives (NVIDIA's H100 SXM datasheet)
SHAPES = ((3, 8), (16, 5), (64, 128), (1, 2048))  # [o, i]


def _close(answer, want: float, rel: float = 0.02) -> bool:
    return abs(float(answer) - want) <= rel * want


@exercise("9.1", "bytes per token = parameters of the real 1B (tied: the embedding is the output matrix, read "
                 "once) × 2 bytes in bf16; tokens/s = bandwidth ÷ bytes per token",
          "每个词元的字节数 = 真实 1B 的参数量（共享权重：嵌入矩阵就是输出矩阵，只读一次）× bf16 的 2 字节；"
          "词元/秒 = 带宽 ÷ 每个词元的字节数")
def h100_limit(answer) -> bool:
    real = config_from_params(LLAMA_3_2_1B_PARAMS)
    return _close(answer, H100_BYTES_PER_S / (2 * count_parameters(real)))


@exercise("9.2", "keys and values (2) × n_layers × n_kv_heads × head_dim (dim / n_heads) × 2 bytes in bf16; "
                 "the 3B's n_kv_heads is not its n_heads",
          "键和值（2）× n_layers × n_kv_heads × head_dim（dim / n_heads）× bf16 的 2 字节；"
          "3B 的 n_kv_heads 不等于 n_heads")
def kv_bytes_of_the_3b(answer) -> bool:
    want = kv_bytes_per_position(config_from_params(LLAMA_3_2_3B_PARAMS), torch.bfloat16)
    return float(answer) == want


@exercise("9.3", "per row: s = max |w| / 127 (a zero row needs a scale that is not 0), q = round(w / s) clamped "
                 "to −127..127, as torch.int8; return (q [o, i], s [o])",
          "逐行：s = max |w| / 127（全零的行需要一个非 0 的缩放因子），q = round(w / s) 截断到 −127..127，"
          "转成 torch.int8；返回 (q [o, i], s [o])")
def quantize_rows(fn) -> bool:
    for seed, shape in enumerate(SHAPES):
        g = torch.Generator().manual_seed(seed)
        w = torch.randn(*shape, generator=g) * torch.logspace(-2, 1, shape[0])[:, None]  # [o, i]
        w[shape[0] // 2] = 0.0  # one row of zeros
        q, s = fn(w.clone())
        s = torch.as_tensor(s).float().reshape(-1)  # [o]
        if q.dtype != torch.int8 or tuple(q.shape) != shape or s.shape != (shape[0],):
            return False
        if int(q.abs().max()) > 127 or not torch.all(torch.isfinite(s)):
            return False
        amax = w.abs().amax(dim=1)  # [o]
        nonzero = amax > 0
        if not torch.allclose(s[nonzero], amax[nonzero] / 127, rtol=2 ** -8):  # bf16 scales allowed
            return False
        if not torch.all((w - q.float() * s[:, None]).abs() <= s[:, None] / 2 * (1 + 1e-4) + 1e-12):
            return False
        if torch.any(q[~nonzero] != 0):
            return False
    return True


@exercise("9.4", "int8 weights: one byte per parameter of the real 1B; the cache grows by 2 × n_layers × "
                 "n_kv_heads × head_dim × 2 bytes per token in bf16; divide",
          "int8 权重：真实 1B 的每个参数占 1 字节；bf16 的键值缓存每个词元增加 2 × n_layers × n_kv_heads × "
          "head_dim × 2 字节；两者相除")
def cache_outweighs_int8(answer) -> bool:
    real = config_from_params(LLAMA_3_2_1B_PARAMS)
    return _close(answer, count_parameters(real) / kv_bytes_per_position(real, torch.bfloat16))
