"""Attention stage by stage for several layers of one prompt: raw scores q·k/√e, the same with the causal mask,
and the softmax weights, each layer's computed by the model itself (Llama.block_attention_stages)."""

from __future__ import annotations

from typing import NamedTuple

import torch

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

    One pass over the blocks (analysis.residual_stream); each wanted layer's stages are
    model.block_attention_stages of its input: the numbers of model.attention_stages(tokens, layer), whose weights
    equal model(tokens, return_attention=True)'s maps.
    """
    config = model.config
    wanted = sorted(set(range(config.n_layers) if layers is None else (int(i) for i in layers)))
    bad = [i for i in wanted if not 0 <= i < config.n_layers]
    if bad or not wanted:
        raise ValueError(f"layers {bad or wanted}: this model has layers 0..{config.n_layers - 1}")
    cos, sin = prompt_angles(model, tokens)  # [s, e/2] each
    out = {}
    for i, h in zip(range(wanted[-1] + 1), residual_stream(model, tokens)):  # h [b, s, d]: the input of block i
        if i in wanted:
            out[i] = AttentionStages(*(t.float() for t in model.block_attention_stages(h, i, cos, sin)))
    return out
