"""Prepacked weights (core.prepack): oneDNN's layout for the blocks' matrices, the same model otherwise."""

import pytest
import torch
import torch.nn.functional as F

import llama_scratch as ls
from llama_scratch.core.prepack import PackedWeight, check_prepack

TOKENS = torch.tensor([[128000, 791, 3925, 315, 279, 18991, 3577, 12302]])  # [1, 8]


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_prepacked_model_computes_the_same_logits(tiny_dir, dtype):
    plain = ls.load_model(tiny_dir, dtype=dtype)
    packed = ls.load_model(tiny_dir, dtype=dtype, prepack=True)
    assert isinstance(packed.layers[0].feed_forward.w2.weight, PackedWeight)
    assert packed.is_tied and packed.output.weight is packed.tok_embeddings.weight  # the tied matrix stays plain
    assert ls.weight_bytes(packed) == ls.weight_bytes(plain)  # a replacement, not a second copy
    want, got = plain(TOKENS), packed(TOKENS)  # [1, 8, v] float32
    if dtype == torch.bfloat16:
        assert torch.equal(got, want)  # the same oneDNN kernel, now reading a layout prepared once
    else:  # MKL against oneDNN: the same sums in another order, float32 rounding only
        assert (got - want).abs().max() <= 1e-5 * want.abs().max()
    prompt = TOKENS[0].tolist()
    assert packed.generate(prompt, 8, stop_tokens=()) == plain.generate(prompt, 8, stop_tokens=())


def test_untied_output_is_packed_too(tmp_path):
    untied = ls.make_demo_checkpoint(tmp_path / "original", "tiny", tie_output=False)
    model = ls.load_model(untied, prepack=True)
    assert not model.is_tied and isinstance(model.output.weight, PackedWeight)
    assert isinstance(model.tok_embeddings.weight, torch.Tensor)  # the lookup needs plain rows


def test_packed_weight_accepts_only_linear():
    w = torch.randn(16, 32)
    p = PackedWeight(w)
    x = torch.randn(3, 32)
    assert torch.allclose(F.linear(x, p), x @ w.T, atol=1e-5)
    with pytest.raises(TypeError, match="F.linear"):
        torch.matmul(x, p)
    with pytest.raises(TypeError, match="bias"):
        F.linear(x, p, torch.zeros(16))


@pytest.mark.parametrize("kwargs,match", [
    ({"dtype": torch.float16, "prepack": True}, "float32 and bfloat16"),
    ({"dtype": torch.bfloat16, "prepack": True, "quantize": "int8"}, "exclude each other"),
])
def test_bad_combinations_are_one_clear_error(tiny_dir, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ls.load_model(tiny_dir, **kwargs)


def test_prepack_is_for_the_cpu():
    with pytest.raises(ValueError, match="CPU"):
        check_prepack(torch.device("cuda"), torch.bfloat16)
