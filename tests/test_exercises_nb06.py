"""The checks of notebook 06's exercises: right answers (derived here independently) pass, the usual wrong ones
fail, an unanswered exercise returns None."""

import math

import pytest
import torch

import llama_scratch as ls
from llama_scratch.tools import i18n

SILU = torch.nn.functional.silu  # the real function: exercise 6.1's check must put it back


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv(i18n.LANG_ENV, "en")


def swiglu(x, w1, w2, w3):
    a = x @ w1.T
    return (a * torch.sigmoid(a) * (x @ w3.T)) @ w2.T


def test_6_1_swiglu_by_hand(capsys):
    assert ls.check("6.1", ...) is None
    assert ls.check("6.1", swiglu) is True
    relu_gate = lambda x, w1, w2, w3: (torch.relu(x @ w1.T) * (x @ w3.T)) @ w2.T  # noqa: E731
    assert ls.check("6.1", relu_gate) is False
    swapped = lambda x, w1, w2, w3: swiglu(x, w3, w2, w1)  # noqa: E731  the gate on the wrong projection
    assert ls.check("6.1", swapped) is False
    assert ls.check("6.1", lambda x, w1, w2, w3: ls.swiglu(x, w1, w2, w3)) is False
    assert "raised" in capsys.readouterr().out
    assert torch.nn.functional.silu is SILU  # restored


def hidden_dim(dim, multiple_of, mult):
    hidden = int(2 * 4 * dim / 3)
    if mult is not None:
        hidden = int(mult * hidden)
    return multiple_of * math.ceil(hidden / multiple_of)


def test_6_2_hidden_size_rule():
    # published sizes: Llama-3.2-1B 8192, Llama 3 8B 14336, Llama 3 70B 28672 (their params.json / HF configs)
    assert [hidden_dim(2048, 256, 1.5), hidden_dim(4096, 1024, 1.3), hidden_dim(8192, 4096, 1.3)] == \
        [8192, 14336, 28672]
    assert ls.check("6.2", ...) is None
    assert ls.check("6.2", hidden_dim) is True
    rounds_down = lambda d, m, x: m * (int((x or 1) * int(8 * d / 3)) // m)  # noqa: E731
    assert ls.check("6.2", rounds_down) is False
    no_two_thirds = lambda d, m, x: hidden_dim(3 * d // 2, m, x)  # noqa: E731
    assert ls.check("6.2", no_two_thirds) is False
    ignores_none = lambda d, m, x: hidden_dim(d, m, x if x is not None else 1.3)  # noqa: E731
    assert ls.check("6.2", ignores_none) is False


def test_6_3_parameters_of_one_block():
    d, h, k, f = 2048, 32, 8, 8192  # Llama-3.2-1B's params.json: dim, n_heads, n_kv_heads; f from test 6.2
    e = d // h
    block = d * h * e + 2 * d * k * e + h * e * d + 3 * d * f + 2 * d
    assert ls.check("6.3", ...) is None
    assert ls.check("6.3", block) is True
    assert ls.check("6.3", block - 2 * d) is False  # forgot the two norm weights
    assert ls.check("6.3", 4 * d * d + 3 * d * f + 2 * d) is False  # as if k = h (no GQA)
