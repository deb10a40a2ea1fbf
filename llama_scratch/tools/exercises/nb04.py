"""Exercises of notebook 04 (RoPE): a wavelength, the turns of pair 0, the Llama 3 scaling bands, rotate-half RoPE
from scratch and the permutation back to Meta's interleaved layout.

Numeric answers are compared with stored hashes; the two functions are run on random tensors of several shapes
against the package (apply_rope on Meta's layout, permute_for_rotate_half for Hugging Face's)."""

from __future__ import annotations

import torch

from ...checkpoints.hf import permute_for_rotate_half
from ...core.layers import apply_rope, rope_angles, rope_inverse_frequencies
from . import exercise, matches, whole_number

SHAPES = ((1, 3, 2, 8), (2, 5, 4, 16), (1, 7, 3, 64))  # [b, s, heads, e]


@exercise("4.1", "wavelength = 2π / θ_i with θ_i = rope_theta^(−2i/e); e = head_dim = dim / n_heads of the 8B",
          "波长 = 2π / θ_i，其中 θ_i = rope_theta^(−2i/e)；e = head_dim = 8B 的 dim / n_heads")
def wavelength_of_a_pair(answer) -> bool:
    return matches(float(answer), "91f1641609f8d288b4a6573b29bd6940432d16605409ff02acb749234f45358e", digits=4)


@exercise("4.2", "θ_0 = rope_theta^0: how many radians per position is that, for any theta? Is pair 0 scaled? "
                 "N turns are 2πN radians; give the first whole position at or past them",
          "θ_0 = rope_theta^0：无论 theta 是多少，每个位置转多少弧度？第 0 对会被缩放吗？"
          "N 圈是 2πN 弧度；给出第一个达到或超过它的整数位置")
def turns_of_pair_zero(answer) -> bool:
    return matches(whole_number(answer), "2fe704a610323b1c0f3375dbeaee0fa1067fde32d0130e24d44a4befdca9679e")


@exercise("4.3", "compare each pair's wavelength 2π/θ_i with old / high_freq_factor and old / low_freq_factor; "
                 "answer = (kept, blended, divided) as three counts",
          "把每一对的波长 2π/θ_i 与 old / high_freq_factor、old / low_freq_factor 比较；"
          "answer = (保留数, 混合数, 除以因子数)，三个计数")
def bands_of_another_model(answer) -> bool:
    return matches([int(n) for n in answer], "2cdb0199f0da85cff5073cd448168e26b6419f4580c57af698f2a0e76384c701")


def _random_case(shape, seed):
    """x [b, s, heads, e] in Meta's interleaved layout, the same in rotate-half layout, and cos, sin [s, e/2]."""
    b, s, heads, e = shape
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, s, heads, e, generator=g)
    # the rows of an [heads*e, N] matrix permuted per head = the last dimension of x permuted
    x_half = permute_for_rotate_half(x.reshape(-1, heads * e).T, heads).T.reshape(b, s, heads, e)
    positions = torch.randint(0, 10_000, (s,), generator=g)
    cos, sin = rope_angles(rope_inverse_frequencies(e, 500_000.0), positions)  # [s, e/2] each
    return x, x_half, cos, sin


@exercise("4.4", "split x into halves x1 = x[..., :e/2], x2 = x[..., e/2:]; rotate_half(x) = cat(−x2, x1); "
                 "out = x * cat(cos, cos) + rotate_half(x) * cat(sin, sin), cos and sin broadcast over the heads",
          "把 x 分成两半 x1 = x[..., :e/2]、x2 = x[..., e/2:]；rotate_half(x) = cat(−x2, x1)；"
          "out = x * cat(cos, cos) + rotate_half(x) * cat(sin, sin)，cos 和 sin 在头的维度上广播")
def rotate_half_rope(fn) -> bool:
    """fn(x_half, cos, sin) must equal Meta's interleaved RoPE, moved to the rotate-half layout."""
    for seed, shape in enumerate(SHAPES):
        x, x_half, cos, sin = _random_case(shape, seed)
        heads, e = shape[2], shape[3]
        want = apply_rope(x, cos, sin)  # [b, s, heads, e], interleaved
        want_half = permute_for_rotate_half(want.reshape(-1, heads * e).T, heads).T.reshape(want.shape)
        got = fn(x_half, cos, sin)
        if tuple(got.shape) != tuple(shape) or not torch.allclose(got.float(), want_half, atol=1e-5, rtol=1e-5):
            return False
    return True


@exercise("4.5", "permute_for_rotate_half sends row 2i to position i and row 2i+1 to position e/2 + i; undo it: "
                 "which rotate-half index holds interleaved index 0, 1, 2, 3, ...?",
          "permute_for_rotate_half 把第 2i 行放到位置 i，把第 2i+1 行放到位置 e/2 + i；把它还原："
          "交错布局的下标 0、1、2、3……分别在 rotate-half 布局的哪个位置？")
def half_to_interleaved(fn) -> bool:
    """fn(e) -> index [e] with w_hf.view(heads, e, d)[:, index] == w_meta.view(heads, e, d)."""
    for seed, (heads, e, d) in enumerate(((1, 4, 3), (4, 16, 8), (8, 64, 32))):
        w = torch.randn(heads * e, d, generator=torch.Generator().manual_seed(seed))  # Meta's wq or wk
        w_hf = permute_for_rotate_half(w, heads)  # [heads*e, d], Hugging Face's rows
        index = torch.as_tensor(fn(e), dtype=torch.long)
        if tuple(index.shape) != (e,) or not torch.equal(w_hf.view(heads, e, d)[:, index].reshape(-1, d), w):
            return False
    return True
