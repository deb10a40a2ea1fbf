"""How well a text can be predicted without context: unigram and bigram entropies of its tokens, in nats.

Both are computed on the text itself (the counts come from the very tokens that are scored), so they are the best
a context-free (unigram) or previous-token-only (bigram) predictor could do on it: optimistic baselines.
"""

from __future__ import annotations

import math
from collections import Counter

from .evaluate import document_windows


def unigram_entropy(targets) -> float:
    """H(X) = -sum_x p(x) log p(x), p = frequency of x among ``targets`` (ids). Nats per token."""
    counts = Counter(int(t) for t in targets)
    n = sum(counts.values())
    if n == 0:
        raise ValueError("no tokens: the entropy of an empty text is undefined")
    return -sum(c / n * math.log(c / n) for c in counts.values())


def bigram_entropy(contexts, targets) -> float:
    """H(X_t | X_{t-1}) = -sum_{a,b} p(a, b) log p(b | a) over the pairs (contexts[i], targets[i]). Nats per token."""
    pairs = Counter(zip((int(a) for a in contexts), (int(b) for b in targets)))
    firsts = Counter()
    for (a, _), c in pairs.items():
        firsts[a] += c
    n = sum(pairs.values())
    if n == 0:
        raise ValueError("no tokens: the entropy of an empty text is undefined")
    return -sum(c / n * math.log(c / firsts[a]) for (a, _), c in pairs.items())


def text_baselines(tokenizer, docs: list[str], seq_len: int = 128) -> dict:
    """{"unigram", "bigram", "tokens"} of the documents, over the same predictions held_out_loss scores: every
    token after <|begin_of_text|>, <|end_of_text|> included; the bigram's context is the token before."""
    contexts, targets = [], []
    for x, y in document_windows(tokenizer, docs, seq_len):
        contexts += x
        targets += y
    return {"unigram": unigram_entropy(targets), "bigram": bigram_entropy(contexts, targets), "tokens": len(targets)}
