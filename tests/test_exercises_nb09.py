"""Notebook 09's exercise checks: the right answers (derived here by hand from the published shapes, or from
torch) pass, the typical wrong ones fail, an unanswered ``...`` returns None."""

import pytest
import torch

import llama_scratch as ls

# Llama-3.2-1B by hand: embedding 128256 x 2048 (tied), 16 blocks of wq 2048^2, wk and wv 512 x 2048, wo 2048^2,
# w1 w2 w3 8192 x 2048, two norms of 2048; the final norm 2048.
PARAMS_1B = 128256 * 2048 + 16 * (2 * 2048 * 2048 + 2 * 512 * 2048 + 3 * 8192 * 2048 + 2 * 2048) + 2048
KV_1B_BF16 = 2 * 16 * 8 * 64 * 2  # keys+values, layers, kv heads, head_dim 2048/32, bytes
KV_3B_BF16 = 2 * 28 * 8 * 128 * 2  # the 3B: 28 layers, 8 kv heads, head_dim 3072/24


@pytest.mark.parametrize("exercise_id", ["9.1", "9.2", "9.3", "9.4"])
def test_unanswered_returns_none(exercise_id, capsys):
    assert ls.check(exercise_id, ...) is None
    assert "not answered" in capsys.readouterr().out


def test_decode_limit_of_a_gpu():
    assert PARAMS_1B == 1_235_814_400
    assert ls.check("9.1", 3.35e12 / (2 * PARAMS_1B)) is True  # ~1355 tokens/s
    assert ls.check("9.1", 1350) is True  # rounded by the student: within 2 %
    assert ls.check("9.1", 3.35e12 / (4 * PARAMS_1B)) is False  # float32 bytes
    assert ls.check("9.1", 3.35e12 / PARAMS_1B) is False  # one byte per weight
    assert ls.check("9.1", 3.35e12 / (2 * (PARAMS_1B + 128256 * 2048))) is False  # the tied matrix twice


def test_kv_cache_of_the_3b():
    assert ls.check("9.2", KV_3B_BF16) is True
    assert ls.check("9.2", 2 * 28 * 24 * 128 * 2) is False  # n_heads instead of n_kv_heads
    assert ls.check("9.2", KV_3B_BF16 // 2) is False  # keys only
    assert ls.check("9.2", KV_3B_BF16 * 2) is False  # float32


def by_hand(w):
    s = w.abs().amax(dim=1) / 127  # [o]
    s = torch.where(s > 0, s, torch.ones_like(s))
    return torch.round(w / s[:, None]).clamp(-127, 127).to(torch.int8), s


def test_quantize_rows():
    assert ls.check("9.3", by_hand) is True
    assert ls.check("9.3", lambda w: ls.quantize_int8(w)) is True  # the package's (bf16 scales)
    assert ls.check("9.3", lambda w: (by_hand(w.flatten()[None])[0].view_as(w),
                                      w.abs().max().expand(w.shape[0]) / 127)) is False  # one scale for all rows
    assert ls.check("9.3", lambda w: (torch.trunc(w / by_hand(w)[1][:, None]).to(torch.int8),
                                      by_hand(w)[1])) is False  # truncating instead of rounding
    assert ls.check("9.3", lambda w: (w.to(torch.int8), w.abs().amax(dim=1))) is False
    assert ls.check("9.3", lambda w: (by_hand(w)[0].float(), by_hand(w)[1])) is False  # not int8
    assert ls.check("9.3", lambda w: 1 / 0) is False  # an error is a wrong answer, not a crash


def test_context_where_the_cache_outweighs_int8_weights():
    assert ls.check("9.4", PARAMS_1B / KV_1B_BF16) is True  # ~37,714 tokens
    assert ls.check("9.4", PARAMS_1B / (KV_1B_BF16 // 2)) is False  # keys only
    assert ls.check("9.4", 2 * PARAMS_1B / KV_1B_BF16) is False  # bf16 weights
