"""Notebook 08's exercise checks: the right answers, derived independently (plain arithmetic from the published
params, Hugging Face's sampling warpers, positions counted in the package's own forward calls), pass; typical wrong
answers fail; an unanswered ``...`` returns None."""

import math

import pytest
import torch
from transformers.generation.logits_process import MinPLogitsWarper, TemperatureLogitsWarper, TopPLogitsWarper

from llama_scratch.tools import exercises, i18n

# Published configurations (Hugging Face config.json of meta-llama/Llama-3.2-3B and meta-llama/Llama-3.1-8B).
LLAMA_3_2_3B = {"dim": 3072, "n_layers": 28, "n_heads": 24, "n_kv_heads": 8}
LLAMA_3_1_8B = {"dim": 4096, "n_layers": 32, "n_heads": 32, "n_kv_heads": 8}
CONTEXT = 131072


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv(i18n.LANG_ENV, "en")


def check(exercise_id, answer):
    return exercises.check(exercise_id, answer)


@pytest.mark.parametrize("exercise_id", ["8.1", "8.2", "8.3", "8.4"])
def test_unanswered_is_none(exercise_id, capsys):
    assert check(exercise_id, ...) is None
    assert "not answered yet" in capsys.readouterr().out


def test_top_p_by_hand_against_hugging_face():
    logits = torch.tensor([[3.0, 2.0, 1.0, 0.5, 0.0, -1.0]])  # the exercise's logits, T = 2, top_p = 0.9
    scores = TopPLogitsWarper(0.9)(None, TemperatureLogitsWarper(2.0)(None, logits.clone()))
    probs = torch.softmax(scores, dim=-1)[0]  # [v], zero outside the nucleus
    n_kept, p_top = int((probs > 0).sum()), float(probs.max())
    assert check("8.1", (n_kept, p_top)) is True
    assert check("8.1", (torch.tensor(n_kept), torch.tensor(p_top))) is True
    assert check("8.1", (n_kept, round(p_top, 4))) is True
    plain = torch.softmax(logits[0] / 2.0, dim=-1)
    assert check("8.1", (n_kept, float(plain.max()))) is False  # not renormalised
    assert check("8.1", (n_kept + 1, p_top)) is False  # the token that crosses p counted
    one = torch.softmax(logits[0], dim=-1)  # temperature forgotten
    assert check("8.1", (n_kept, float(one.max()))) is False


def hf_min_p(logits, min_p, temperature):
    """Hugging Face's min-p warper after its temperature warper, as probabilities [b, v]."""
    scores = TemperatureLogitsWarper(temperature)(None, logits.clone()) if temperature != 1.0 else logits.clone()
    return torch.softmax(MinPLogitsWarper(min_p)(None, scores), dim=-1)


def test_min_p_accepts_the_peer_and_rejects_typical_mistakes(capsys):
    assert check("8.2", hf_min_p) is True

    def no_renormalising(logits, min_p, temperature):
        probs = torch.softmax(logits / temperature, dim=-1)
        return torch.where(probs >= min_p * probs.amax(-1, keepdim=True), probs, 0.0)

    def absolute_threshold(logits, min_p, temperature):  # min_p not scaled by the top probability
        probs = torch.softmax(logits / temperature, dim=-1)
        kept = torch.where(probs >= min_p, probs, 0.0)
        return kept / kept.sum(-1, keepdim=True).clamp_min(1e-30)

    def temperature_ignored(logits, min_p, temperature):
        return hf_min_p(logits, min_p, 1.0)

    def in_place(logits, min_p, temperature):
        logits /= temperature
        return hf_min_p(logits, min_p, 1.0)

    for wrong in (no_renormalising, absolute_threshold, temperature_ignored, in_place, lambda *a: None):
        assert check("8.2", wrong) is False, wrong
    assert check("8.2", lambda logits, min_p, temperature: logits.undefined()) is False
    assert "raised" in capsys.readouterr().out


def kv_bytes(params, tokens=CONTEXT, nbytes=2):
    head_dim = params["dim"] // params["n_heads"]
    return 2 * params["n_layers"] * params["n_kv_heads"] * head_dim * nbytes * tokens


def test_kv_budget():
    right = (kv_bytes(LLAMA_3_2_3B), kv_bytes(LLAMA_3_1_8B))
    assert right == (14 * 2**30, 16 * 2**30)  # 112 KiB and 128 KiB per token
    assert check("8.4", right) is True
    assert check("8.4", tuple(float(x) for x in right)) is True
    assert check("8.4", [torch.tensor(x) for x in right]) is True
    assert check("8.4", tuple(x // 2 for x in right)) is False  # K or V only
    assert check("8.4", (kv_bytes(LLAMA_3_2_3B, nbytes=4), kv_bytes(LLAMA_3_1_8B, nbytes=4))) is False  # float32
    with_query_heads = [dict(p, n_kv_heads=p["n_heads"]) for p in (LLAMA_3_2_3B, LLAMA_3_1_8B)]
    assert check("8.4", tuple(kv_bytes(p) for p in with_query_heads)) is False  # no GQA
    assert check("8.4", (right[0] / 2**30, right[1] / 2**30)) is False  # GiB, not bytes


def test_positions_counted_in_the_model(tiny_model, monkeypatch):
    """The right pair is what the package's generate really pushes through forward, for s = 20 and n = 100."""
    s, n = 20, 100
    seen = []
    forward = type(tiny_model).forward

    def counting(self, tokens, *args, **kwargs):
        seen.append(tokens.shape[1])
        return forward(self, tokens, *args, **kwargs)

    monkeypatch.setattr(type(tiny_model), "forward", counting)
    prompt = torch.randint(tiny_model.config.vocab_size, (s,), generator=torch.Generator().manual_seed(0)).tolist()
    counts = []
    for use_cache in (False, True):
        seen.clear()
        tiny_model.generate(prompt, n, stop_tokens=(), use_cache=use_cache)
        counts.append(sum(seen))
    assert len(seen) == n
    assert check("8.3", tuple(counts)) is True
    assert check("8.3", (n * (s + n), s + n)) is False  # the last token counted as fed
    assert check("8.3", (math.comb(s + n, 2), s + n - 1)) is False
    assert check("8.3", (counts[0], n)) is False  # the prompt forgotten
