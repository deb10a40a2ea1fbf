"""A batch of prompts of different lengths, padded on the left or the right: the attention mask that hides the
padding and the RoPE positions that count from each row's first real token (Llama.forward's attention_mask)."""

from __future__ import annotations

import torch

from .layers import causal_mask


def padding_mask(valid: torch.Tensor, q_len: int) -> torch.Tensor:
    """Causal mask for a padded batch.  valid [b, t] (True = a real token, False = padding) -> [b, 1, q_len, t].

    True where query i (the last q_len of the t positions) may attend to key j: j is at or before it and j is a
    real token. Every query also sees itself, so a padding row is never all -inf (softmax would give NaN).
    """
    t = valid.shape[1]
    causal = causal_mask(q_len, t, valid.device)  # [s, t]
    own = torch.arange(t, device=valid.device)[None, :] == torch.arange(t - q_len, t, device=valid.device)[:, None]
    return causal & (valid.bool()[:, None, None, :] | own)  # [b, 1, s, t]


def padded_positions(valid: torch.Tensor) -> torch.Tensor:
    """RoPE positions of a padded batch: each row counts from its first real token.  valid [b, t] -> [b, t] long.

    Left padding: row [0, 0, 1, 1, 1] gets positions [0, 0, 0, 1, 2] (padding takes 0; it is masked anyway).
    """
    return (valid.long().cumsum(-1) - 1).clamp(min=0)
