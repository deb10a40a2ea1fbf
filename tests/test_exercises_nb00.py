"""Notebook 00's exercise checks: answers counted by Hugging Face transformers' LlamaForCausalLM (built on the meta
device, so no memory is used) pass; the usual slips fail; an unanswered exercise returns None."""

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

import llama_scratch as ls
from llama_scratch.tools import exercises

# Hugging Face's published config.json values of the two tied releases
HF_1B = dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
             num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=True)
HF_3B = dict(hidden_size=3072, intermediate_size=8192, num_hidden_layers=28, num_attention_heads=24,
             num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=True)


def hf_model(**kw):
    with torch.device("meta"):
        return LlamaForCausalLM(LlamaConfig(**kw))


def hf_total(model) -> int:
    return sum(p.numel() for p in model.parameters())  # a tied matrix is one parameter, counted once


def hf_count(config, tied: bool = True) -> int:
    """The parameter count of ``config`` (a ModelConfig) as transformers builds that model."""
    return hf_total(hf_model(hidden_size=config.dim, intermediate_size=config.ffn_hidden_dim,
                             num_hidden_layers=config.n_layers, num_attention_heads=config.n_heads,
                             num_key_value_heads=config.n_kv_heads, vocab_size=config.vocab_size,
                             head_dim=config.head_dim, tie_word_embeddings=tied))


def quiet(exercise_id, answer, **context):
    return exercises.check(exercise_id, answer, lang="en", **context)


def test_one_block():
    block = sum(p.numel() for p in hf_model(**HF_1B).model.layers[0].parameters())
    assert quiet("0.1", block) is True
    assert quiet("0.1", block - 2 * 2048) is False  # norms forgotten
    assert quiet("0.1", block + 2 * 1536 * 2048) is False  # wk, wv with 32 heads: not GQA
    assert quiet("0.1", ...) is None


def test_count_function():
    assert quiet("0.2", hf_count) is True
    ours = ls.count_parameters

    def untied_ignored(config, tied=True):
        return ours(config, tied=True)

    def no_final_norm(config, tied=True):
        return ours(config, tied=tied) - config.dim

    def kv_as_query_heads(config, tied=True):
        extra = 2 * (config.n_heads - config.n_kv_heads) * config.head_dim * config.dim * config.n_layers
        return ours(config, tied=tied) + extra

    for wrong in (untied_ignored, no_final_norm, kv_as_query_heads):
        assert quiet("0.2", wrong) is False, wrong.__name__
    assert quiet("0.2", lambda config, tied=True: None) is False  # an unfinished body
    assert quiet("0.2", ...) is None


def test_3b_bytes():
    n = hf_total(hf_model(**HF_3B))
    assert quiet("0.3", 2 * n) is True
    assert quiet("0.3", 4 * n) is False  # float32
    assert quiet("0.3", n) is False  # parameters, not bytes
    assert quiet("0.3", 2 * (n + 128256 * 3072)) is False  # untied
    assert quiet("0.3", ...) is None


def test_missing_tensor():
    untied = hf_model(**{**HF_1B, "tie_word_embeddings": False})
    nbytes = 2 * untied.lm_head.weight.numel()
    assert quiet("0.4", ("output.weight", nbytes)) is True
    assert quiet("0.4", ["output.weight", nbytes]) is True
    assert quiet("0.4", ("lm_head.weight", nbytes)) is False  # Hugging Face's name, not Meta's
    assert quiet("0.4", ("output.weight", nbytes // 2)) is False  # parameters, not bytes
    assert quiet("0.4", ("tok_embeddings.weight", nbytes)) is False
    assert quiet("0.4", ...) is None


@pytest.mark.parametrize("exercise_id", ["0.1", "0.2", "0.3", "0.4"])
def test_hints_in_both_languages(exercise_id):
    ex = exercises.lookup(exercise_id)
    assert ex.hint["en"] != ex.hint["zh"] and ex.hint["zh"].strip()
