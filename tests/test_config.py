"""params.json -> ModelConfig: the derived sizes of the real Llama-3.2-1B, and the RoPE factor choice."""

import json

import pytest

import llama_scratch as ls


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
