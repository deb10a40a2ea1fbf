"""Exercises of notebook 03 (RMSNorm): RMSNorm as a function (float32 inside, the input's dtype out), a bf16
accumulator that stalls, LayerNorm from RMSNorm (what RMSNorm drops), the norm parameters of the 1B model."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ...core.layers import rms_norm
from . import exercise, matches, seeded_randn, whole_number

_SHAPES = ((16,), (3, 32), (2, 5, 64))  # [..., d]


@exercise("3.1", "x.float(), the mean of x² over the last dim (keepdim=True), + eps inside the square root, cast "
          "back with .type_as(x), then * weight", "x.float()，沿最后一维求 x² 的均值（keepdim=True），eps 加在平方根"
          "里面，用 .type_as(x) 转回原来的类型，再乘以 weight")
def check_rms_norm(answer) -> bool:
    for seed, shape in enumerate(_SHAPES):
        x, weight = 5 * seeded_randn(seed, *shape) + 1, seeded_randn(seed + 10, shape[-1])  # [..., d], [d]
        for eps in (1e-5, 1e-2):
            if not torch.allclose(answer(x, weight, eps), rms_norm(x, weight, eps), atol=1e-5, rtol=1e-5):
                return False
        # half precision in, the same dtype out; float16 values of 300 square to 90000 > 65504, its largest number
        for dtype, size in ((torch.bfloat16, 1.0), (torch.float16, 300.0)):
            xh, wh = (size * x).to(dtype), weight.to(dtype)
            got, want = answer(xh, wh, 1e-5), rms_norm(xh, wh, 1e-5)
            if got.dtype != dtype or not torch.allclose(got.float(), want.float(), atol=0.02, rtol=0.016):
                return False
    return True


@exercise("3.2", "add x[j] * x[j] to a bf16 zero one element at a time (a Python loop), then divide by d; print "
          "the running sum now and then to see where it stops growing", "从 bf16 的 0 开始逐个加上 x[j] * x[j]"
          "（Python 循环），最后除以 d；不时打印累加和，看看它在哪里停止增长")
def check_bf16_accumulator(answer) -> bool:
    return matches(float(answer), "4955859d43317656074419777cbafa442192e974a131952c6ff8e41c685b4ed9", digits=3)


@exercise("3.3", "LayerNorm without bias = RMSNorm of the centred vector: subtract x.mean(-1, keepdim=True) "
          "first", "不带偏置的 LayerNorm = 对中心化后的向量做 RMSNorm：先减去 x.mean(-1, keepdim=True)")
def check_layer_norm_from_rms(answer) -> bool:
    for seed, shape in enumerate(_SHAPES):
        x, weight = 3 * seeded_randn(seed, *shape) + 2, seeded_randn(seed + 10, shape[-1])  # a clearly non-zero mean
        want = F.layer_norm(x, (shape[-1],), weight, eps=1e-5)
        if not torch.allclose(answer(x, weight, 1e-5), want, atol=1e-4, rtol=1e-4):
            return False
    return True


@exercise("3.4", "each block has two norms (before attention, before the feed-forward), one more before the output; "
          "each has one weight of size dim and no bias", "每个块有两个归一化（注意力之前、前馈网络之前），输出层之前"
          "还有一个；每个只有一个长度为 dim 的权重，没有偏置")
def check_norm_parameters(answer) -> bool:
    return matches(whole_number(answer), "11ed2d3cc60b6fdd68cbc8eb90a5762d27be4364580a5430532fbb2d00061b9e")
