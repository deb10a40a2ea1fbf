"""Exercises of notebook 02 (embeddings): the lookup as a one-hot product, the bytes of an embedding table, cosine
similarity, nearest neighbours. Functions are checked against torch on random inputs of several shapes."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from . import exercise, matches, seeded_randn, whole_number

_SHAPES = ((5,), (2, 7), (1, 1), (3, 4, 2))  # shapes of token ids (or of the leading dims of vectors)


@exercise("2.1", "build torch.nn.functional.one_hot(ids, v), make it float, then multiply by W: [..., v] @ [v, d]",
          "先用 torch.nn.functional.one_hot(ids, v) 得到独热向量，转成浮点数，再乘以 W：[..., v] @ [v, d]")
def check_one_hot_lookup(answer) -> bool:
    for seed, (v, d) in enumerate(((50, 8), (300, 16))):
        weight = seeded_randn(seed, v, d)  # [v, d]
        for shape in _SHAPES:
            ids = torch.randint(0, v, shape, generator=torch.Generator().manual_seed(seed + len(shape)))
            got = answer(ids, weight)
            if tuple(got.shape) != (*shape, d) or not torch.allclose(got.float(), weight[ids], atol=1e-5):
                return False
    return True


@exercise("2.2", "rows × columns × bytes per number; bf16 has 2 bytes. The 3B model has the same vocabulary",
          "行数 × 列数 × 每个数的字节数；bf16 每个数 2 字节。3B 模型的词表与 1B 相同")
def check_embedding_bytes(answer) -> bool:
    return matches(whole_number(answer), "59088c86d992cd3c3457d06cf0a10f00ac639b4704e6535f2e09b58151517806")


@exercise("2.3", "the dot product over the last dimension, divided by the product of the two norms (dim=-1)",
          "沿最后一维求点积，再除以两个向量范数的乘积（dim=-1）")
def check_cosine(answer) -> bool:
    for seed, shape in enumerate(_SHAPES):
        u, w = seeded_randn(seed, *shape, 16), 3.0 * seeded_randn(seed + 100, *shape, 16)  # [..., d] each
        got = answer(u, w)
        if tuple(got.shape) != shape or not torch.allclose(got, F.cosine_similarity(u, w, dim=-1), atol=1e-5):
            return False
    return True


@exercise("2.4", "normalise every row first (cosine, not the dot product), score all rows with one [v, d] @ [d] "
          "product, leave row i itself out, then topk", "先把每一行归一化（用余弦而不是点积），用一次 [v, d] @ [d] "
          "的乘法给所有行打分，排除第 i 行本身，再取 topk")
def check_nearest(answer) -> bool:
    for seed, (v, d, k) in enumerate(((200, 16, 5), (1000, 8, 3))):
        scale = torch.rand(v, 1, generator=torch.Generator().manual_seed(seed)) * 10 + 0.1  # rows of any length
        weight = seeded_randn(seed, v, d) * scale  # [v, d]
        unit = F.normalize(weight, dim=-1)  # [v, d]
        for i in (0, v // 2, v - 1):
            sims = unit @ unit[i]  # [v]
            sims[i] = -float("inf")
            want = sims.topk(k).indices.tolist()
            got = answer(weight, i, k)
            if [int(j) for j in (got.tolist() if hasattr(got, "tolist") else got)] != want:
                return False
    return True
