"""Exercises of notebook 06 (the SwiGLU feed-forward and the transformer block)."""

from __future__ import annotations


import torch
import torch.nn.functional as F

from ...checkpoints import LLAMA_3_2_1B_PARAMS
from ...core import config_from_params, layers
from . import exercise, matches, refusing, whole_number


def _without_silu():
    """F.silu raises while the student's function runs (and with it the package's swiglu, which calls it):
    SiLU is to be written out."""
    return refusing([(F, "silu")], "write SiLU as z * sigmoid(z) yourself: no F.silu / ls.swiglu here")


@exercise("6.1", "SiLU(a) = a * sigmoid(a) with a = x @ w1.T (Meta stores [out, in]: multiply by the transpose); "
                 "it gates x @ w3.T element by element; w2 brings f back to d",
          "SiLU(a) = a * sigmoid(a)，其中 a = x @ w1.T（Meta 按 [输出, 输入] 存储：要乘以转置）；它逐元素地门控 x @ w3.T；"
          "最后由 w2 把 f 降回 d")
def check_swiglu(my_swiglu) -> bool:
    gen = torch.Generator().manual_seed(6)
    for lead, d, f in (((2, 5), 8, 24), ((3,), 16, 40), ((1, 2, 4), 12, 32)):
        x = torch.randn(*lead, d, generator=gen)  # [..., d]
        w1, w3 = torch.randn(f, d, generator=gen) / d ** 0.5, torch.randn(f, d, generator=gen) / d ** 0.5
        w2 = torch.randn(d, f, generator=gen) / f ** 0.5  # [d, f]
        want = layers.swiglu(x, w1, w2, w3)  # [..., d]
        with _without_silu():
            got = my_swiglu(x.clone(), w1, w2, w3)
        if not (isinstance(got, torch.Tensor) and got.shape == want.shape):
            return False
        if not torch.allclose(got, want, atol=1e-5, rtol=1e-4):
            return False
    return True


# (dim, multiple_of, ffn_dim_multiplier): Llama 3.2 1B and 3B, Llama 3 8B and 70B, Llama 3.1 405B, small ones
_SIZES = ((2048, 256, 1.5), (3072, 256, 1.0), (4096, 1024, 1.3), (8192, 4096, 1.3), (16384, 4096, 1.2),
          (128, 32, 1.0), (64, 32, None), (96, 64, 1.3), (100, 7, 2.0), (4096, 256, None))


@exercise("6.2", "int(2 * 4 * dim / 3); times ffn_dim_multiplier (int() again) unless it is None; then round UP "
                 "to a multiple of multiple_of: multiple_of * ceil(hidden / multiple_of)",
          "int(2 * 4 * dim / 3)；若 ffn_dim_multiplier 不是 None 就乘上它（再取 int）；"
          "最后向上取整到 multiple_of 的倍数：multiple_of * ceil(hidden / multiple_of)")
def check_ffn_hidden_dim(my_ffn_hidden_dim) -> bool:
    base = config_from_params(LLAMA_3_2_1B_PARAMS)
    for dim, multiple_of, mult in _SIZES:
        want = base.replace(dim=dim, multiple_of=multiple_of, ffn_dim_multiplier=mult).ffn_hidden_dim
        if my_ffn_hidden_dim(dim, multiple_of, mult) != want:
            return False
    return True


@exercise("6.3", "attention: wq [h·e, d], wk and wv [k·e, d], wo [d, h·e]; feed-forward: three matrices of f × d; "
                 "plus the two RMSNorm weights of d numbers each",
          "注意力：wq [h·e, d]，wk、wv [k·e, d]，wo [d, h·e]；前馈网络：三个 f × d 的矩阵；再加两个各有 d 个数的 RMSNorm 权重")
def check_block_parameters(answer) -> bool:
    return matches(whole_number(answer), "547f7cc5d2b54bbb936acaed3fe6c3cbb0193049d8b7abf5e4691bc48a228eb2")
