"""The learned-structure measures, on constructed cases whose answer is known by hand, and against the model;
then what the trained demo learned, measured by them on its own held-out files (the targets of the README)."""

import json
import math

import pytest
import torch
import torch.nn.functional as F

import llama_scratch as ls
from llama_scratch import analysis
from llama_scratch.training import split_documents


def causal_uniform(s: int) -> torch.Tensor:
    """[s, s]: each query spreads its attention evenly over itself and everything before it."""
    return torch.tril(torch.ones(s, s)) / torch.arange(1, s + 1)[:, None]


def previous_token_map(s: int) -> torch.Tensor:
    """[s, s]: query i attends only to i - 1 (query 0, which has no previous token, to itself)."""
    a = torch.zeros(s, s)
    a[0, 0] = 1
    a[torch.arange(1, s), torch.arange(0, s - 1)] = 1
    return a


def induction_map(span: int) -> torch.Tensor:
    """[1+2L, 1+2L] on [bos, span, span]: second-copy queries attend to the token after the earlier occurrence of
    their own token; every other query to bos."""
    s = 1 + 2 * span
    a = torch.zeros(s, s)
    a[:, 0] = 1
    for i in range(span + 1, s):
        a[i, 0], a[i, i - span + 1] = 0, 1
    return a


def test_previous_token_score_of_constructed_heads():
    s = 9
    maps = [torch.stack([previous_token_map(s), causal_uniform(s), torch.eye(s)])[None]]  # one layer [1, 3, s, s]
    scores = analysis.previous_token_scores(maps)
    assert scores.shape == (1, 3)
    assert scores[0, 0] == pytest.approx(1.0)
    assert scores[0, 1] == pytest.approx(sum(1 / (i + 1) for i in range(1, s)) / (s - 1))  # 1/2, 1/3, ... 1/9
    assert scores[0, 2] == pytest.approx(0.0)  # attends to itself only


def test_induction_score_of_constructed_heads():
    L = 6
    s = 1 + 2 * L
    layer = torch.stack([induction_map(L), previous_token_map(s), causal_uniform(s)])[None]  # [1, 3, s, s]
    scores = analysis.induction_scores([layer, layer.flip(1)], L)  # two layers, heads in opposite order
    assert scores.shape == (2, 3)
    assert scores[0, 0] == pytest.approx(1.0) and scores[1, 2] == pytest.approx(1.0)
    assert scores[0, 1] == pytest.approx(0.0)  # looking one token back is not looking L - 1 tokens back
    expected = sum(1 / (i + 1) for i in range(L + 1, 2 * L + 1)) / L  # uniform over i + 1 keys
    assert scores[0, 2] == pytest.approx(expected)
    with pytest.raises(ValueError, match="span_len"):
        analysis.induction_scores([layer], L + 1)


def test_best_head_names_the_largest_entry():
    scores = torch.tensor([[0.1, 0.2, 0.3], [0.9, 0.0, 0.5]])
    assert analysis.best_head(scores) == (1, 0, pytest.approx(0.9))


def test_repeated_sequences_are_bos_span_span_from_the_pool():
    pool = [5, 7, 11, 13]
    seqs = analysis.repeated_sequences(pool, n=4, span_len=10, bos_id=99, seed=3)
    assert seqs.shape == (4, 21)
    assert (seqs[:, 0] == 99).all()
    assert torch.equal(seqs[:, 1:11], seqs[:, 11:])
    assert set(seqs[:, 1:].flatten().tolist()) <= set(pool)
    assert torch.equal(seqs, analysis.repeated_sequences(pool, 4, 10, 99, seed=3))
    assert not torch.equal(seqs, analysis.repeated_sequences(pool, 4, 10, 99, seed=4))


def test_entropies_by_hand():
    assert analysis.unigram_entropy([1, 1, 2, 2]) == pytest.approx(math.log(2))
    assert analysis.unigram_entropy([1, 2, 3, 4]) == pytest.approx(math.log(4))
    assert analysis.unigram_entropy([7, 7, 7]) == pytest.approx(0.0)
    # a, b, a, b, ...: each token decides the next one: bigram entropy 0, unigram log 2.
    seq = [1, 2] * 10
    assert analysis.bigram_entropy(seq[:-1], seq[1:]) == pytest.approx(0.0)
    # contexts: a -> x, a -> y, b -> z, b -> z: half the pairs have 1 bit of doubt.
    assert analysis.bigram_entropy([1, 1, 2, 2], [5, 6, 7, 7]) == pytest.approx(0.5 * math.log(2))
    with pytest.raises(ValueError, match="empty"):
        analysis.unigram_entropy([])


def test_document_windows_predict_every_token_once(tokenizer):
    docs = ["The llama eats grass. " * 30, "羊驼吃草。"]
    windows = analysis.document_windows(tokenizer, docs, seq_len=16)
    ids = [tokenizer.encode(d) for d in docs]
    targets = [t for _, y in windows for t in y]
    assert targets == ids[0] + [tokenizer.eos_id] + ids[1] + [tokenizer.eos_id]
    assert all(len(x) == len(y) <= 16 for x, y in windows)
    assert windows[0][0][0] == tokenizer.bos_id and windows[0][0][1:] == windows[0][1][:-1]  # shifted by one
    base = analysis.text_baselines(tokenizer, docs, seq_len=16)
    assert base["tokens"] == len(targets)
    assert base["unigram"] == pytest.approx(analysis.unigram_entropy(targets))


def test_held_out_loss_is_the_mean_cross_entropy_of_the_model(tiny_model, tokenizer):
    docs = ["The llama eats grass.", "Q: What does the owl eat?\nA: The owl eats mice.", "羊驼吃草。"]
    total, count = 0.0, 0
    with torch.inference_mode():
        for doc in docs:  # one document at a time, no padding, by hand
            seq = torch.tensor([[tokenizer.bos_id] + tokenizer.encode(doc) + [tokenizer.eos_id]])
            logits = tiny_model(seq[:, :-1])[0]  # [s, v]
            total += F.cross_entropy(logits, seq[0, 1:], reduction="sum").item()
            count += seq.shape[1] - 1
    assert analysis.held_out_loss(tiny_model, tokenizer, docs, batch_size=2) == pytest.approx(total / count, abs=1e-4)


def test_copy_losses_by_hand(tiny_model):
    L = 3
    seqs = analysis.repeated_sequences(range(100, 400), n=5, span_len=L, bos_id=128000, seed=0)  # [5, 7]
    with torch.inference_mode():
        logits = tiny_model(seqs)  # [5, 7, v]
    # First copy: tokens at positions 2, 3 (s_2, s_3), predicted at 1, 2. Second copy: positions 5, 6.
    first = F.cross_entropy(logits[:, [1, 2]].flatten(0, 1), seqs[:, [2, 3]].flatten()).item()
    second = F.cross_entropy(logits[:, [4, 5]].flatten(0, 1), seqs[:, [5, 6]].flatten()).item()
    got = analysis.copy_losses(tiny_model, seqs, L, batch_size=2)
    assert got == (pytest.approx(first, abs=1e-4), pytest.approx(second, abs=1e-4))


class _Scripted:
    """Stands in for a model whose greedy continuation is known: generate() returns fixed ids."""

    def __init__(self, ids):
        self.ids = ids

    def generate(self, prompt, limit, stop_tokens=None):
        return self.ids[:limit]


def test_probe_answers_take_the_first_line(tokenizer):
    probes = [{"prompt": "Q: What does the owl eat?\nA:", "answer": "The owl eats mice."}]
    right = _Scripted(tokenizer.encode(" The owl eats mice.\nQ: What"))
    wrong = _Scripted(tokenizer.encode(" The owl eats fish.\nQ:"))
    got = analysis.answer_probes(right, tokenizer, probes)
    assert got[0]["got"] == "The owl eats mice." and got[0]["correct"]
    assert analysis.probe_accuracy(got) == 1.0
    assert analysis.probe_accuracy(analysis.answer_probes(wrong, tokenizer, probes)) == 0.0


@pytest.mark.slow
def test_the_trained_demo_learned_what_it_should(trained_dir):
    """The default trained demo (what `make test` builds first, or one trained here), through load_model: held-out
    loss far below the unigram entropy, in-context copying, a previous-token and an induction head, the probes."""
    model, tokenizer = ls.load_model(trained_dir), ls.load_tokenizer(trained_dir)
    val = split_documents((trained_dir / "val.txt").read_text(encoding="utf-8"))
    probes = json.loads((trained_dir / "probes.json").read_text(encoding="utf-8"))
    loss = analysis.held_out_loss(model, tokenizer, val)
    base = analysis.text_baselines(tokenizer, val)
    assert loss <= 0.6 * base["unigram"] and loss < math.log(128256) / 4, (loss, base)
    assert base["bigram"] < base["unigram"]
    seqs = analysis.repeated_sequences(analysis.corpus_token_pool(tokenizer, val), 32, 20, tokenizer.bos_id,
                                       seed=123)  # other spans than the ones training.json was measured on
    first, second = analysis.copy_losses(model, seqs, 20)
    assert second <= 0.5 * first, (first, second)
    scores = analysis.head_scores(model, seqs, 20)
    assert analysis.best_head(scores["induction"])[2] >= 0.4, scores["induction"]
    assert analysis.best_head(scores["previous_token"])[2] >= 0.6, scores["previous_token"]
    answers = analysis.answer_probes(model, tokenizer, probes)
    assert len(answers) >= 20 and analysis.probe_accuracy(answers) >= 0.9, [a for a in answers if not a["correct"]]
    recorded = json.loads((trained_dir / "training.json").read_text(encoding="utf-8"))["learned"]
    assert recorded["held_out_loss"] == pytest.approx(loss, rel=1e-4)
    assert recorded["probe_accuracy"] == analysis.probe_accuracy(answers)
