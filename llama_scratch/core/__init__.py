"""The model core: params.json -> ModelConfig, Meta's checkpoint format, the tokenizer, the layers as plain
functions, the Llama module, the KV cache and generation. Imports only torch, tiktoken and the standard library:
no file discovery, no network."""

from .cache import KVCache
from .config import ModelConfig, config_from_file, config_from_params, default_rope_scaling_factor, load_config
from .costs import DecodeBytes, decode_bytes, weight_bytes
from .errors import CheckpointError
from .format import BLOCK, BLOCK_KEYS, TensorSpec, count_parameters, expected_shapes, is_tied
from .generate import generate, generate_stream, generate_tensors, sample_next_token, sampling_probabilities
from .layers import RopeBands, apply_rope, attention, attention_qkv, attention_stages, attention_weights, \
    causal_mask, causal_mask_at, embed, grouped_query_attention, layer_weights, llama3_scale_frequencies, \
    repeat_kv, rms_norm, rope_angles, rope_bands, rope_frequencies, rope_inverse_frequencies, swiglu, \
    transformer_block
from .model import Llama
from .padding import padded_positions, padding_mask
from .quantize import Int8Linear, Int8Weight, dequantize_int8, int8_linear, quantize_int8, quantize_model
from .tokenizer import Tokenizer, bos_token_id, stop_token_ids
