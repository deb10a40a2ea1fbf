"""The checks of notebook 02's exercises: right answers (from torch's own functions or plain arithmetic) pass,
typical wrong ones fail, an unanswered blank returns None."""

import math

import torch
import torch.nn.functional as F

import llama_scratch as ls


def check(exercise_id, answer):
    return ls.check(exercise_id, answer, lang="en")


def test_one_hot_lookup():
    assert check("2.1", lambda ids, weight: F.embedding(ids, weight)) is True
    assert check("2.1", lambda ids, weight: F.one_hot(ids, weight.shape[0]).float() @ weight) is True
    assert check("2.1", lambda ids, weight: F.one_hot(ids, weight.shape[0]) @ weight) is False  # int64 @ float
    assert check("2.1", lambda ids, weight: F.embedding(ids, weight.roll(1, 0))) is False  # off by one row
    assert check("2.1", ...) is None


def test_embedding_bytes_of_the_3b_model():
    vocab, dim = 128256, 3072  # Llama-3.2-3B's published config.json: vocab_size, hidden_size
    assert check("2.2", vocab * dim * 2) is True  # bf16: 2 bytes per number
    assert check("2.2", torch.tensor(vocab * dim * 2)) is True
    for wrong in (vocab * dim, vocab * dim * 4, vocab * 2048 * 2):  # elements, float32, the 1B's table
        assert check("2.2", wrong) is False
    assert check("2.2", ...) is None


def test_cosine():
    assert check("2.3", lambda u, w: F.cosine_similarity(u, w, dim=-1)) is True
    assert check("2.3", lambda u, w: (u * w).sum(-1)) is False  # the dot product, not normalised
    assert check("2.3", lambda u, w: F.cosine_similarity(u, w, dim=0)) is False  # the wrong dimension
    assert check("2.3", ...) is None


def brute_force_nearest(weight, i, k):
    """Cosine with every other row in plain Python, sorted: the peer of the exercise's one-product answer."""
    rows = weight.tolist()
    norm = [math.sqrt(sum(x * x for x in r)) for r in rows]
    score = {j: sum(a * b for a, b in zip(rows[i], r)) / (norm[i] * norm[j]) for j, r in enumerate(rows) if j != i}
    return sorted(score, key=score.get, reverse=True)[:k]


def test_nearest_neighbours():
    assert check("2.4", brute_force_nearest) is True

    def by_dot_product(weight, i, k):
        sims = weight @ weight[i]
        sims[i] = -float("inf")
        return sims.topk(k).indices

    def including_itself(weight, i, k):
        unit = F.normalize(weight, dim=-1)
        return (unit @ unit[i]).topk(k).indices

    assert check("2.4", by_dot_product) is False
    assert check("2.4", including_itself) is False
    assert check("2.4", ...) is None
