"""Exercises of notebook 00 (setup and the checkpoint): counting parameters and bytes from params.json alone."""

from __future__ import annotations

import random

from ...checkpoints.models import LLAMA_3_1_8B_PARAMS, LLAMA_3_2_1B_PARAMS, LLAMA_3_2_3B_PARAMS
from ...core import config_from_params
from ...core.format import count_parameters
from . import exercise, matches, whole_number


@exercise("0.1", "Per block: two norm vectors of d, wq and wo (h·e × d), wk and wv (k·e × d), and w1, w2, w3 "
                 "(f × d). Use real.dim, real.n_heads, real.n_kv_heads, real.head_dim, real.ffn_hidden_dim.",
          "每个块：两个长度为 d 的归一化向量，wq 和 wo（h·e × d），wk 和 wv（k·e × d），以及 w1、w2、w3（f × d）。"
          "用 real.dim、real.n_heads、real.n_kv_heads、real.head_dim、real.ffn_hidden_dim 计算。")
def _one_block(answer) -> bool:
    return matches(whole_number(answer), "547f7cc5d2b54bbb936acaed3fe6c3cbb0193049d8b7abf5e4691bc48a228eb2")


def _configs():
    """The released shapes and a few random small ones (odd sizes catch a formula that only fits the 1B)."""
    rng = random.Random(0)
    configs = [config_from_params(p) for p in (LLAMA_3_2_1B_PARAMS, LLAMA_3_2_3B_PARAMS, LLAMA_3_1_8B_PARAMS)]
    for _ in range(4):
        k = rng.choice([1, 2, 4])
        h = k * rng.choice([1, 2, 3])
        e = 2 * rng.randint(2, 12)
        configs.append(config_from_params({"dim": h * e, "n_layers": rng.randint(1, 5), "n_heads": h,
                                           "n_kv_heads": k, "vocab_size": rng.randint(300, 5000),
                                           "multiple_of": rng.choice([8, 32, 256]),
                                           "ffn_dim_multiplier": rng.choice([None, 1.0, 1.3, 1.5]),
                                           "norm_eps": 1e-5, "rope_theta": 500000.0, "use_scaled_rope": True}))
    return configs


@exercise("0.2", "Embeddings v × d, n_layers blocks (as in 0.1, from config's fields), the final norm d, and one "
                 "more v × d matrix only when tied is False.",
          "嵌入 v × d，n_layers 个块（同 0.1，用 config 的字段），最后的归一化 d；只有 tied 为 False 时才多一个 "
          "v × d 的输出矩阵。")
def _count_function(answer) -> bool:
    return all(int(answer(c, tied=tied)) == count_parameters(c, tied=tied)
               for c in _configs() for tied in (True, False))


@exercise("0.3", "Count the 3B's parameters (your function from 0.2 on config_3b; it is tied like the 1B), then "
                 "multiply by the bytes of one bf16 number.",
          "先数出 3B 的参数量（用 0.2 的函数作用于 config_3b；它和 1B 一样共享输出层），再乘以一个 bf16 数的字节数。")
def _bytes_3b(answer) -> bool:
    return matches(whole_number(answer), "07ebdc77c37086c314762c74ce1d89d2c1a6a55b124811dc041e9cd853250872")


@exercise("0.4", "Which name does an untied checkpoint (Llama 3.1 8B) have that the 1B lacks? Its shape is "
                 "[v, d], and bf16 takes 2 bytes per number. Answer (name, bytes) for the real 1B.",
          "未共享输出层的检查点（Llama 3.1 8B）比 1B 多了哪个名字？它的形状是 [v, d]，bf16 每个数 2 字节。"
          "对真实的 1B 回答（名字, 字节数）。")
def _missing_tensor(answer) -> bool:
    name, nbytes = answer
    return matches([str(name), int(nbytes)], "bbe5641f26bec7079f4af77ef58361775e24586b3e112582ce7a717ea28921c2")
