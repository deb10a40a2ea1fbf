"""Training batches: windows of the text, and packed copy episodes [bos, span, span] for induction heads.

Every row is seq_len inputs and seq_len targets (the inputs shifted by one). Text rows start at a document's
<|begin_of_text|> (or every seq_len tokens inside a long document). Copy rows pack episodes of a random span drawn
from the corpus's ids, written twice; only the second copy is scored (targets elsewhere are IGNORE), since a random
first copy cannot be predicted. Packing puts most episodes away from position 0, so "bos at position 0" cannot
become a cue for copying. A batch depends only on (seed, step): the same run draws the same batches.
"""

from __future__ import annotations

import torch

from .vocab import IGNORE

SPAN_LENGTHS = (8, 40)  # shortest and longest copy span, in tokens


class Batches:
    """Draws batches from ``stream`` (compact ids [N]: every document as [bos] + ids + [eos], concatenated)."""

    def __init__(self, stream: torch.Tensor, starts: torch.Tensor, copy_pool: torch.Tensor, bos: int,
                 seq_len: int, batch_size: int, seed: int):
        if len(stream) < 2 or len(starts) == 0:
            raise ValueError("the training text is too short: it needs at least one token besides bos/eos")
        self.stream = torch.cat([stream, stream[: seq_len + 1]])  # wrap around: every start has seq_len + 1 tokens
        while len(self.stream) < int(starts.max()) + seq_len + 1:  # a text shorter than one window
            self.stream = torch.cat([self.stream, stream])
        self.starts, self.pool, self.bos = starts, copy_pool, bos
        self.seq_len, self.batch_size, self.seed = seq_len, batch_size, seed

    def text_rows(self, n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """n windows starting at random document starts: (inputs [n, T], targets [n, T])."""
        T = self.seq_len
        pick = self.starts[torch.randint(len(self.starts), (n,), generator=g)]  # [n]
        rows = torch.stack([self.stream[p: p + T + 1] for p in pick.tolist()]) if n else \
            torch.empty(0, T + 1, dtype=torch.long)  # [n, T+1]
        return rows[:, :-1], rows[:, 1:]

    def copy_rows(self, n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """n rows of packed [bos, span, span] episodes: (inputs [n, T], targets [n, T], IGNORE but the second copy's
        s_2..s_L)."""
        T, lo, hi = self.seq_len, *SPAN_LENGTHS
        inputs = torch.empty(n, T + 1, dtype=torch.long)  # [n, T+1]
        targets = torch.full((n, T + 1), IGNORE, dtype=torch.long)  # [n, T+1]: target of position i is token i
        for r in range(n):
            pos = 0
            while pos < T + 1:
                L = int(torch.randint(lo, min(hi, self.max_span()) + 1, (1,), generator=g))
                span = self.pool[torch.randint(len(self.pool), (L,), generator=g)]  # [L]
                episode = torch.cat([torch.tensor([self.bos]), span, span])  # [1 + 2L]
                end = min(pos + len(episode), T + 1)
                inputs[r, pos:end] = episode[: end - pos]
                scored = torch.arange(min(pos + L + 2, end), end)  # s_2..s_L of the second copy (cut at the row's end)
                targets[r, scored] = inputs[r, scored]
                pos = end
        return inputs[:, :-1], targets[:, 1:]

    def max_span(self) -> int:
        """The longest span that fits twice in a row after bos."""
        return max(SPAN_LENGTHS[0], (self.seq_len - 1) // 2)

    def batch(self, step: int, copy_fraction: float) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch of ``step``: round(copy_fraction * batch_size) copy rows, the rest text rows.
        -> (inputs [b, T], targets [b, T])."""
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + step)
        n_copy = round(copy_fraction * self.batch_size)
        x1, y1 = self.text_rows(self.batch_size - n_copy, g)
        x2, y2 = self.copy_rows(n_copy, g)
        return torch.cat([x1, x2]), torch.cat([y1, y2])


def document_stream(docs_ids: list[list[int]], bos: int, eos: int, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(stream [N], starts [m]): documents as [bos] + ids + [eos] back to back, and where windows may start (each
    document's bos, and every seq_len tokens inside a longer document)."""
    stream, starts = [], []
    for ids in docs_ids:
        doc = [bos] + list(ids) + [eos]
        starts += [len(stream) + k for k in range(0, max(1, len(doc) - 1), seq_len)]
        stream += doc
    return torch.tensor(stream, dtype=torch.long), torch.tensor(starts, dtype=torch.long)
