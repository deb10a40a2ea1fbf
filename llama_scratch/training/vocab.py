"""Training on the few ids a corpus uses, while the checkpoint keeps Meta's full 128,256-id vocabulary.

For a model of dim 128 the tied output matrix [v, d] costs far more than everything else in a step (v = 128,256:
16.4M of its ~16.8M parameters, and a [tokens, v] logit matrix per batch). A corpus uses a few hundred ids. So the
model trains with an embedding of only those rows (renumbered 0..n-1) plus one row that stays exactly zero and
stands for every unused id; the checkpoint is then written with the full matrix: the trained rows at their ids,
zeros everywhere else.

Zero rows have logit h · 0 = 0, so in the full model each of the n_unused unused ids adds exp(0) = 1 to the
softmax's denominator. That is one extra column with logit log(n_unused) ≈ 11.76: full_vocab_cross_entropy adds it,
so the loss measured during training is exactly the full-vocabulary loss of the written checkpoint (in float32).
Early in training that column is left out (a softmax over the used ids only) and brought in gradually: present from
step 0, it lifts every used logit by ~12 at once and delays the forming of induction heads by many hundred steps.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..analysis.evaluate import IGNORE  # target id that counts for nothing


class CompactVocab:
    """The ids a corpus uses, renumbered 0..n-1, plus slot n for every other id of the full vocabulary."""

    def __init__(self, ids, vocab_size: int):
        self.full_ids = torch.tensor(sorted({int(i) for i in ids}), dtype=torch.long)  # [n]
        if len(self.full_ids) == 0 or self.full_ids[0] < 0 or self.full_ids[-1] >= vocab_size:
            raise ValueError(f"ids must be a non-empty set inside the vocabulary 0..{vocab_size - 1}")
        self.vocab_size = vocab_size
        self.n_used = len(self.full_ids)
        self.unused_slot = self.n_used  # compact id of every id the corpus does not use
        self.n_unused = vocab_size - self.n_used
        self._to_compact = torch.full((vocab_size,), self.unused_slot, dtype=torch.long)  # [v]
        self._to_compact[self.full_ids] = torch.arange(self.n_used)

    @property
    def size(self) -> int:
        """Rows of the compact embedding: the used ids and the zero row."""
        return self.n_used + 1

    def compact(self, ids: torch.Tensor) -> torch.Tensor:
        """Full ids -> compact ids (unused ids -> the zero row's slot), same shape."""
        return self._to_compact[ids]

    def full_matrix(self, compact_rows: torch.Tensor) -> torch.Tensor:
        """[n+1, d] compact embedding -> [vocab_size, d]: used rows at their ids, zeros elsewhere."""
        out = compact_rows.new_zeros(self.vocab_size, compact_rows.shape[1])  # [v, d]
        out[self.full_ids] = compact_rows[: self.n_used]
        return out


def full_vocab_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, n_unused: int,
                             unused_weight: float = 1.0) -> torch.Tensor:
    """Mean cross-entropy over the full vocabulary of a model whose unused rows are zero.

    logits [N, n+1] from the compact model (column n is the zero row: logit 0), targets [N] compact ids (n for an
    unused id, IGNORE to skip). Column n is given logit log(unused_weight * n_unused): the n_unused zero-logit ids
    together. unused_weight 1: the exact full-vocabulary loss; 0: a softmax over the used ids only.
    """
    unused = logits.shape[-1] - 1
    column = math.log(unused_weight * n_unused) if unused_weight > 0 else float("-inf")
    bias = torch.zeros(logits.shape[-1], dtype=logits.dtype, device=logits.device)  # [n+1]
    bias[unused] = column
    loss = F.cross_entropy(logits + bias, targets, ignore_index=IGNORE, reduction="none")  # [N]
    # An unused *target* has logit 0 itself, not log(n_unused): undo the shift for those rows.
    loss = torch.where(targets == unused, loss + column, loss)
    keep = targets != IGNORE
    return loss[keep].mean()
