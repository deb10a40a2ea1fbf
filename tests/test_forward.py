"""Whole-model logits against Meta's reference and Hugging Face, fp32, max abs diff <= 1e-4, on >= 512 tokens,
at the tiny demo's shapes, the full 1B shape, and 2 layers of the 3.2-3B, 3.1-8B and 3.0-8B shapes.

Float32 noise between correct implementations is ~5e-6; real bugs (wrong RoPE factor, pairs, GQA mapping, a
skipped norm weight) are >= 1e-3. A negative control checks the wrong factor is indeed caught at this length.
"""

import pytest
import torch

import llama_scratch as ls
from conftest import long_prompt, meta_logits
from llama_scratch.checkpoints.demo import random_state_dict
from llama_scratch.checkpoints.hf import hf_model_from_state_dict

ATOL = 1e-4
SEQ = 600
TINY = ls.DEMO_PARAMS["tiny"]
VARIANTS = {
    "gqa-tied": (TINY, True),
    "gqa-untied": (TINY, False),
    "mha": ({**TINY, "n_kv_heads": TINY["n_heads"]}, True),
    "mqa": ({**TINY, "n_kv_heads": 1}, True),
    "unscaled-rope": ({**TINY, "use_scaled_rope": False}, False),
}


def check_against_peers(ckpt_dir, seq, scale_factor):
    model = ls.load_model(ckpt_dir)
    tokens = long_prompt(seq, model.config.vocab_size)
    with torch.inference_mode():
        ours = model(tokens)
    assert ours.shape == (1, seq, model.config.vocab_size) and ours.dtype == torch.float32
    config = model.config
    del model
    sd = ls.read_state_dict(ckpt_dir / "consolidated.00.pth")
    params = config.params_json()
    meta = meta_logits(sd, params, tokens, scale_factor)
    assert (ours - meta).abs().max().item() <= ATOL
    del meta
    hf = hf_model_from_state_dict(sd, config)
    with torch.inference_mode():
        hf_logits = hf(tokens).logits
    assert (ours - hf_logits).abs().max().item() <= ATOL
    return ours, sd, tokens


@pytest.mark.parametrize("name", list(VARIANTS))
def test_logits_match_meta_and_hf(tmp_path, name):
    params, tie = VARIANTS[name]
    ckpt = ls.make_demo_checkpoint(tmp_path, params=params, tie_output=tie, seed=1)
    model = ls.load_model(ckpt)
    assert model.is_tied == tie
    assert ("output.weight" in ls.read_state_dict(ckpt / "consolidated.00.pth")) == (not tie)
    check_against_peers(ckpt, SEQ, scale_factor=32.0)


def test_wrong_rope_factor_is_caught_at_this_length(tiny_dir, tiny_model):
    """Meta's hard-coded factor 8 (wrong for 3.2) must differ from ours by far more than ATOL at SEQ tokens."""
    tokens = long_prompt(SEQ, tiny_model.config.vocab_size)
    with torch.inference_mode():
        ours = tiny_model(tokens)
    wrong = meta_logits(ls.read_state_dict(tiny_dir / "consolidated.00.pth"), tiny_model.config.params_json(),
                        tokens, scale_factor=8.0)
    assert (ours - wrong).abs().max().item() > 10 * ATOL


def test_sdpa_and_explicit_paths_agree(tiny_model):
    tokens = long_prompt(SEQ, tiny_model.config.vocab_size, seed=3)
    with torch.inference_mode():
        fused = tiny_model(tokens)
        explicit, maps = tiny_model(tokens, return_attention=True)
    assert torch.allclose(fused, explicit, atol=ATOL)
    assert len(maps) == tiny_model.config.n_layers
    assert maps[0].shape == (1, tiny_model.config.n_heads, SEQ, SEQ)


def test_last_only_is_the_last_row_of_the_full_logits(tiny_model):
    tokens = long_prompt(40, tiny_model.config.vocab_size, seed=4)
    with torch.inference_mode():
        full = tiny_model(tokens)  # [1, 40, v]
        last = tiny_model(tokens, last_only=True)  # [1, 1, v]
    assert last.shape == (1, 1, tiny_model.config.vocab_size)
    assert torch.allclose(last, full[:, -1:], atol=ATOL)


def test_tied_output_is_one_tensor(tiny_model):
    assert tiny_model.output.weight is tiny_model.tok_embeddings.weight
    assert tiny_model.output.weight.data_ptr() == tiny_model.tok_embeddings.weight.data_ptr()


def test_tied_tensor_stored_twice_is_converted_once(tmp_path):
    sd = random_state_dict(TINY, seed=2, tie_output=True)
    sd["output.weight"] = sd["tok_embeddings.weight"]  # the same storage under both names
    (tmp_path / "params.json").write_text(__import__("json").dumps(TINY))
    torch.save(sd, tmp_path / "consolidated.00.pth")
    model = ls.load_model(tmp_path)
    assert model.is_tied


def test_batch_rows_are_independent(tiny_model):
    a, b = long_prompt(40, 128256, seed=5), long_prompt(40, 128256, seed=6)
    with torch.inference_mode():
        both = tiny_model(torch.cat([a, b]))
        assert torch.allclose(both[1:], tiny_model(b), atol=ATOL)


@pytest.mark.slow
def test_full_1b_shape_matches_meta_and_hf(tmp_path, golden):
    """The real Llama-3.2-1B shapes (random weights): 1,235,814,400 parameters, 2.47 GB on disk."""
    ckpt = ls.make_demo_checkpoint(tmp_path / "original", "1b", seed=0)
    size = (ckpt / "consolidated.00.pth").stat().st_size
    assert abs(size - 2 * golden["real_checkpoint_facts"]["unique_parameters"]) < 2e6  # bf16, tied: 2.47 GB
    config = ls.load_config(ckpt)
    assert ls.count_parameters(config) == golden["real_checkpoint_facts"]["unique_parameters"]
    check_against_peers(ckpt, 512, scale_factor=32.0)


# The RoPE section of Hugging Face's config.json of each model, as published: factor 32 for Llama 3.2 (1B, 3B),
# 8 for Llama 3.1, and no scaling at all for Llama 3.0 (its params.json has no use_scaled_rope).
HF_LLAMA3_ROPE = {"rope_type": "llama3", "rope_theta": 500000.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 8192}
LLAMA_3_0_8B_PARAMS = {k: v for k, v in ls.checkpoints.LLAMA_3_1_8B_PARAMS.items() if k != "use_scaled_rope"}
LARGER = {  # name: (params.json, tied output, HF's RoPE section, a wrong RoPE for the negative control)
    "3.2-3B": (ls.checkpoints.LLAMA_3_2_3B_PARAMS, True, {**HF_LLAMA3_ROPE, "factor": 32.0},
               {"rope_scaling_factor": 8.0}),
    "3.1-8B": (ls.checkpoints.LLAMA_3_1_8B_PARAMS, False, {**HF_LLAMA3_ROPE, "factor": 8.0},
               {"rope_scaling_factor": 32.0}),
    "3.0-8B": (LLAMA_3_0_8B_PARAMS, False, {"rope_type": "default", "rope_theta": 500000.0},
               {"use_scaled_rope": True}),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(LARGER))
def test_larger_llama_shapes_match_hf(tmp_path, name):
    """The real shapes of Llama 3.2 3B and Llama 3.1 / 3.0 8B (2 of their layers, random weights) against HF built
    with the RoPE section of each model's published config.json: our choice of scaling from params.json agrees."""
    params, tied, hf_rope, wrong_rope = LARGER[name]
    ckpt = ls.make_demo_checkpoint(tmp_path, params={**params, "n_layers": 2}, tie_output=tied, seed=1)
    model = ls.load_model(ckpt)
    config = model.config
    assert model.is_tied == tied and config.head_dim == params["dim"] // params["n_heads"]
    tokens = long_prompt(SEQ, config.vocab_size)
    with torch.inference_mode():
        ours = model(tokens)  # [1, s, v]
        model.config = config.replace(**wrong_rope)
        model.reset_rope()
        wrong = model(tokens)  # the same weights with another RoPE scaling
    del model
    hf = hf_model_from_state_dict(ls.read_state_dict(ckpt / "consolidated.00.pth"), config, rope_parameters=hf_rope)
    with torch.inference_mode():
        theirs = hf(tokens).logits
    del hf
    assert (ours - theirs).abs().max().item() <= ATOL
    assert (wrong - theirs).abs().max().item() > 10 * ATOL  # the comparison tells the scalings apart
