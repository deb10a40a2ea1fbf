"""llama_scratch: Llama-3.2-1B rebuilt from scratch in plain PyTorch, one idea per module.

The notebooks in notebooks/ derive each piece by hand and check it against the function here.
"""

from .cache import KVCache
from .checkpoint import (
    CheckpointInfo,
    count_parameters,
    expected_shapes,
    find_checkpoint,
    load_model,
    load_tokenizer,
    read_state_dict,
    resolve_device,
)
from .config import ModelConfig, default_rope_scaling_factor, load_config
from .demo import DEMO_PARAMS, LLAMA_3_2_1B_PARAMS, ensure_demo_checkpoint, make_demo_checkpoint
from .errors import CheckpointError
from .tools.exercises import check
from .tools import diagrams  # noqa: E402  (ls.diagrams.architecture(config, highlight=...))
from .generate import generate, generate_stream, sample_next_token
from .layers import (
    apply_rope,
    attention,
    attention_weights,
    causal_mask,
    causal_mask_at,
    embed,
    grouped_query_attention,
    layer_weights,
    llama3_scale_frequencies,
    padded_positions,
    padding_mask,
    repeat_kv,
    rms_norm,
    rope_angles,
    rope_frequencies,
    rope_inverse_frequencies,
    swiglu,
    transformer_block,
)
from .model import Llama
from . import hf  # noqa: E402  (conversion to Hugging Face transformers; imports transformers lazily)
from .tokenizer import Tokenizer

__version__ = "0.1.0"
