"""Attention heads that copy: previous-token and induction scores, and the copy test, on repeated random spans.

The test sequences are [<|begin_of_text|>, s_1 .. s_L, s_1 .. s_L]: a random span of L tokens, twice. Position 0 is
bos, the first copy sits at positions 1..L, the second at L+1..2L. Nothing in a random span predicts its next
token, except in the second copy: there the token after the earlier occurrence of the current token is the answer.
A head that attends there and copies it is an *induction head*; it needs a *previous-token head* in an earlier
layer (which writes "the token before me was x" into each position) to find that earlier occurrence.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def repeated_sequences(pool, n: int, span_len: int, bos_id: int, seed: int = 0) -> torch.Tensor:
    """n sequences [bos, span, span] with spans of span_len ids drawn uniformly (with replacement) from ``pool``
    (e.g. the ids a corpus uses).  -> LongTensor [n, 1 + 2 * span_len]."""
    pool = torch.as_tensor(list(pool), dtype=torch.long)  # [p]
    if span_len < 2 or n < 1 or pool.numel() < 2:
        raise ValueError(f"need span_len >= 2, n >= 1 and at least 2 ids to draw from; got span_len={span_len}, "
                         f"n={n}, {pool.numel()} ids")
    g = torch.Generator().manual_seed(seed)
    span = pool[torch.randint(len(pool), (n, span_len), generator=g)]  # [n, L]
    bos = torch.full((n, 1), bos_id, dtype=torch.long)  # [n, 1]
    return torch.cat([bos, span, span], dim=1)  # [n, 1 + 2L]


def previous_token_scores(maps: list[torch.Tensor]) -> torch.Tensor:
    """For each layer and head, the attention a query gives to the token right before it, averaged over every
    query position i >= 1 and the batch: mean_{b, i} A[b, h, i, i-1].  maps: n_layers tensors [b, h, s, s]
    -> [n_layers, h]. 1 for a head that always looks exactly one token back, 0 for one that never does."""
    scores = []
    for a in maps:
        s = a.shape[-1]
        idx = torch.arange(1, s, device=a.device)  # [s-1]: query positions with a previous token
        scores.append(a[:, :, idx, idx - 1].float().mean(dim=(0, 2)))  # [h]
    return torch.stack(scores).cpu()  # [n_layers, h]


def induction_scores(maps: list[torch.Tensor], span_len: int) -> torch.Tensor:
    """For each layer and head, on [bos, span, span] sequences (see repeated_sequences): the attention a query in
    the second copy gives to the token *after* the earlier occurrence of its own token, averaged over the second
    copy's queries i = L+1..2L and the batch: mean_{b, i} A[b, h, i, i - L + 1].  maps: n_layers tensors
    [b, h, 1+2L, 1+2L] -> [n_layers, h]. 1 for a perfect induction head."""
    L = span_len
    scores = []
    for a in maps:
        if a.shape[-1] != 1 + 2 * L:
            raise ValueError(f"attention maps over {a.shape[-1]} positions, but [bos, span, span] with span_len={L} "
                             f"has {1 + 2 * L}")
        idx = torch.arange(L + 1, 2 * L + 1, device=a.device)  # [L]: queries in the second copy
        scores.append(a[:, :, idx, idx - L + 1].float().mean(dim=(0, 2)))  # [h]
    return torch.stack(scores).cpu()  # [n_layers, h]


@torch.inference_mode()
def head_scores(model, sequences: torch.Tensor, span_len: int) -> dict:
    """{"previous_token": [n_layers, h], "induction": [n_layers, h]} of the model on [bos, span, span] sequences,
    from one forward pass that returns the attention weights."""
    _, maps = model(sequences.to(model.device), return_attention=True)
    return {"previous_token": previous_token_scores(maps), "induction": induction_scores(maps, span_len)}


def best_head(scores: torch.Tensor) -> tuple[int, int, float]:
    """(layer, head, score) of the largest entry of a [n_layers, h] score table."""
    flat = int(scores.argmax())
    layer, head = divmod(flat, scores.shape[1])
    return layer, head, float(scores[layer, head])


@torch.inference_mode()
def copy_losses(model, sequences: torch.Tensor, span_len: int, batch_size: int = 8) -> tuple[float, float]:
    """(first, second): the model's mean cross-entropy on s_2..s_L of the first copy and on the same tokens of the
    second copy, of [bos, span, span] sequences [n, 1+2L]. s_1 is left out of both: nothing announces where a span
    starts. A model that copies in context has second << first; one that does not, second ≈ first."""
    L = span_len
    first = torch.arange(2, L + 1)  # [L-1]: positions of s_2..s_L in the first copy
    second = first + L  # [L-1]: the same tokens in the second copy
    sums = torch.zeros(2)
    for i in range(0, len(sequences), batch_size):
        seqs = sequences[i:i + batch_size].to(model.device)  # [n', 1+2L]
        logits = model(seqs).float()  # [n', 1+2L, v]
        for j, pos in enumerate((first, second)):
            sums[j] += F.cross_entropy(logits[:, pos - 1].flatten(0, 1), seqs[:, pos].flatten(), reduction="sum")
    count = len(sequences) * (L - 1)
    return float(sums[0] / count), float(sums[1] / count)
