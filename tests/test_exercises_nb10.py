"""The checks of notebook 10's exercises: right answers, derived independently (numpy, plain Python, the schedule's
formula by hand), pass; the usual wrong ones fail; an unanswered ``...`` returns None."""

import math

import numpy as np
import pytest
import torch

import llama_scratch as ls
from llama_scratch.tools import i18n


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv(i18n.LANG_ENV, "en")


def numpy_cross_entropy(logits, targets):
    z = logits.double().numpy()
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(z)), targets.numpy()].mean())


def softmax_then_log(logits, targets):  # underflows to -inf on large logits
    return -torch.log(torch.softmax(logits, -1)).gather(-1, targets[:, None]).mean()


def test_10_1_cross_entropy(capsys):
    assert ls.check("10.1", ...) is None
    assert ls.check("10.1", numpy_cross_entropy) is True
    assert ls.check("10.1", lambda z, y: -torch.log_softmax(z, -1).gather(-1, y[:, None]).sum()) is False  # sum
    assert ls.check("10.1", lambda z, y: -torch.log_softmax(z, 0).gather(-1, y[:, None]).mean()) is False  # axis
    assert ls.check("10.1", softmax_then_log) is False
    assert "logsumexp" in capsys.readouterr().out


def plain_previous_token(a):
    rows = a.tolist()
    return sum(rows[i][i - 1] for i in range(1, len(rows))) / (len(rows) - 1)


def test_10_2_previous_token_score():
    assert ls.check("10.2", ...) is None
    assert ls.check("10.2", plain_previous_token) is True
    assert ls.check("10.2", lambda a: torch.diagonal(a, -1).sum() / a.shape[0]) is False  # divides by s, not s-1
    assert ls.check("10.2", lambda a: torch.diagonal(a, 1).mean()) is False  # above the diagonal: always 0
    assert ls.check("10.2", lambda a: torch.diagonal(a).mean()) is False  # attention to itself


def test_10_3_halfway_learning_rate():
    peak, floor = 3e-3, 3e-4  # TrainConfig's peak_lr and min_lr, read off the notebook
    assert ls.check("10.3", ...) is None
    assert ls.check("10.3", floor + (peak - floor) * (1 + math.cos(math.pi / 2)) / 2) is True
    assert ls.check("10.3", 0.00165) is True
    assert ls.check("10.3", peak / 2) is False  # forgets the floor
    assert ls.check("10.3", (peak + floor)) is False


def counted_entropy(ids):
    values = ids.tolist()
    return -sum(values.count(x) / len(values) * math.log(values.count(x) / len(values)) for x in set(values))


def test_10_4_unigram_entropy():
    assert ls.check("10.4", ...) is None
    assert ls.check("10.4", counted_entropy) is True
    assert ls.check("10.4", lambda ids: counted_entropy(ids) / math.log(2)) is False  # bits, not nats
    assert ls.check("10.4", lambda ids: math.log(len(set(ids.tolist())))) is False  # uniform over distinct ids
