"""Exercises of notebook 07 (the full forward pass): the padding mask of a batch from its lengths (left or right
padding), the residual stream's norm after each block, perplexity and bits from a loss, and the matrix
multiplications of one forward pass of Llama-3.2-1B.

The function is run against the package's padding_mask on random batches of both sides; the norms are measured on
the model and prompt the notebook passes; the numbers are compared with stored hashes."""

from __future__ import annotations

import math

import torch

from ...analysis.residual import residual_stream
from ...core.padding import padding_mask
from . import exercise, matches

CASES = (((3, 1, 2), 3), ((5, 2, 7, 4), 7), ((1,), 4), ((6, 6), 6), ((2, 9, 5), 11))  # (lengths, t)


def _valid(lengths, t: int, left: bool) -> torch.Tensor:
    """[b, t] bool: True at the real tokens of each row, padded on the left or the right."""
    cols = torch.arange(t)[None, :]  # [1, t]
    n = torch.tensor(lengths)[:, None]  # [b, 1]
    return cols >= t - n if left else cols < n


@exercise("7.1", "left padding: row r's real tokens are the last lengths[r] columns, right padding the first "
                 "ones; then mask = causal (j <= i) & (valid[j] | i == j), shaped [b, 1, t, t]",
          "左填充：第 r 行的真实词元是最后 lengths[r] 列，右填充则是最前面的几列；"
          "然后 mask = 因果（j <= i）& (valid[j] | i == j)，形状 [b, 1, t, t]")
def padding_mask_from_lengths(fn) -> bool:
    for lengths, t in CASES:
        for left in (True, False):
            got = fn(list(lengths), t, left)
            want = padding_mask(_valid(lengths, t, left), t)  # [b, 1, t, t]
            if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(want.shape):
                return False
            if not torch.equal(got.bool().cpu(), want):
                return False
    return True


@exercise("7.2", "one float per tensor of probe_hidden (n_layers + 1, the embeddings first): the L2 norm of its "
                 "vector at the last position, batch row 0",
          "probe_hidden 的每个张量一个浮点数（共 n_layers + 1 个，先是嵌入）：取第 0 行、最后一个位置上的向量的 L2 范数")
def residual_norms(answer, model, tokens) -> bool:
    values = [float(x) for x in answer]
    want = [h[0, -1].float().norm().item() for h in residual_stream(model, tokens)]  # n_layers + 1
    return len(values) == len(want) and all(math.isclose(a, w, rel_tol=1e-3, abs_tol=1e-6)
                                            for a, w in zip(values, want))


@exercise("7.3", "perplexity = e^loss (loss in nats); bits = nats / ln 2",
          "困惑度 = e^损失（损失以 nat 为单位）；比特 = nat / ln 2")
def perplexity_and_bits(answer) -> bool:
    ppl, bits = answer
    return matches([float(ppl), float(bits)], "aa2218b316b02b32ef7cf62e55d33956d59afc3f15a8b0bd2b7a9cd7f579c993",
                   digits=4)


@exercise("7.4", "per block: the q, k, v and output projections and the three SwiGLU matrices take weights; "
                 "scores q·kᵀ and weights·v multiply activations; plus the output projection once at the end",
          "每个块：q、k、v、输出投影和 SwiGLU 的三个矩阵带权重；分数 q·kᵀ 和 权重·v 是两个激活相乘；"
          "最后再加一次输出层投影")
def matmul_count(answer) -> bool:
    with_weights, in_attention = answer
    return matches([int(with_weights), int(in_attention)],
                   "eb4c46284b84904edd62fac4c3475928156af79d401d5bfb46eb081b93ff52be")
