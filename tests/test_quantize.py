"""int8 weight-only quantization (core.quantize): the rounding bound of every weight, the matmul within the bound it
implies, the model built from int8 weights, the errors for what it does not support.

The bounds are derived, not fitted. A weight w of a row with scale s is stored as q = round(w / s), so
|w - q s| <= s / 2. A product y_o = sum_i x_i w_oi then moves by at most s_o / 2 * sum_i |x_i|. On top come the
roundings of bf16 (8 significant bits: relative error <= 2^-9 each): the kernel rounds its float32 sum once; the
dequantizing path rounds the matmul's output and the product with the scale (two). float32 accumulation adds at
most i * 2^-24 * sum_i |x_i w_oi| (negligible at these sizes, but counted).
"""

import pytest
import torch
import torch.nn.functional as F

import llama_scratch as ls
from llama_scratch.core import quantize
from llama_scratch.core.quantize import Int8Linear, Int8Weight, dequantize_int8, int8_embedding, int8_linear, \
    quantize_int8, quantize_model

BF16_ROUNDING = 2.0 ** -9  # relative error of one rounding to bfloat16 (8 significant bits, round to nearest)


def random_rows(o: int, i: int, seed: int = 0) -> torch.Tensor:
    """A float32 matrix [o, i] whose rows have very different magnitudes, one row all zeros."""
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(o, i, generator=gen) * torch.logspace(-3, 1, o)[:, None]  # [o, i]
    w[1] = 0.0
    return w


def test_every_weight_within_half_a_step():
    w = random_rows(64, 96)
    q, scale = quantize_int8(w, chunk_bytes=10 * 96 * 4)  # chunks of 10 rows, which do not divide the rows
    assert q.dtype == torch.int8 and q.element_size() == 1 and scale.dtype == torch.bfloat16
    assert q.shape == w.shape and scale.shape == (64,)
    assert int(q.abs().max()) == 127 and int(q.min()) >= -127
    s = scale.float()[:, None]  # [o, 1]: the scale as stored, the one the matmul multiplies by
    assert torch.all((w - q.float() * s).abs() <= s / 2 * (1 + 1e-6))
    assert torch.all(q[1] == 0)
    nonzero = torch.arange(64) != 1
    assert torch.all(q[nonzero].abs().amax(dim=1) == 127)  # each row's largest weight uses the full range
    assert torch.equal(dequantize_int8(q, scale, torch.float32), q.float() * scale.float()[:, None])


def linear_bound(x: torch.Tensor, w: torch.Tensor, scale: torch.Tensor, roundings: int) -> torch.Tensor:
    """The largest |int8_linear(x) - x w^T| the derivation allows, per output: [..., o]."""
    xa = x.double().abs()  # [..., i]
    exact = x.double() @ w.double().T  # [..., o]
    quantization = xa.sum(-1, keepdim=True) * scale.double() / 2  # [..., o]
    accumulation = w.shape[1] * 2.0 ** -24 * (xa @ w.double().abs().T)
    return quantization + accumulation + roundings * BF16_ROUNDING * (exact.abs() + quantization) * 1.001


@pytest.mark.parametrize("rows,width,path", [
    (1, 128, "fused kernel"), (16, 128, "fused kernel"), (17, 128, "dequantized matmul"),
    (1, 100, "dequantized matmul"),  # a width the fused kernel would mis-sum (it reads 16 at a time, no tail)
])
def test_int8_linear_within_the_derived_bound(rows, width, path):
    w = random_rows(48, width, seed=1)
    q, scale = quantize_int8(w)
    x = torch.randn(1, rows, width, generator=torch.Generator().manual_seed(2)).to(torch.bfloat16)  # [1, m, i]
    y = int8_linear(x, q, scale)  # [1, m, o]
    assert y.shape == (1, rows, 48) and y.dtype == torch.bfloat16
    roundings = 1 if path == "fused kernel" else 2
    error = (y.double() - x.double() @ w.double().T).abs()
    bound = linear_bound(x, w, scale, roundings)
    assert torch.all(error <= bound), (error / bound).max()
    assert error.max() > 0  # the bound is not vacuous: the weights really were rounded


def test_embedding_rows_are_the_dequantized_rows():
    w = random_rows(40, 32)
    q, scale = quantize_int8(w)
    tokens = torch.tensor([[3, 0, 39, 3]])  # [1, 4]
    rows = int8_embedding(tokens, q, scale)  # [1, 4, 32]
    assert torch.equal(rows, dequantize_int8(q, scale)[tokens])
    assert torch.equal(F.embedding(tokens, Int8Weight(q, scale)), rows)  # through the tensor-like weight


def test_int8_weight_accepts_only_linear_and_embedding():
    w = Int8Weight(*quantize_int8(random_rows(8, 16)))
    x = torch.randn(2, 16).to(torch.bfloat16)
    assert torch.equal(F.linear(x, w), int8_linear(x, w.q, w.scale))
    with pytest.raises(TypeError, match="bias"):
        F.linear(x, w, torch.zeros(8, dtype=torch.bfloat16))
    with pytest.raises(TypeError, match="dequantize"):
        torch.matmul(x, w)


@pytest.fixture(scope="module")
def int8_model(tiny_dir):
    return ls.load_model(tiny_dir, dtype=torch.bfloat16, quantize="int8")


def test_loaded_weights_really_are_int8(int8_model, tiny_dir):
    config = int8_model.config
    linears = [m for m in int8_model.modules() if isinstance(m, Int8Linear)]
    assert len(linears) == 7 * config.n_layers + 1  # the tied embedding/output matrix is one module
    assert int8_model.output is int8_model.tok_embeddings and int8_model.is_tied
    for m in linears:
        assert m.qweight.dtype == torch.int8 and m.qweight.element_size() == 1
    assert not any(p.dtype.is_floating_point and p.dim() == 2 for p in int8_model.parameters())
    assert {p.dtype for p in int8_model.parameters()} == {torch.bfloat16}  # the norms
    # Quantizing while loading gives exactly what quantizing a loaded bf16 model gives.
    by_hand = quantize_model(ls.load_model(tiny_dir, dtype=torch.bfloat16))
    for (name, a), (_, b) in zip(int8_model.state_dict().items(), by_hand.state_dict().items()):
        assert torch.equal(a, b), name


def test_int8_model_is_the_fake_quantized_model_in_bf16(int8_model, tiny_dir):
    """The int8 model computes what a float32 model with the dequantized weights computes, up to the same bf16
    rounding that separates the bf16 model from the float32 one."""
    fp32 = ls.load_model(tiny_dir, dtype=torch.float32)
    bf16 = ls.load_model(tiny_dir, dtype=torch.bfloat16)
    fake = ls.load_model(tiny_dir, dtype=torch.float32)  # the same weights as the int8 model, in float32
    with torch.no_grad():
        for name, m in int8_model.named_modules():
            if isinstance(m, Int8Linear):  # the tied matrix once, as tok_embeddings (fake's output is the same)
                fake.get_submodule(name).weight.copy_(m.weight.dequantize(torch.float32))
    tokens = torch.tensor([[128000, 791, 3925, 315, 279, 18991, 3577, 12302]])  # [1, 8]
    got, want, ref32, refbf = int8_model(tokens), fake(tokens), fp32(tokens), bf16(tokens)
    bf16_noise = (refbf - ref32).abs().max()  # 0.021 here; int8 vs fake 0.018, int8 vs fp32 0.044
    # Both differences come from bf16 rounding only (int8 vs fake: of the activations; bf16 vs fp32: of the
    # activations and the weights), but along different rounding paths: a factor 2 between their maxima.
    assert (got - want).abs().max() <= 2 * bf16_noise
    assert (got - want).abs().max() < (got - ref32).abs().max()  # it follows the int8 weights, not the originals


RSS_SCRIPT = """
import json, sys, torch
import llama_scratch as ls
from llama_scratch.core.costs import weight_bytes
from llama_scratch.tools.memory import peak_rss_bytes, rss_bytes
base = rss_bytes()
model = ls.load_model(sys.argv[1], dtype=torch.bfloat16, quantize=sys.argv[2] or None)
with torch.inference_mode():
    model(torch.tensor([[1, 2, 3]]))  # reads every weight: a bf16 model's mapped pages become resident
print(json.dumps({"peak_over_imports": peak_rss_bytes() - base, "weight_bytes": weight_bytes(model)}))
"""


@pytest.fixture(scope="module")
def wide_dir(tmp_path_factory):
    """A demo checkpoint whose weights dwarf the process's other memory: 128,256 x 512 embedding, 2 layers
    (~73M parameters, 146 MB in bf16)."""
    params = {**ls.DEMO_PARAMS["tiny"], "dim": 512, "n_layers": 2}
    return ls.make_demo_checkpoint(tmp_path_factory.mktemp("wide") / "original", params=params)


@pytest.mark.slow
def test_int8_load_peaks_at_half_the_bf16_memory(wide_dir):
    import json
    import subprocess
    import sys

    def measure(quantize):  # a fresh process each: peak RSS over the RSS after the imports
        r = subprocess.run([sys.executable, "-c", RSS_SCRIPT, str(wide_dir), quantize], capture_output=True,
                           text=True, check=True)
        return json.loads(r.stdout)

    bf16, int8 = measure(""), measure("int8")
    saved = bf16["weight_bytes"] - int8["weight_bytes"]
    assert bf16["weight_bytes"] > 140e6 and saved > 0.49 * bf16["weight_bytes"]  # 1 byte per weight + scales
    assert bf16["peak_over_imports"] >= bf16["weight_bytes"]  # the yardstick: the bf16 pages are resident
    # Both processes pay the same for everything but the weights; int8 also holds the float32 copy of the rows
    # being quantized (one 16 MiB buffer) while loading: allow that twice (allocator slack).
    assert int8["peak_over_imports"] <= bf16["peak_over_imports"] - saved + 2 * 2**24, (int8, bf16)
