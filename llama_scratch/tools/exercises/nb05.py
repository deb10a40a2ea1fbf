"""Exercises of notebook 05 (attention and grouped-query attention)."""

from __future__ import annotations


import torch
import torch.nn.functional as F

from ...core.padding import padding_mask
from . import exercise, matches, refusing, whole_number


def _without_softmax():
    """torch's softmax functions raise while the student's function runs: it must compute softmax itself."""
    return refusing([(torch, "softmax"), (F, "softmax"), (torch.Tensor, "softmax"), (torch.special, "softmax"),
                     (torch, "log_softmax"), (F, "log_softmax"), (torch.Tensor, "log_softmax")],
                    "write softmax yourself here: no torch.softmax / F.softmax")


def _softmax_cases(gen: torch.Generator) -> list[torch.Tensor]:
    """Rows a stable softmax must get right: small, huge (exp overflows float32), with -inf entries, 1-d and 3-d."""
    big = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -999.0]])  # [2, 3]
    masked = torch.randn(4, 6, generator=gen).masked_fill(torch.ones(4, 6).triu(1).bool(), float("-inf"))  # [4, 6]
    return [torch.randn(7, generator=gen), 30 * torch.randn(3, 5, generator=gen), big, masked,
            200 * torch.randn(2, 3, 9, generator=gen)]


@exercise("5.1", "subtract each row's maximum (keepdim=True) before exp, then divide by the row's sum; "
                 "exp(-inf) = 0, so masked entries get weight 0 by themselves",
          "先减去每一行的最大值（keepdim=True）再取 exp，然后除以该行之和；exp(-inf) = 0，被掩码的位置自然得到权重 0")
def check_stable_softmax(my_softmax) -> bool:
    gen = torch.Generator().manual_seed(5)
    for z in _softmax_cases(gen):
        want = torch.softmax(z.double(), dim=-1).float()
        with _without_softmax():
            got = my_softmax(z.clone())
        if not (isinstance(got, torch.Tensor) and got.shape == z.shape and torch.isfinite(got).all()):
            return False
        if not torch.allclose(got.float(), want, atol=1e-6, rtol=1e-5):
            return False
    return True


@exercise("5.2", "n_rep = h / k query heads share each kv head; query head j reads kv head j // n_rep",
          "每个 KV 头由 n_rep = h / k 个查询头共享；查询头 j 读取 KV 头 j // n_rep")
def check_kv_heads(answer) -> bool:
    return matches(list(answer), "0d517b03b57ab9dfe75c220c86c93081ce096a9d5178b3fb166607af6b688074")


@exercise("5.3", "per token and layer the cache holds K and V: 2 × kv heads × head_dim numbers of 2 bytes (bf16); "
                 "MHA would have n_heads kv heads; multiply by layers and tokens and take the difference",
          "每个词元、每一层缓存 K 和 V：2 × KV 头数 × head_dim 个数，每个 2 字节（bf16）；MHA 的 KV 头数等于 n_heads；"
          "再乘以层数和词元数，然后求差")
def check_kv_bytes_saved(answer) -> bool:
    return matches(whole_number(answer), "db7857fb3a00f3c50f8b0882399bbdbbee85e6728427cb6798d6c298988a351c")


@exercise("5.4", "allowed = causal (key j <= query i) AND valid[:, None, None, :]; masked_fill(~allowed, -inf); "
                 "a padding query sees no real key before it: let it see itself, or its row is all -inf and "
                 "softmax gives NaN",
          "allowed = 因果（键 j <= 查询 i）且 valid[:, None, None, :]；masked_fill(~allowed, -inf)；"
          "填充位置的查询前面可能没有真实的键：让它至少看到自己，否则整行都是 -inf，softmax 得到 NaN")
def check_padded_weights(masked_weights) -> bool:
    gen = torch.Generator().manual_seed(52)
    lengths = ([3, 6, 1], [5, 2])
    for pad_left in (True, False):
        for lens in lengths:
            b, s, h = len(lens), max(lens) + 1, 2
            valid = torch.zeros(b, s, dtype=torch.bool)  # [b, s]
            for i, n in enumerate(lens):  # n real tokens, padded on the left or on the right
                valid[i, slice(s - n, s) if pad_left else slice(0, n)] = True
            scores = 3 * torch.randn(b, h, s, s, generator=gen)  # [b, h, s, s]
            want = torch.softmax(scores.masked_fill(~padding_mask(valid, s), float("-inf")), dim=-1)
            got = masked_weights(scores.clone(), valid.clone())
            if not (isinstance(got, torch.Tensor) and got.shape == scores.shape and torch.isfinite(got).all()):
                return False
            real = valid[:, None, :, None].expand_as(scores)  # rows of real queries
            if not torch.allclose(got[real], want[real], atol=1e-6):
                return False
    return True
