"""Prepacked weights (core.prepack): oneDNN's layout for the blocks' matrices, the same model otherwise."""

import pytest
import torch
import torch.nn.functional as F

import llama_scratch as ls
from llama_scratch.core.prepack import OUTPUT_PART_ROWS, PackedWeight, StoredRows, check_prepack

TOKENS = torch.tensor([[128000, 791, 3925, 315, 279, 18991, 3577, 12302]])  # [1, 8]


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_prepacked_model_computes_the_same_logits(tiny_dir, dtype):
    plain = ls.load_model(tiny_dir, dtype=dtype)
    packed = ls.load_model(tiny_dir, dtype=dtype, prepack=True)
    assert isinstance(packed.layers[0].feed_forward.w2.weight, PackedWeight)
    assert plain.is_tied and not packed.is_tied  # the tied matrix: a packed copy for the output projection
    assert isinstance(packed.output.weight, PackedWeight) and packed.dtype == dtype
    table = packed.tok_embeddings.weight  # the lookup's rows, as stored in the file (bf16)
    assert isinstance(table, StoredRows) and table.dtype == dtype and table.table.dtype == torch.bfloat16
    stored_bytes = plain.tok_embeddings.weight.numel() * 2  # bf16 in the checkpoint
    assert ls.weight_bytes(packed) == ls.weight_bytes(plain) + stored_bytes  # the blocks replaced, the table kept
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
    assert isinstance(model.tok_embeddings.weight, StoredRows)  # the lookup needs plain rows


def test_packed_output_in_parts_is_the_same_product():
    w = torch.randn(3 * OUTPUT_PART_ROWS // 64 + 5, 32, dtype=torch.bfloat16)  # [o, i]: parts and a remainder
    x = torch.randn(2, 1, 32)
    whole, parts = PackedWeight(w, torch.float32), PackedWeight(w, torch.float32, part_rows=OUTPUT_PART_ROWS // 64)
    assert len(parts.parts) == 4 and parts.dtype == torch.float32
    want = x @ w.float().T  # [2, 1, o]
    assert torch.allclose(F.linear(x, whole), want, atol=1e-5)
    assert torch.equal(F.linear(x, parts), F.linear(x, whole))  # the same sums, row block by row block


def test_stored_rows_convert_when_looked_up():
    table = torch.randn(50, 8).to(torch.bfloat16)  # [v, d] as a checkpoint stores it
    rows = StoredRows(table, torch.float32)
    tokens = torch.tensor([[3, 49, 0]])
    got = F.embedding(tokens, rows)  # [1, 3, 8]
    assert got.dtype == torch.float32 and torch.equal(got, table.float()[tokens])
    with pytest.raises(TypeError, match="F.embedding"):
        F.linear(torch.randn(1, 8), rows)


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
