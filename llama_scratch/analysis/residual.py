"""The residual stream of a prompt: the hidden state before the first block and after each block."""

from __future__ import annotations

from typing import Iterator

import torch

from ..core import embed, transformer_block


def prompt_angles(model, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """RoPE cos and sin of positions 0..s-1 of a prompt, as the model computes them.  -> ([s, e/2], [s, e/2])."""
    return model.rope_angles(torch.arange(tokens.shape[1], device=tokens.device))  # positions [s]


@torch.inference_mode()
def residual_stream(model, tokens: torch.Tensor) -> Iterator[torch.Tensor]:
    """Yield h [b, s, d] n_layers + 1 times: the embeddings (the input of block 0), then the output of each block.

    The last one is what the model's final norm and output projection read, so the same loop as Llama.forward.
    """
    model.check_tokens(tokens)
    cos, sin = prompt_angles(model, tokens)  # [s, e/2] each
    h = embed(tokens, model.tok_embeddings.weight)  # [b, s, d]
    yield h
    for block in model.layers:
        h, _ = transformer_block(h, block.weights(), cos, sin, model.config, use_sdpa=model.use_sdpa)
        yield h
