"""Meta's checkpoint format, described once: every tensor's name, its shape as a function of the config, the name
Hugging Face transformers gives it, and when the output matrix is the embedding matrix (tied).

Everything else is derived from the tables here: the expected shapes that loading checks, the parameter count, the
nine weights of a block (layers.layer_weights, Llama's TransformerBlock.weights), the demo writer and the conversion
to Hugging Face's names.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from .config import ModelConfig


class TensorSpec(NamedTuple):
    """One tensor of the checkpoint. Shapes are written in size letters (see sizes): ("h*e", "d") is [h*e, d]."""

    meta: str  # Meta's key; inside a block it follows "layers.N."
    hf: str  # Hugging Face's key; inside a block it follows "model.layers.N."
    shape: tuple[str, ...]
    short: str | None = None  # a block tensor's name in layers.transformer_block's weight dict
    rotate_half: str | None = None  # wq, wk: the config field counting the heads whose rows HF permutes


# The nine tensors of every block, in the order of Meta's consolidated.00.pth.
BLOCK = (
    TensorSpec("attention.wq.weight", "self_attn.q_proj.weight", ("h*e", "d"), "wq", rotate_half="n_heads"),
    TensorSpec("attention.wk.weight", "self_attn.k_proj.weight", ("k*e", "d"), "wk", rotate_half="n_kv_heads"),
    TensorSpec("attention.wv.weight", "self_attn.v_proj.weight", ("k*e", "d"), "wv"),
    TensorSpec("attention.wo.weight", "self_attn.o_proj.weight", ("d", "h*e"), "wo"),
    TensorSpec("feed_forward.w1.weight", "mlp.gate_proj.weight", ("f", "d"), "w1"),
    TensorSpec("feed_forward.w2.weight", "mlp.down_proj.weight", ("d", "f"), "w2"),
    TensorSpec("feed_forward.w3.weight", "mlp.up_proj.weight", ("f", "d"), "w3"),
    TensorSpec("attention_norm.weight", "input_layernorm.weight", ("d",), "attention_norm"),
    TensorSpec("ffn_norm.weight", "post_attention_layernorm.weight", ("d",), "ffn_norm"),
)
EMBEDDING = TensorSpec("tok_embeddings.weight", "model.embed_tokens.weight", ("v", "d"))
FINAL_NORM = TensorSpec("norm.weight", "model.norm.weight", ("d",))
OUTPUT = TensorSpec("output.weight", "lm_head.weight", ("v", "d"))  # absent when tied to the embedding matrix
BLOCK_KEYS = {spec.short: spec.meta for spec in BLOCK}  # short name -> Meta's key after "layers.N."


def sizes(config: ModelConfig) -> dict[str, int]:
    """The size letters shapes are written in: d dim, h*e and k*e query/kv widths, f feed-forward, v vocabulary."""
    e = config.head_dim
    return {"d": config.dim, "h*e": config.n_heads * e, "k*e": config.n_kv_heads * e, "f": config.ffn_hidden_dim,
            "v": config.vocab_size}


def specs(config: ModelConfig, include_output: bool = True) -> dict[str, TensorSpec]:
    """Every tensor of a checkpoint as {Meta's full key: its TensorSpec}, in Meta's order."""
    out = {EMBEDDING.meta: EMBEDDING}
    for i in range(config.n_layers):
        out.update({f"layers.{i}.{spec.meta}": spec for spec in BLOCK})
    out[FINAL_NORM.meta] = FINAL_NORM
    if include_output:
        out[OUTPUT.meta] = OUTPUT
    return out


def expected_shapes(config: ModelConfig, include_output: bool = True) -> dict[str, tuple[int, ...]]:
    """Every tensor of a Meta checkpoint with its shape, in Meta's key order, as implied by params.json."""
    size = sizes(config)
    return {key: tuple(size[s] for s in spec.shape) for key, spec in specs(config, include_output).items()}


def count_parameters(config: ModelConfig, tied: bool = True) -> int:
    """Number of parameters, counting a tied output matrix once (1,235,814,400 for Llama-3.2-1B)."""
    return sum(math.prod(shape) for shape in expected_shapes(config, include_output=not tied).values())


def hf_key(meta_key: str) -> str:
    """Hugging Face's name for one of Meta's keys: "layers.3.attention.wq.weight" -> "model.layers.3.self_attn..."."""
    for spec in (EMBEDDING, FINAL_NORM, OUTPUT):
        if meta_key == spec.meta:
            return spec.hf
    layer, _, rest = meta_key.removeprefix("layers.").partition(".")
    spec = next((s for s in BLOCK if s.meta == rest), None)
    if not meta_key.startswith("layers.") or not layer.isdigit() or spec is None:
        raise KeyError(f"{meta_key!r} is not a tensor of Meta's Llama 3 checkpoint format")
    return f"model.layers.{layer}.{spec.hf}"


def same_tensor(a: torch.Tensor, b: torch.Tensor) -> bool:
    """True when a and b are one tensor stored once (same storage, offset, shape and strides)."""
    return (a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
            and a.storage_offset() == b.storage_offset() and a.shape == b.shape and a.stride() == b.stride())


def is_tied(state_dict: dict) -> bool:
    """The tied rule: the output projection is the embedding matrix when output.weight is absent (Llama 3.2 1B and
    3B) or stored as the same tensor as tok_embeddings.weight; otherwise it is a matrix of its own (Llama 3.x 8B)."""
    out = state_dict.get(OUTPUT.meta)
    return out is None or same_tensor(out, state_dict[EMBEDDING.meta])
