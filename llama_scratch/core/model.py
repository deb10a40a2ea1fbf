"""The Llama module: Meta's parameter names, and a forward pass made of the plain functions in layers.py."""

from __future__ import annotations

import torch
from torch import nn

from .format import BLOCK
from .generate import generate
from .layers import attention_qkv, attention_stages, embed, repeat_kv, rms_norm, rope_angles, rope_frequencies, \
    transformer_block
from .padding import padded_positions, padding_mask

_BLOCK_PATHS = [(spec.short, spec.meta.split(".")) for spec in BLOCK]  # ("wq", ["attention", "wq", "weight"]), ...


class RMSNorm(nn.Module):
    """Holds one norm weight [d] (state-dict key ``...norm.weight``)."""

    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return rms_norm(x, self.weight, self.eps)


class Attention(nn.Module):
    """Holds wq [h*e, d], wk [k*e, d], wv [k*e, d], wo [d, h*e] (no biases)."""

    def __init__(self, config):
        super().__init__()
        e = config.head_dim
        self.wq = nn.Linear(config.dim, config.n_heads * e, bias=False)
        self.wk = nn.Linear(config.dim, config.n_kv_heads * e, bias=False)
        self.wv = nn.Linear(config.dim, config.n_kv_heads * e, bias=False)
        self.wo = nn.Linear(config.n_heads * e, config.dim, bias=False)


class FeedForward(nn.Module):
    """Holds w1 (gate) [f, d], w3 (up) [f, d] and w2 (down) [d, f]."""

    def __init__(self, config):
        super().__init__()
        f = config.ffn_hidden_dim
        self.w1 = nn.Linear(config.dim, f, bias=False)
        self.w2 = nn.Linear(f, config.dim, bias=False)
        self.w3 = nn.Linear(config.dim, f, bias=False)


class TransformerBlock(nn.Module):
    """One block's parameters under Meta's names; forward is layers.transformer_block."""

    def __init__(self, config):
        super().__init__()
        self.attention = Attention(config)
        self.feed_forward = FeedForward(config)
        self.attention_norm = RMSNorm(config.dim, config.norm_eps)
        self.ffn_norm = RMSNorm(config.dim, config.norm_eps)

    def weights(self) -> dict:
        """The block's tensors under the short names layers.transformer_block expects (format.BLOCK)."""
        out = {}
        for short, path in _BLOCK_PATHS:
            obj = self
            for name in path:  # "attention", "wq", "weight": Meta's key is the attribute path
                obj = getattr(obj, name)
            out[short] = obj
        return out


class Llama(nn.Module):
    """Llama 3.x decoder. ``model(tokens)``: LongTensor [b, s] -> float32 logits [b, s, vocab_size].

    State-dict keys are exactly Meta's (tok_embeddings.weight, layers.N.attention.wq.weight, ..., norm.weight,
    output.weight), so consolidated.00.pth loads without renaming. Build one with checkpoints.load_model.
    """

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.tok_embeddings = nn.Embedding(config.vocab_size, config.dim)
        self.layers = nn.ModuleList(TransformerBlock(config) for _ in range(config.n_layers))
        self.norm = RMSNorm(config.dim, config.norm_eps)
        self.output = nn.Linear(config.dim, config.vocab_size, bias=False)
        self.reset_rope()
        self.use_sdpa = True  # False: the explicit softmax(QK^T)V path (same numbers, more memory)

    @property
    def device(self) -> torch.device:
        return self.norm.weight.device

    @property
    def dtype(self) -> torch.dtype:
        """The dtype of the activations (the norms' weights: float in every model, int8 or prepacked too)."""
        return self.norm.weight.dtype

    @property
    def is_tied(self) -> bool:
        """True when output.weight is the embedding matrix itself (Llama 3.2 1B and 3B)."""
        return self.output.weight is self.tok_embeddings.weight

    def tie_weights(self):
        """Use the embedding matrix as the output projection (one tensor, not a copy)."""
        self.output.weight = self.tok_embeddings.weight

    def reset_rope(self, device=None):
        """Compute the RoPE frequencies [e/2] on ``device`` (load_model: after building the model on the meta device).

        Kept out of the state dict and out of .to(dtype): they stay float32 whatever the weights are.
        """
        self._inv_freq = rope_frequencies(self.config).to(device)

    def rope_angles(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """cos, sin [s, e/2] of this model's RoPE at positions [s] ([b, s, e/2] at [b, s]); the frequencies follow
        positions' device once."""
        if self._inv_freq.device != positions.device:
            self._inv_freq = self._inv_freq.to(positions.device)
        return rope_angles(self._inv_freq, positions)

    def check_tokens(self, tokens: torch.Tensor, start_pos: int = 0, cache=None):
        """Raise ValueError unless tokens is an integer tensor [b, s] of ids in the vocabulary that fits the context
        (and the cache). Reads the ids' range and a tensor start_pos back from the device: a host sync."""
        if not isinstance(tokens, torch.Tensor) or tokens.dim() != 2 or tokens.dtype not in (torch.long, torch.int):
            raise ValueError("tokens must be an integer tensor of shape [batch, seq], got "
                             f"{getattr(tokens, 'dtype', type(tokens).__name__)} {tuple(getattr(tokens, 'shape', ()))}")
        if tokens.numel() == 0:
            raise ValueError("tokens is empty: give at least one token id")
        lo, hi = int(tokens.min()), int(tokens.max())
        if lo < 0 or hi >= self.config.vocab_size:
            bad = lo if lo < 0 else hi
            raise ValueError(f"token id {bad} is outside the vocabulary 0..{self.config.vocab_size - 1}")
        end = int(start_pos) + tokens.shape[1]
        if end > self.config.max_seq_len:
            raise ValueError(f"sequence of {end} positions exceeds the model's maximum "
                             f"context of {self.config.max_seq_len} tokens; shorten the prompt")
        capacity = getattr(cache, "max_len", None)  # a preallocated cache (KVCache) has a fixed size
        if capacity is not None and end > capacity:
            raise ValueError(f"KV cache holds {capacity} positions; cannot store up to position {end}")

    @staticmethod
    def check_attention_mask(attention_mask: torch.Tensor, tokens: torch.Tensor, start_pos) -> None:
        """Raise ValueError unless attention_mask is a tensor [b, start_pos + s] of 0/1 (or bool)."""
        if isinstance(start_pos, torch.Tensor):
            raise ValueError("attention_mask cannot be combined with a tensor start_pos (fixed shapes)")
        want = (tokens.shape[0], int(start_pos) + tokens.shape[1])
        if not isinstance(attention_mask, torch.Tensor) or tuple(attention_mask.shape) != want:
            raise ValueError(f"attention_mask must be a tensor of shape [batch, start_pos + seq] = {list(want)}, "
                             f"got {tuple(getattr(attention_mask, 'shape', ()))}")
        if not ((attention_mask == 0) | (attention_mask == 1)).all():
            raise ValueError("attention_mask must hold 1 (real token) or 0 (padding) only")

    def forward(self, tokens: torch.Tensor, start_pos: int = 0, cache=None, return_attention: bool = False,
                last_only: bool = False, check: bool = True, attention_mask: torch.Tensor | None = None):
        """tokens [b, s] at positions start_pos.. -> logits [b, s, v] float32.

        start_pos: an int, or a LongTensor [1] together with a KVCache ("fixed shapes": attend over the whole
        preallocated cache with a mask, so every decode step has the same shapes for torch.compile / CUDA graphs).

        With ``last_only=True`` only the last position is projected onto the vocabulary: logits [b, 1, v]. That is
        all generation needs, and it skips s-1 rows of the largest matrix product (128,256 x d per position).
        With ``return_attention=True`` returns (logits, [attention weights [b, h, s, t] for each layer]).
        ``check=False`` skips check_tokens and its host sync, for callers that checked the ids once (generate).

        ``attention_mask`` [b, t] (t = start_pos + s; 1 = real token, 0 = padding) runs a batch of prompts of
        different lengths, padded on the left or the right: no token attends to padding, and each row's RoPE
        positions count from its first real token. The logits at padding positions are meaningless.
        """
        if check and not torch.compiler.is_compiling():
            self.check_tokens(tokens, start_pos, cache)
        h = embed(tokens, self.tok_embeddings.weight)  # [b, s, d]
        positions = start_pos + torch.arange(tokens.shape[1], device=tokens.device)  # [s] (start_pos int or [1])
        mask = None
        if attention_mask is not None:
            self.check_attention_mask(attention_mask, tokens, start_pos)
            positions = padded_positions(attention_mask)[:, -tokens.shape[1]:]  # [b, s]
            mask = padding_mask(attention_mask, tokens.shape[1])  # [b, 1, s, t]
        cos, sin = self.rope_angles(positions)  # [s, e/2] each ([b, s, e/2] padded)
        maps = []
        for i, layer in enumerate(self.layers):
            h, weights = transformer_block(
                h, layer.weights(), cos, sin, self.config, cache=cache, layer=i, start_pos=start_pos,
                need_weights=return_attention, use_sdpa=self.use_sdpa, mask=mask,
            )
            maps.append(weights)
        if last_only:
            h = h[:, -1:]  # [b, 1, d]
        logits = (self.output(self.norm(h))).float()  # [b, s, v] ([b, 1, v] with last_only)
        return (logits, maps) if return_attention else logits

    def attention_stages(self, tokens: torch.Tensor, layer: int):
        """Block ``layer``'s attention on a fresh prompt in three stages: (scores, masked, weights), each [b, h, s, s].

        The blocks before it run as in forward; then block_attention_stages.
        """
        positions = torch.arange(tokens.shape[1], device=tokens.device)  # [s]
        cos, sin = self.rope_angles(positions)  # [s, e/2] each
        h = embed(tokens, self.tok_embeddings.weight)  # [b, s, d]
        for block in self.layers[:layer]:
            h, _ = transformer_block(h, block.weights(), cos, sin, self.config, use_sdpa=self.use_sdpa)
        return self.block_attention_stages(h, layer, cos, sin)

    def block_attention_stages(self, h: torch.Tensor, layer: int, cos: torch.Tensor, sin: torch.Tensor):
        """Block ``layer``'s attention from its input h [b, s, d] at positions 0..s-1 (cos, sin [s, e/2]), in three
        stages: (scores, masked, weights), each [b, h, s, s]. The block's own norm, projection and RoPE, then
        layers.attention_stages with the causal mask."""
        w = self.layers[layer].weights()
        x = rms_norm(h, w["attention_norm"], self.config.norm_eps)  # [b, s, d]
        q, k, _ = attention_qkv(x, w, cos, sin, self.config.n_heads, self.config.n_kv_heads)  # [b, h|k, s, e]
        return attention_stages(q, repeat_kv(k, self.config.n_rep))

    def generate(self, prompt_ids, max_new_tokens: int, temperature: float = 0.0, top_p: float = 1.0,
                 stop_tokens=None, seed=None, use_cache: bool = True, fixed_shapes: bool = False) -> list[int]:
        """The new token ids after ``prompt_ids`` (greedy at temperature 0). See generate.generate."""
        return generate(self, prompt_ids, max_new_tokens, temperature=temperature, top_p=top_p,
                        stop_tokens=stop_tokens, seed=seed, use_cache=use_cache, fixed_shapes=fixed_shapes)
