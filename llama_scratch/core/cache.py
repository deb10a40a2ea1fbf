"""KVCache: the keys and values of positions already processed, so each new token costs one position's work."""

from __future__ import annotations

import torch


class KVCache:
    """Preallocated keys and values for every layer: ``k[layer]`` and ``v[layer]`` are [b, k, max_len, e].

    Allocated once for the longest sequence (a "static" cache: no torch.cat per token, so no re-allocation and
    no copying of the whole past at every step). ``update`` writes new entries and returns the filled prefix (or,
    given a tensor position, all max_len slots: see update).
    """

    def __init__(self, config, batch_size: int, max_len: int, device=None, dtype=torch.float32):
        shape = (config.n_layers, batch_size, config.n_kv_heads, max_len, config.head_dim)
        self.k = torch.zeros(shape, device=device, dtype=dtype)
        self.v = torch.zeros(shape, device=device, dtype=dtype)
        # The buffers never move: tell torch.compile, so that CUDA graphs may write into them in place (without
        # this, a compiled step that mutates them is run without CUDA graphs). No effect when not compiling.
        torch._dynamo.mark_static_address(self.k)
        torch._dynamo.mark_static_address(self.v)
        self.max_len = max_len

    def update(self, layer: int, start_pos, k: torch.Tensor, v: torch.Tensor):
        """Store k, v [b, k, s, e] at positions start_pos..start_pos+s-1; return all keys/values so far [b, k, t, e].

        start_pos as a tensor [1] ("fixed shapes"): write with index_copy_ and return *all* max_len slots, so the
        shapes never change from step to step (what torch.compile / CUDA graphs need); the caller masks the slots
        after each query's position (layers.causal_mask_at). Its range is the caller's to check (Llama.forward does,
        once per call): reading a tensor position back here would be a host sync in every layer.
        """
        if isinstance(start_pos, torch.Tensor):
            pos = start_pos + torch.arange(k.shape[2], device=k.device)  # [s]
            self.k[layer].index_copy_(2, pos, k)
            self.v[layer].index_copy_(2, pos, v)
            return self.k[layer], self.v[layer]
        end = start_pos + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"KV cache holds {self.max_len} positions; cannot store up to position {end}")
        self.k[layer, :, :, start_pos:end] = k
        self.v[layer, :, :, start_pos:end] = v
        return self.k[layer, :, :, :end], self.v[layer, :, :, :end]

    def nbytes(self) -> int:
        """Memory taken by the cache, in bytes."""
        return self.k.numel() * self.k.element_size() * 2
