"""llama_scratch: Llama-3.2-1B rebuilt from scratch in plain PyTorch.

The notebooks in notebooks/ derive each piece by hand and check it against the function here. The package is
layered, and each layer imports only from the ones before it: core (the model), checkpoints (files on disk),
analysis, training, tools (command line, plots, notebook runner, benchmark). ``import llama_scratch as ls``
gives the names the notebooks use; ``from llama_scratch import plots`` the plotting functions, ``ls.diagrams`` the
architecture, GQA and KV-cache diagrams, ``ls.views`` the interactive views.
"""

import importlib

from .checkpoints import DEMO_PARAMS, LLAMA_3_2_1B_PARAMS, CheckpointInfo, ensure_demo_checkpoint, find_checkpoint, \
    load_model, load_tokenizer, make_demo_checkpoint, open_checkpoint, read_state_dict, resolve_device, \
    verify_checkpoint
from .core import CheckpointError, KVCache, Llama, ModelConfig, RopeBands, Tokenizer, apply_rope, attention, \
    attention_qkv, attention_stages, attention_weights, causal_mask, causal_mask_at, config_from_params, \
    count_parameters, default_rope_scaling_factor, embed, expected_shapes, generate, generate_stream, \
    generate_tensors, grouped_query_attention, layer_weights, llama3_scale_frequencies, load_config, \
    padded_positions, padding_mask, repeat_kv, rms_norm, rope_angles, rope_bands, rope_frequencies, \
    rope_inverse_frequencies, sample_next_token, swiglu, transformer_block
from .core import Int8Linear, decode_bytes, dequantize_int8, int8_linear, quantize_int8, quantize_model, weight_bytes
from . import analysis, training  # what a model learned (notebooks 05, 07, 10); training the tiny one (10)
from .checkpoints import checkpoint_kind, trained_demo_dir
from .tools.exercises import check
from .tools.i18n import text

__version__ = "0.1.0"

# Imported on first use: matplotlib takes a while to import, and the command line does not need it.
_LAZY_MODULES = {"plots": "llama_scratch.tools.plots", "diagrams": "llama_scratch.tools.diagrams",
                 "views": "llama_scratch.tools.views"}


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        return importlib.import_module(_LAZY_MODULES[name])
    raise AttributeError(f"module 'llama_scratch' has no attribute {name!r}")
