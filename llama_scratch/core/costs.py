"""What a decode step reads from memory: the model's weights and the KV cache, in bytes.

At batch size 1 every new token multiplies one vector by every weight matrix, so each weight travels from memory
once per token and does about two FLOPs there: memory bandwidth, not arithmetic, bounds the speed,
tokens/s <= bandwidth / bytes read per token (notebook 09, the benchmark's "fraction of bandwidth").
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import torch


class DecodeBytes(NamedTuple):
    """Bytes one decode step reads (batch 1): every weight it multiplies by, and the cached keys and values."""

    weights: int  # every block's matrices and norms, the final norm, the output matrix (+ int8 scales)
    kv_cache: int  # keys and values of every layer at the positions attended to
    total: int


def tensor_bytes(t: torch.Tensor) -> int:
    return t.numel() * t.element_size()


def weight_bytes(module: torch.nn.Module) -> int:
    """Bytes of all distinct parameter and buffer tensors (a tied matrix counts once; int8 weights and their
    scales as stored), and of weights kept outside them (prepack.PackedWeight: its ``nbytes``)."""
    seen = {t.data_ptr(): tensor_bytes(t) for t in itertools.chain(module.parameters(), module.buffers())}
    packed = {id(w): w.nbytes for m in module.modules() if hasattr(w := m.__dict__.get("weight"), "nbytes")}
    return sum(seen.values()) + sum(packed.values())


def kv_bytes_per_position(config, dtype: torch.dtype) -> int:
    """Keys + values of one position in every layer: 2 * n_layers * n_kv_heads * head_dim elements."""
    return 2 * config.n_layers * config.n_kv_heads * config.head_dim * torch.empty((), dtype=dtype).element_size()


def decode_bytes(model, context: int) -> DecodeBytes:
    """Bytes read by one decode step of ``model`` (a Llama) that attends over ``context`` positions.

    Counted: every weight tensor (each block's seven matrices and two norms, the final norm, the output matrix;
    a tied output is the embedding matrix, read whole by the output projection) and the keys and values of the
    ``context`` positions in every layer. An untied embedding matrix is not read: only the token's row is. Not
    counted: the activations (a few vectors of size d or f per layer, which stay in the CPU's caches) and the
    one position written to the cache.
    """
    weights = weight_bytes(model)
    if not model.is_tied:
        table = model.tok_embeddings
        weights -= weight_bytes(table) - weight_bytes(table) // model.config.vocab_size  # one row of it
    kv = kv_bytes_per_position(model.config, model.dtype) * context
    return DecodeBytes(weights, kv, weights + kv)
