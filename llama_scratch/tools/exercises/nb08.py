"""Exercises of notebook 08 (generation and the KV cache): top-p by hand, min-p sampling, the work the KV cache
saves counted in positions, and a KV-cache budget for larger models. Answers are stored as hashes or checked as
properties; none is written here."""

from __future__ import annotations

import torch

from . import exercise, matches, whole_number


@exercise("8.1",
          "divide the logits by T before the softmax; walk down the sorted probabilities and keep a token while the "
          "ones before it sum to at most top_p; then divide the top probability by the kept mass",
          "先把 logits 除以 T 再做 softmax；按概率从大到小，若排在某个词元之前的概率之和不超过 top_p，就保留它；"
          "最后用最大概率除以保留下来的概率总和")
def check_top_p_by_hand(answer) -> bool:
    """answer = (tokens in the nucleus, renormalised probability of the most likely token), 3 significant digits."""
    n_kept, p_top = answer
    n_kept = whole_number(n_kept)
    p_top = float(p_top.item() if hasattr(p_top, "item") else p_top)
    return matches((n_kept, p_top), "83846101f33a384b80cabea61737f55eb109dea99f5c40d5e910629953d65161", digits=3)


def _min_p_cases():
    """(logits [b, v], min_p, temperature) on seeded random logits of several shapes, peaked and flat."""
    g = torch.Generator().manual_seed(8)
    for b, v, scale in ((1, 10, 1.0), (3, 50, 3.0), (4, 1000, 0.3), (2, 257, 8.0)):
        logits = torch.randn(b, v, generator=g) * scale  # [b, v]
        for min_p, temperature in ((0.0, 1.0), (0.05, 1.0), (0.1, 0.7), (0.3, 1.5), (0.9, 1.0)):
            yield logits, min_p, temperature


@exercise("8.2",
          "take softmax(logits / temperature) over the last dimension; keep a token when its probability is at least "
          "min_p times the largest probability of its row; set the others to 0 and divide by the row's new sum",
          "对最后一维计算 softmax(logits / temperature)；某个词元的概率不小于 min_p 乘以该行最大概率时保留它；"
          "其余置 0，再除以该行新的总和")
def check_min_p(fn) -> bool:
    """fn(logits [b, v], min_p, temperature) -> probabilities [b, v], compared with min-p's definition on random
    logits: zero exactly outside the kept set, proportional to softmax inside it, rows summing to 1."""
    for logits, min_p, temperature in _min_p_cases():
        given = logits.clone()
        out = fn(given, min_p, temperature)
        if not torch.equal(given, logits):
            return False  # the input must be left unchanged
        if not isinstance(out, torch.Tensor) or out.shape != logits.shape:
            return False
        probs = torch.softmax(logits.float() / temperature, dim=-1)  # [b, v]
        kept = probs >= min_p * probs.max(dim=-1, keepdim=True).values  # [b, v] bool
        want = torch.where(kept, probs, 0.0)
        want = want / want.sum(dim=-1, keepdim=True)  # [b, v]
        if bool((out.float()[~kept] != 0).any()):
            return False
        if not torch.allclose(out.float(), want, atol=1e-6, rtol=1e-4):
            return False
    return True


@exercise("8.3",
          "without a cache, step i (i = 0, 1, ..., n-1) runs the model over all s + i positions; with it the first "
          "step runs the s prompt positions and every later step one position",
          "不用缓存时，第 i 步（i = 0, 1, ..., n-1）要把全部 s + i 个位置送进模型；用缓存时第一步处理提示词的 "
          "s 个位置，之后每步只处理一个位置")
def check_positions(answer) -> bool:
    """answer = (positions through the model without the cache, with it) for s = 20 prompt and n = 100 new tokens."""
    counts = tuple(whole_number(x) for x in answer)
    return matches(counts, "2ad5912fe086608dd1b11cff144293d4e3fc32c5b2e9e9b0ba97df0567c74900")


@exercise("8.4",
          "per token a cache stores K and V (×2) in every layer, for each kv head (not each query head) head_dim "
          "numbers of 2 bytes (bf16); head_dim = dim / n_heads; multiply by the 131,072 tokens",
          "每个词元在每一层都要存 K 和 V（×2），每个 KV 头（不是查询头）存 head_dim 个 2 字节（bf16）的数；"
          "head_dim = dim / n_heads；再乘以 131,072 个词元")
def check_kv_budget(answer) -> bool:
    """answer = (bytes for Llama-3.2-3B, bytes for Llama-3.1-8B): a bf16 cache of one sequence of 131,072 tokens."""
    counts = tuple(whole_number(x) for x in answer)
    return matches(counts, "276e07a663a726d2da0fa935aa8804c36cad5e3319b027ccdb167ced9fbdd899")
