"""Attention stage by stage: raw scores q·k/√e, the same with the causal mask, and the softmax weights."""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

from ..layers import apply_rope, attention_weights, causal_mask, repeat_kv, rms_norm
from .residual import prompt_angles, residual_stream


class AttentionStages(NamedTuple):
    """One layer's attention for a prompt, every head, float32: scores and masked [b, h, s, s] (masked holds -inf
    where a query may not look: keys after it), weights [b, h, s, s] (softmax of masked, rows sum to 1)."""
    scores: torch.Tensor
    masked: torch.Tensor
    weights: torch.Tensor


@torch.inference_mode()
def attention_stages(model, tokens: torch.Tensor, layers=None) -> dict[int, AttentionStages]:
    """{layer: AttentionStages} for a prompt tokens [b, s] (all layers when ``layers`` is None).

    Recomputes each layer's q and k from the block's input with the package's functions (rms_norm, apply_rope,
    repeat_kv); the weights come from layers.attention_weights, as in the model's explicit path, so they equal
    model(tokens, return_attention=True)'s maps.
    """
    config = model.config
    wanted = sorted(set(range(config.n_layers) if layers is None else (int(i) for i in layers)))
    bad = [i for i in wanted if not 0 <= i < config.n_layers]
    if bad or not wanted:
        raise ValueError(f"layers {bad or wanted}: this model has layers 0..{config.n_layers - 1}")
    b, s = tokens.shape
    e = config.head_dim
    cos, sin = prompt_angles(model, tokens)  # [s, e/2] each
    mask = causal_mask(s, s, tokens.device)  # [s, s]
    out = {}
    for i, h in zip(range(wanted[-1] + 1), residual_stream(model, tokens)):  # h [b, s, d]: the input of block i
        if i not in wanted:
            continue
        w = model.layers[i].weights()
        x = rms_norm(h, w["attention_norm"], config.norm_eps)  # [b, s, d]
        q = apply_rope(F.linear(x, w["wq"]).view(b, s, config.n_heads, e), cos, sin).transpose(1, 2)  # [b, h, s, e]
        k = apply_rope(F.linear(x, w["wk"]).view(b, s, config.n_kv_heads, e), cos, sin).transpose(1, 2)  # [b, k, s, e]
        k = repeat_kv(k, config.n_rep)  # [b, h, s, e]
        scores = (q @ k.transpose(-2, -1) / math.sqrt(e)).float()  # [b, h, s, s]
        masked = scores.masked_fill(~mask, float("-inf"))  # [b, h, s, s]
        out[i] = AttentionStages(scores, masked, attention_weights(q, k, mask=mask).float())
    return out
