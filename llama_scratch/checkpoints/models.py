"""The published Llama 3 models this project knows: their params.json, as in Meta's original/ folders, and the
repositories on ModelScope and Hugging Face that carry those folders (``python -m llama_scratch download --model``).

The params are recorded facts; tests/test_config.py checks them against Meta's own llama-models package.
"""

from __future__ import annotations

from typing import NamedTuple

from ..core.config import config_from_params
from ..core.format import count_parameters

# The real params.json of Llama-3.2-1B and -Instruct (identical for both).
LLAMA_3_2_1B_PARAMS = {
    "dim": 2048, "ffn_dim_multiplier": 1.5, "multiple_of": 256, "n_heads": 32, "n_kv_heads": 8, "n_layers": 16,
    "norm_eps": 1e-05, "rope_theta": 500000.0, "use_scaled_rope": True, "vocab_size": 128256,
}
# Llama-3.2-3B and -Instruct.
LLAMA_3_2_3B_PARAMS = {
    "dim": 3072, "ffn_dim_multiplier": 1.0, "multiple_of": 256, "n_heads": 24, "n_kv_heads": 8, "n_layers": 28,
    "norm_eps": 1e-05, "rope_theta": 500000.0, "use_scaled_rope": True, "vocab_size": 128256,
}
# Llama-3.1-8B and -Instruct.
LLAMA_3_1_8B_PARAMS = {
    "dim": 4096, "ffn_dim_multiplier": 1.3, "multiple_of": 1024, "n_heads": 32, "n_kv_heads": 8, "n_layers": 32,
    "norm_eps": 1e-05, "rope_theta": 500000.0, "use_scaled_rope": True, "vocab_size": 128256,
}


class Release(NamedTuple):
    """One downloadable model: its name (also its folder, weights/<name>/original), params.json, whether its file
    has no output.weight of its own (tied to the embeddings), and the repositories holding its original/ folder."""

    name: str
    params: dict
    tied: bool
    modelscope: str
    hf: str


# download --model <key>. The repository ids are cited in docs/weights.md.
RELEASES = {
    "instruct": Release("Llama-3.2-1B-Instruct", LLAMA_3_2_1B_PARAMS, True, "LLM-Research/Llama-3.2-1B-Instruct",
                        "meta-llama/Llama-3.2-1B-Instruct"),
    "base": Release("Llama-3.2-1B", LLAMA_3_2_1B_PARAMS, True, "LLM-Research/Llama-3.2-1B",
                    "meta-llama/Llama-3.2-1B"),
    "3b-instruct": Release("Llama-3.2-3B-Instruct", LLAMA_3_2_3B_PARAMS, True, "LLM-Research/Llama-3.2-3B-Instruct",
                           "meta-llama/Llama-3.2-3B-Instruct"),
    "3b-base": Release("Llama-3.2-3B", LLAMA_3_2_3B_PARAMS, True, "LLM-Research/Llama-3.2-3B",
                       "meta-llama/Llama-3.2-3B"),
    "8b-instruct": Release("Llama-3.1-8B-Instruct", LLAMA_3_1_8B_PARAMS, False,
                           "LLM-Research/Meta-Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"),
}
DEFAULT_RELEASE = "instruct"


def release_parameters(release: Release) -> int:
    """The number of parameters stored in the release's consolidated.00.pth (a tied output counted once)."""
    return count_parameters(config_from_params(release.params), tied=release.tied)


def release_bytes(release: Release, bytes_per_parameter: int = 2) -> int:
    """The size of its weights: in bf16 as Meta stores them (2 bytes each), or 4 for float32 in memory."""
    return release_parameters(release) * bytes_per_parameter
