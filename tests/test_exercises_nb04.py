"""The checks of notebook 04's exercises: right answers (derived here with plain math, Hugging Face's own rotate-half
RoPE, and the inverse of a permutation) pass, the typical wrong ones fail, an unanswered one returns None."""

import math

import pytest
import torch
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

import llama_scratch as ls
from llama_scratch.tools import exercises

THETA = 500000.0  # rope_theta of every Llama 3.x model (Meta's params.json)


def check(ex_id, answer):
    return exercises.check(ex_id, answer, lang="en")


def test_unanswered_exercises_return_none(capsys):
    for k in range(1, 6):
        assert check(f"4.{k}", ...) is None
    assert capsys.readouterr().out.count("not answered yet") == 5


def test_wavelength_of_a_pair_of_the_8b():
    right = 2 * math.pi * THETA ** (2 * 40 / 128)  # head_dim 4096 / 32
    assert check("4.1", right) and check("4.1", torch.tensor(right)) and check("4.1", right * (1 + 1e-6))
    assert not check("4.1", 2 * math.pi * THETA ** (2 * 40 / 64))  # the 1B's head size
    assert not check("4.1", 2 * math.pi * THETA ** (2 * 41 / 128))  # the next pair
    assert not check("4.1", THETA ** (2 * 40 / 128))  # forgot 2π


def test_turns_of_pair_zero():
    assert check("4.2", math.ceil(2000 * math.pi)) and check("4.2", float(math.ceil(2000 * math.pi)))
    assert not check("4.2", math.floor(2000 * math.pi))  # not yet at the thousandth turn
    assert not check("4.2", 2000 * math.pi)  # not a whole position
    assert not check("4.2", math.ceil(2000 * math.pi * 32))  # as if pair 0 were divided by the factor


def test_bands_of_the_8b():
    wavelengths = [2 * math.pi * THETA ** (2 * i / 128) for i in range(64)]
    kept = sum(w < 8192 / 4 for w in wavelengths)
    divided = sum(w > 8192 / 1 for w in wavelengths)
    right = (kept, 64 - kept - divided, divided)
    assert check("4.3", right) and check("4.3", list(right)) and check("4.3", torch.tensor(right))
    assert not check("4.3", (15, 3, 14))  # the 1B's bands
    assert not check("4.3", (right[0] + 1, right[1] - 1, right[2]))  # a boundary pair misplaced


def hf_rotate_half_rope(t, cos, sin):
    """Hugging Face's own function: it takes [b, heads, s, e] and cos, sin [b, s, e] ([c, c] concatenated)."""
    cos2, sin2 = torch.cat([cos, cos], -1)[None], torch.cat([sin, sin], -1)[None]  # [1, s, e]
    out, _ = apply_rotary_pos_emb(t.transpose(1, 2), t.transpose(1, 2), cos2, sin2)  # [b, heads, s, e]
    return out.transpose(1, 2)


def test_rotate_half_rope_accepts_hugging_faces_function_and_rejects_the_usual_mistakes():
    assert check("4.4", hf_rotate_half_rope)

    def interleaved_cos(t, cos, sin):  # cos, sin repeated per pair: the interleaved layout's duplication
        half = t.shape[-1] // 2
        rot = torch.cat([-t[..., half:], t[..., :half]], -1)
        return t * cos.repeat_interleave(2, -1)[:, None] + rot * sin.repeat_interleave(2, -1)[:, None]

    def meta_layout(t, cos, sin):  # Meta's RoPE on the rotate-half layout
        return ls.apply_rope(t, cos, sin)

    def sign_flipped(t, cos, sin):
        return hf_rotate_half_rope(t, cos, -sin)

    for wrong in (interleaved_cos, meta_layout, sign_flipped, lambda t, cos, sin: t):
        assert not check("4.4", wrong)


def test_half_to_interleaved_is_the_inverse_permutation():
    def forward(e):  # Meta row 2i -> position i, 2i+1 -> e/2 + i: the permutation Hugging Face applies
        return torch.cat([torch.arange(0, e, 2), torch.arange(1, e, 2)])

    def inverse(e):
        return torch.argsort(forward(e))

    assert check("4.5", inverse) and check("4.5", lambda e: inverse(e).tolist())
    assert not check("4.5", forward)  # the same direction again, not its inverse
    assert not check("4.5", lambda e: torch.arange(e))
    assert not check("4.5", lambda e: inverse(e)[:-1])


@pytest.mark.parametrize("ex_id", ["4.1", "4.2", "4.3"])
def test_hints_do_not_contain_the_answers(ex_id):
    hint = exercises.lookup(ex_id).hint
    for answer in ("22910", "22,910", "6284", "29, 6, 29", "(29"):
        assert answer not in hint["en"] and answer not in hint["zh"]
