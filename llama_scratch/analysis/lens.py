"""The logit lens: what the model would predict if it stopped after each layer.

The hidden state after block i goes through the model's own final norm and output projection; its top-k tokens
show where in depth the final prediction takes shape. Row 0 reads the embeddings themselves, row n_layers is the
model's real output.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from .residual import residual_stream


class Lens(NamedTuple):
    """Top-k of the logit lens for a prompt: ids and probabilities [n_layers + 1, b, s, k], most likely first.

    Row 0: the embeddings; row i: after block i - 1; the last row equals softmax(model(tokens)).topk(k)."""
    top_ids: torch.Tensor
    top_probs: torch.Tensor


@torch.inference_mode()
def logit_lens(model, tokens: torch.Tensor, k: int = 5) -> Lens:
    """Per-layer top-k next-token predictions for tokens [b, s] (k <= vocab_size). Only the top-k of each row is
    kept: the full [b, s, v] probabilities of one layer at a time, never of all layers at once."""
    if not 1 <= int(k) <= model.config.vocab_size:
        raise ValueError(f"k must be in 1..{model.config.vocab_size}, got {k!r}")
    ids, probs = [], []
    for h in residual_stream(model, tokens):  # h [b, s, d]
        p = torch.softmax(model.output(model.norm(h)).float(), dim=-1)  # [b, s, v]
        top = p.topk(int(k), dim=-1)  # [b, s, k] each
        ids.append(top.indices)
        probs.append(top.values)
    return Lens(torch.stack(ids), torch.stack(probs))
