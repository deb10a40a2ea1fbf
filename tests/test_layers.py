"""Each building block on its own against Meta's reference (llama3/model.py) and HF's rotate-half RoPE."""

import pytest
import torch

import llama_scratch as ls
from conftest import meta_model_module
from llama_scratch.core.format import BLOCK_KEYS

ATOL = 1e-5


@pytest.fixture(scope="module")
def meta():
    return meta_model_module(32.0)


@pytest.fixture(scope="module")
def rand():
    g = torch.Generator().manual_seed(0)
    return lambda *shape: torch.randn(*shape, generator=g)


def test_rms_norm(meta, rand):
    x, w = rand(2, 7, 64) * 3, rand(64)
    ref = meta.RMSNorm(64, eps=1e-5)
    ref.weight.data = w
    assert torch.allclose(ls.rms_norm(x, w, 1e-5), ref(x), atol=ATOL)
    xb, wb = x.bfloat16(), w.bfloat16()
    ref.weight.data = wb
    assert torch.equal(ls.rms_norm(xb, wb, 1e-5), ref(xb))  # bf16: same upcast, same rounding


@pytest.mark.parametrize("scaled,factor", [(False, 32.0), (True, 32.0), (True, 8.0)])
def test_rope_frequencies_and_rotation(rand, scaled, factor):
    mod = meta_model_module(factor)
    head_dim, seq = 64, 1000
    config = ls.ModelConfig(dim=head_dim * 4, n_layers=1, n_heads=4, n_kv_heads=2, vocab_size=10, multiple_of=8,
                            ffn_dim_multiplier=None, norm_eps=1e-5, rope_theta=500000.0, use_scaled_rope=scaled,
                            rope_scaling_factor=factor)
    freqs_cis = mod.precompute_freqs_cis(head_dim, seq, 500000.0, scaled)  # [seq, e/2] complex
    cos, sin = ls.rope_angles(ls.rope_frequencies(config), torch.arange(seq))
    assert torch.allclose(cos, freqs_cis.real, atol=ATOL) and torch.allclose(sin, freqs_cis.imag, atol=ATOL)
    xq, xk = rand(2, seq, 4, head_dim), rand(2, seq, 2, head_dim)
    ref_q, ref_k = mod.apply_rotary_emb(xq, xk, freqs_cis)
    assert torch.allclose(ls.apply_rope(xq, cos, sin), ref_q, atol=ATOL)
    assert torch.allclose(ls.apply_rope(xk, cos, sin), ref_k, atol=ATOL)


@pytest.mark.parametrize("factor", [32.0, 8.0])
def test_rope_bands_are_where_metas_scaling_keeps_blends_and_divides(factor):
    inv = ls.rope_inverse_frequencies(64, 500000.0)  # [32]: the 1B head
    bands = ls.rope_bands(inv, 1.0, 4.0, 8192)
    meta = meta_model_module(factor).apply_scaling(inv)  # Meta's scaling, factor patched in
    assert (bands.short_edge, bands.long_edge) == (8192 / 4.0, 8192 / 1.0)
    assert bands.kept.any() and bands.blended.any() and bands.divided.any()  # all three bands exist at e = 64
    assert torch.equal(bands.kept | bands.blended | bands.divided, torch.ones(32, dtype=torch.bool))
    assert torch.equal(meta[bands.kept], inv[bands.kept])
    assert torch.allclose(meta[bands.divided], inv[bands.divided] / factor)
    mid = bands.blended
    assert ((meta[mid] < inv[mid]) & (meta[mid] > inv[mid] / factor)).all()
    assert torch.allclose(ls.llama3_scale_frequencies(inv, factor, 1.0, 4.0, 8192), meta, atol=0, rtol=1e-6)


def test_interleaved_rope_equals_hf_rotate_half_after_permutation(rand):
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

    from llama_scratch.checkpoints.hf import permute_for_rotate_half

    n_heads, e, d, seq = 4, 16, 32, 50
    wq, x = rand(n_heads * e, d), rand(1, seq, d)
    cos, sin = ls.rope_angles(ls.rope_inverse_frequencies(e, 10000.0), torch.arange(seq))
    ours = ls.apply_rope((x @ wq.T).view(1, seq, n_heads, e), cos, sin)  # [1, s, h, e] interleaved
    q_hf = (x @ permute_for_rotate_half(wq, n_heads).T).view(1, seq, n_heads, e).transpose(1, 2)
    cos2, sin2 = torch.cat([cos, cos], -1), torch.cat([sin, sin], -1)
    hf, _ = apply_rotary_pos_emb(q_hf, q_hf, cos2[None], sin2[None])  # [1, h, s, e], pairs (i, i + e/2)
    # The same rotation with each head's dimensions reordered: HF's first half is Meta's even dims.
    perm = torch.cat([torch.arange(0, e, 2), torch.arange(1, e, 2)])
    assert torch.allclose(ours.transpose(1, 2)[..., perm], hf, atol=ATOL)


def test_repeat_kv_matches_meta(meta, rand):
    x = rand(2, 5, 3, 8)  # Meta's layout [b, s, k, e]
    ours = ls.repeat_kv(x.transpose(1, 2), 4).transpose(1, 2)
    assert torch.equal(ours, meta.repeat_kv(x, 4))
    assert torch.equal(ours[:, :, 5], x[:, :, 1])  # query head 5 uses kv head 5 // 4 = 1


def test_causal_mask_with_cache():
    m = ls.causal_mask(2, 5)
    assert m.tolist() == [[True, True, True, True, False], [True, True, True, True, True]]


@pytest.mark.parametrize("n_kv_heads", [4, 2, 1])
@pytest.mark.parametrize("use_sdpa", [True, False])
def test_attention_and_block_match_meta(meta, rand, n_kv_heads, use_sdpa):
    from llama_models.llama3.args import ModelArgs

    params = dict(dim=64, n_layers=1, n_heads=4, n_kv_heads=n_kv_heads, vocab_size=100, multiple_of=16,
                  ffn_dim_multiplier=1.3, norm_eps=1e-5, rope_theta=500000.0, use_scaled_rope=True)
    config = ls.config_from_params(params)
    args = ModelArgs(max_batch_size=2, max_seq_len=40, **params)
    block = meta.TransformerBlock(0, args)
    with torch.no_grad():
        for p in block.parameters():
            p.copy_(rand(*p.shape) * 0.3)
    w = {short: dict(block.named_parameters())[key] for short, key in BLOCK_KEYS.items()}
    freqs_cis = meta.precompute_freqs_cis(config.head_dim, 40, 500000.0, True)
    cos, sin = ls.rope_angles(ls.rope_frequencies(config), torch.arange(40))
    x = rand(2, 40, 64)
    mask = torch.triu(torch.full((40, 40), float("-inf")), diagonal=1)
    with torch.no_grad():
        ref_attn = block.attention(block.attention_norm(x), 0, freqs_cis, mask)
        ours_attn, _ = ls.attention(ls.rms_norm(x, w["attention_norm"], 1e-5), w, cos, sin, 4, n_kv_heads,
                                    use_sdpa=use_sdpa)
        assert torch.allclose(ours_attn, ref_attn, atol=ATOL)
        ref_ffn = block.feed_forward(x)
        assert config.ffn_hidden_dim == block.feed_forward.w1.weight.shape[0]
        assert torch.allclose(ls.swiglu(x, w["w1"], w["w2"], w["w3"]), ref_ffn, atol=ATOL)
        ours_block, _ = ls.transformer_block(x, w, cos, sin, config, use_sdpa=use_sdpa)
        assert torch.allclose(ours_block, block(x, 0, freqs_cis, mask), atol=ATOL)


def test_explicit_attention_weights_are_causal_distributions(rand):
    q, k, v = rand(1, 4, 6, 8), rand(1, 2, 6, 8), rand(1, 2, 6, 8)
    out, weights = ls.grouped_query_attention(q, k, v, need_weights=True)
    scores, masked, stage_weights = ls.attention_stages(q, ls.repeat_kv(k, 2))  # the same path, stage by stage
    assert torch.equal(stage_weights, weights)
    assert torch.allclose(scores, q @ ls.repeat_kv(k, 2).transpose(-2, -1) / 8 ** 0.5)
    assert torch.equal(masked.isinf(), torch.ones(6, 6, dtype=torch.bool).triu(1).expand(1, 4, 6, 6))
    assert weights.shape == (1, 4, 6, 6)
    assert torch.allclose(weights.sum(-1), torch.ones(1, 4, 6))
    assert (weights.triu(diagonal=1) == 0).all()
    fused, none = ls.grouped_query_attention(q, k, v)
    assert none is None and torch.allclose(out, fused, atol=ATOL)
