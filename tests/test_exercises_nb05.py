"""The checks of notebook 05's exercises: right answers (derived here independently, or torch's own functions)
pass, the usual wrong ones fail, an unanswered exercise returns None."""

import math

import pytest
import torch

import llama_scratch as ls
from llama_scratch.tools import i18n


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv(i18n.LANG_ENV, "en")


def stable_softmax(z):
    z = z - z.max(dim=-1, keepdim=True).values
    return z.exp() / z.exp().sum(dim=-1, keepdim=True)


def test_5_1_stable_softmax(capsys):
    assert ls.check("5.1", ...) is None
    assert ls.check("5.1", stable_softmax) is True
    naive = lambda z: z.exp() / z.exp().sum(-1, keepdim=True)  # noqa: E731  overflows: nan on [1000, 1001]
    assert ls.check("5.1", naive) is False
    wrong_axis = lambda z: (z - z.max()).exp() / (z - z.max()).exp().sum(0, keepdim=True)  # noqa: E731
    assert ls.check("5.1", wrong_axis) is False
    assert ls.check("5.1", lambda z: torch.softmax(z, -1)) is False  # the point is to write it
    assert "raised" in capsys.readouterr().out
    assert torch.softmax(torch.zeros(2), -1).sum() == 1  # torch's softmax is back after the check


def padded_weights(scores, valid):
    s = scores.shape[-1]
    causal = torch.ones(s, s).tril().bool()  # [s, s]
    allowed = causal & valid[:, None, None, :]  # [b, 1, s, s]
    allowed = allowed | torch.eye(s, dtype=torch.bool)  # a padding query sees itself: no all -inf row
    return stable_softmax(scores.masked_fill(~allowed, -math.inf))


def test_5_4_padding_mask():
    assert ls.check("5.4", ...) is None
    assert ls.check("5.4", padded_weights) is True
    causal_only = lambda sc, valid: padded_weights(sc, torch.ones_like(valid))  # noqa: E731  attends to padding
    assert ls.check("5.4", causal_only) is False
    no_self = lambda sc, valid: stable_softmax(sc.masked_fill(  # noqa: E731  NaN rows for padding queries
        ~(torch.ones(sc.shape[-1], sc.shape[-1]).tril().bool() & valid[:, None, None, :]), -math.inf))
    assert ls.check("5.4", no_self) is False
    zeros_not_inf = lambda sc, valid: stable_softmax(sc.masked_fill(  # noqa: E731  0 is not "no weight"
        ~(torch.ones(sc.shape[-1], sc.shape[-1]).tril().bool() & valid[:, None, None, :]), 0.0))
    assert ls.check("5.4", zeros_not_inf) is False


def test_5_2_kv_head_of_each_query_head():
    h, k = 24, 8  # Llama-3.2-3B
    assert ls.check("5.2", ...) is None
    assert ls.check("5.2", [j * k // h for j in range(h)]) is True
    assert ls.check("5.2", [j % k for j in range(h)]) is False  # torch.repeat's tiling
    assert ls.check("5.2", [j // k for j in range(h)]) is False


def test_5_3_kv_bytes_saved_for_the_1b():
    cfg = ls.config_from_params(ls.LLAMA_3_2_1B_PARAMS)
    per_head_token = 2 * cfg.n_layers * cfg.head_dim * 2  # K and V, every layer, bf16
    saved = (cfg.n_heads - cfg.n_kv_heads) * per_head_token * 8192
    gqa = ls.KVCache(cfg, 1, 8192, device="meta", dtype=torch.bfloat16).nbytes()
    assert ls.check("5.3", ...) is None
    assert ls.check("5.3", saved) is True
    assert ls.check("5.3", float(saved)) is True
    assert ls.check("5.3", saved + gqa) is False  # the MHA cache itself, not the saving
    assert ls.check("5.3", saved // 2) is False  # K only, or 1 byte per number
