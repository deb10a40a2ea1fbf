"""params.json -> ModelConfig: the derived sizes of the real Llama-3.2-1B, the RoPE factor choice, and the params of
the larger releases (3.2-3B, 3.1-8B) against Meta's own package, their parameter counts against transformers."""

import json

import pytest
import torch

import llama_scratch as ls
from conftest import ROOT
from llama_scratch.checkpoints.hf import hf_config
from llama_scratch.checkpoints.models import LLAMA_3_1_8B_PARAMS, RELEASES, release_bytes, release_parameters

# Llama 3.0 8B's params.json: 3.1 8B's without the use_scaled_rope key (checked below against Meta's package).
LLAMA_3_0_8B_PARAMS = {k: v for k, v in LLAMA_3_1_8B_PARAMS.items() if k != "use_scaled_rope"}


def test_real_1b_derived_sizes(golden):
    facts = golden["real_checkpoint_facts"]
    config = ls.config_from_params(facts["params.json (Llama-3.2-1B and -Instruct)"])
    assert config.head_dim == facts["head_dim"] == 64
    assert config.ffn_hidden_dim == facts["ffn_hidden_dim"] == 8192
    assert ls.count_parameters(config, tied=True) == facts["unique_parameters"] == 1_235_814_400
    assert config.n_rep == 4
    scaling = facts["rope_scaling_for_3.2"]
    assert (config.rope_scaling_factor, config.rope_low_freq_factor, config.rope_high_freq_factor,
            config.rope_original_max_position) == (scaling["factor"], scaling["low_freq_factor"],
                                                   scaling["high_freq_factor"],
                                                   scaling["original_max_position_embeddings"])
    assert config.params_json() == facts["params.json (Llama-3.2-1B and -Instruct)"]


def test_demo_1b_params_are_the_real_ones(golden):
    assert ls.LLAMA_3_2_1B_PARAMS == golden["real_checkpoint_facts"]["params.json (Llama-3.2-1B and -Instruct)"]


@pytest.mark.parametrize("dim,factor", [(2048, 32.0), (3072, 32.0), (4096, 8.0), (8192, 8.0), (16384, 8.0)])
def test_default_rope_factor_by_model_width(dim, factor):
    assert ls.default_rope_scaling_factor(dim) == factor


def test_override(tmp_path):
    (tmp_path / "params.json").write_text(json.dumps(ls.LLAMA_3_2_1B_PARAMS))
    assert ls.load_config(tmp_path, rope_scaling_factor=8.0).rope_scaling_factor == 8.0
    assert ls.load_config(tmp_path, max_seq_len=4096).max_seq_len == 4096
    with pytest.raises(TypeError, match="no_such_field"):
        ls.load_config(tmp_path, no_such_field=1)


# Meta's own llama-models package lists every release with its params.json (arch_args) and Hugging Face repository.
META_DESCRIPTORS = {"instruct": "Llama3.2-1B-Instruct", "base": "Llama3.2-1B", "3b-instruct": "Llama3.2-3B-Instruct",
                    "3b-base": "Llama3.2-3B", "8b-instruct": "Llama3.1-8B-Instruct"}
# Published parameter counts, cut to two decimals: the Llama 3.2 model card (1.23B, 3.21B), Llama 3.1 8B's (8.03B).
PUBLISHED_BILLIONS = {"Llama-3.2-1B": 1.23, "Llama-3.2-3B": 3.21, "Llama-3.1-8B": 8.03}


@pytest.mark.parametrize("key", list(RELEASES))
def test_release_params_and_repository_are_metas(key):
    from llama_models.sku_list import resolve_model

    meta = resolve_model(META_DESCRIPTORS[key])
    release = RELEASES[key]
    assert release.params == meta.arch_args
    assert release.hf == meta.huggingface_repo
    assert release.name.endswith(release.hf.split("/")[1].removeprefix("Meta-"))


@pytest.mark.parametrize("key", list(RELEASES))
def test_parameter_counts_match_transformers_and_the_model_cards(key):
    """HF's LlamaForCausalLM of the same config (built on the meta device: no memory) counts the same parameters."""
    from transformers import LlamaForCausalLM

    release = RELEASES[key]
    config = ls.config_from_params(release.params)
    with torch.device("meta"):
        hf = LlamaForCausalLM(hf_config(config, tie_word_embeddings=release.tied))
    assert release_parameters(release) == sum(p.numel() for p in hf.parameters())  # a tied matrix counted once
    family = release.name.removesuffix("-Instruct")
    assert release_parameters(release) // 10**7 / 100 == PUBLISHED_BILLIONS[family]
    assert release_bytes(release) == 2 * release_parameters(release)  # bf16, as Meta stores it


def test_llama_3_0_params_have_no_scaled_rope():
    """Llama 3.0 8B has 3.1 8B's shapes, and its params.json has no use_scaled_rope key: no RoPE scaling."""
    from llama_models.sku_list import resolve_model

    meta = resolve_model("Llama-3-8B").arch_args
    assert {k: v for k, v in meta.items() if k != "use_scaled_rope"} == LLAMA_3_0_8B_PARAMS
    assert meta["use_scaled_rope"] is False and ls.config_from_params(LLAMA_3_0_8B_PARAMS).use_scaled_rope is False


def test_readme_memory_table_is_computed_from_params():
    """README's "Memory and speed" rows: parameters, bf16 and fp32 sizes, KV cache per token, from params.json."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().split(" ")[0]: line
            for line in readme.splitlines() if line.startswith("| Llama-")}
    for family, release in {r.name.removesuffix("-Instruct"): r for r in RELEASES.values()}.items():
        config, n = ls.config_from_params(release.params), release_parameters(release)
        kv_kib = 2 * config.n_layers * config.n_kv_heads * config.head_dim * 2 / 2**10
        cells = [c.strip() for c in rows[family].split("|")[2:-1]]
        assert cells[0].startswith(f"{n:,}") and ("(tied)" in cells[0]) == release.tied, cells
        assert cells[1] == cells[3] == f"{2 * n / 1e9:.2f} GB" and cells[2].startswith(f"{4 * n / 1e9:.2f} GB")
        assert cells[4] == f"{kv_kib:g} KiB"
