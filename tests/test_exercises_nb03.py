"""The checks of notebook 03's exercises: right answers (from transformers' LlamaRMSNorm, torch's layer_norm, a model
built by transformers, or plain arithmetic) pass, typical wrong ones fail, an unanswered blank returns None."""

import torch
import torch.nn.functional as F
from transformers import LlamaConfig, LlamaForCausalLM
from transformers.models.llama.modeling_llama import LlamaRMSNorm

import llama_scratch as ls


def check(exercise_id, answer):
    return ls.check(exercise_id, answer, lang="en")


def hf_rms_norm(x, weight, eps):
    """transformers' LlamaRMSNorm with the given weight, in the weight's dtype."""
    norm = LlamaRMSNorm(weight.shape[-1], eps=eps).to(weight.dtype)
    with torch.no_grad():
        norm.weight.copy_(weight)
        return norm(x)


def test_rms_norm_function():
    assert check("3.1", hf_rms_norm) is True

    def no_upcast(x, weight, eps):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight

    def stays_float32(x, weight, eps):
        xf = x.float()
        return xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps) * weight.float()

    def eps_outside(x, weight, eps):
        xf = x.float()
        return (xf / (xf.pow(2).mean(-1, keepdim=True).sqrt() + eps)).type_as(x) * weight

    def layer_norm(x, weight, eps):
        return F.layer_norm(x.float(), (x.shape[-1],), weight.float(), eps=eps).type_as(x)

    for wrong in (no_upcast, stays_float32, eps_outside, layer_norm):
        assert check("3.1", wrong) is False, wrong.__name__
    assert check("3.1", ...) is None


def test_bf16_accumulator():
    # bf16 has 8 bits of precision: from 2**8 on, its numbers are 2 apart, so 2**8 + 1 rounds back to 2**8 (ties to
    # even) and a running sum of ones stops there; the mean over the 1B's dim, 2048, is then 2**8 / 2048.
    assert check("3.2", 2 ** 8 / 2048) is True
    assert check("3.2", torch.tensor(2 ** 8 / 2048, dtype=torch.bfloat16)) is True
    for wrong in (1.0, 0.125 ** 0.5, 256.0):  # the float32 mean, the RMS, the sum
        assert check("3.2", wrong) is False
    assert check("3.2", ...) is None


def test_layer_norm_from_rms_norm():
    assert check("3.3", lambda x, weight, eps: F.layer_norm(x, (x.shape[-1],), weight, eps=eps)) is True
    assert check("3.3", lambda x, weight, eps: ls.rms_norm(x, weight, eps)) is False  # not centred
    unbiased = lambda x, weight, eps: (x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True) + eps).sqrt() * weight
    assert check("3.3", unbiased) is False  # divides by d - 1
    assert check("3.3", ...) is None


def test_norm_parameters_of_the_1b_model():
    # Llama-3.2-1B as transformers builds it from its published config.json, on the meta device (no memory)
    config = LlamaConfig(vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                         num_attention_heads=32, num_key_value_heads=8, tie_word_embeddings=True)
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    count = sum(p.numel() for name, p in model.named_parameters() if "norm" in name)
    assert check("3.4", count) is True
    for wrong in (2 * 16 * 2048, 16 * 2048, 2 * count):  # no final norm, one norm per block, LayerNorm's count
        assert check("3.4", wrong) is False
    assert check("3.4", ...) is None
