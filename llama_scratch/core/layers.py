"""The building blocks of Llama 3 as plain functions over tensors.

Shapes use these letters: b batch, s sequence (new tokens), t total positions seen (cache + new),
d model dim, h query heads, k key/value heads, e head_dim (= d / h), f feed-forward hidden size, v vocab.
Every function here is derived by hand in one notebook and checked there against this code.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

from .format import BLOCK


# --- 02 Embeddings ------------------------------------------------------------------------------------------
def embed(tokens: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Token ids [b, s] -> vectors [b, s, d]: row ``tokens[i, j]`` of the embedding matrix ``weight`` [v, d]."""
    return F.embedding(tokens, weight)


# --- 03 RMSNorm ---------------------------------------------------------------------------------------------
def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """RMSNorm: x / sqrt(mean(x^2) + eps) * weight.  x [..., d], weight [d] -> [..., d].

    The mean of squares is computed in float32 (bf16 stores only 7 mantissa bits, 8 bits of precision: a bf16 running
    sum drops small squares), then cast back to x's dtype before the weight is applied, as Meta's reference does.
    """
    xf = x.float()
    normed = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return normed.type_as(x) * weight


# --- 04 RoPE ------------------------------------------------------------------------------------------------
def rope_inverse_frequencies(head_dim: int, theta: float) -> torch.Tensor:
    """The rotation speed of each pair of dimensions: theta^(-2i/e) for i in 0..e/2-1.  -> [e/2] float32."""
    return 1.0 / (theta ** (torch.arange(0, head_dim, 2)[: head_dim // 2].float() / head_dim))


class RopeBands(NamedTuple):
    """The three bands of Llama 3 RoPE scaling, by wavelength 2*pi/freq (positions per full turn of a pair)."""

    wavelength: torch.Tensor  # [e/2] float32: 2*pi / inv_freq
    short_edge: float  # original_max_position / high_freq_factor: pairs turning faster than this are kept
    long_edge: float  # original_max_position / low_freq_factor: pairs turning slower are divided by the factor
    kept: torch.Tensor  # [e/2] bool: fast pairs (local position)
    blended: torch.Tensor  # [e/2] bool: in between, interpolated linearly
    divided: torch.Tensor  # [e/2] bool: slow pairs (long range)


def rope_bands(inv_freq: torch.Tensor, low_freq_factor: float, high_freq_factor: float,
               original_max_position: int) -> RopeBands:
    """Which RoPE pairs Llama 3 scaling keeps, blends or divides.  inv_freq [e/2] -> RopeBands (masks [e/2])."""
    short_edge = original_max_position / high_freq_factor
    long_edge = original_max_position / low_freq_factor
    wavelen = 2 * math.pi / inv_freq  # [e/2]
    kept, divided = wavelen < short_edge, wavelen > long_edge
    return RopeBands(wavelen, short_edge, long_edge, kept, ~kept & ~divided, divided)


def llama3_scale_frequencies(
    inv_freq: torch.Tensor,
    factor: float,
    low_freq_factor: float,
    high_freq_factor: float,
    original_max_position: int,
) -> torch.Tensor:
    """Llama 3 RoPE scaling ("use_scaled_rope"): [e/2] -> [e/2].

    Pairs whose wavelength 2*pi/freq is shorter than original_max_position / high_freq_factor (fast pairs, local
    position) are kept; those longer than original_max_position / low_freq_factor (slow pairs, long range) are
    divided by ``factor``; those in between are blended linearly (see rope_bands). Factor 32 for Llama 3.2 1B/3B,
    8 for 3.1.
    """
    bands = rope_bands(inv_freq, low_freq_factor, high_freq_factor, original_max_position)
    smooth = (original_max_position / bands.wavelength - low_freq_factor) / (high_freq_factor - low_freq_factor)
    blended = (1 - smooth) * inv_freq / factor + smooth * inv_freq
    return torch.where(bands.kept, inv_freq, torch.where(bands.divided, inv_freq / factor, blended))


def rope_frequencies(config) -> torch.Tensor:
    """The inverse frequencies a model uses: [e/2] float32, Llama 3 scaled when params.json says so."""
    inv_freq = rope_inverse_frequencies(config.head_dim, config.rope_theta)
    if config.use_scaled_rope:
        inv_freq = llama3_scale_frequencies(
            inv_freq,
            config.rope_scaling_factor,
            config.rope_low_freq_factor,
            config.rope_high_freq_factor,
            config.rope_original_max_position,
        )
    return inv_freq


def rope_angles(inv_freq: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of the rotation angle position * freq.  inv_freq [e/2], positions [s] -> ([s, e/2], [s, e/2]).

    positions [b, s] (one row per sequence, e.g. left-padded prompts) -> ([b, s, e/2], [b, s, e/2]).
    """
    angles = positions.to(torch.float32)[..., None] * inv_freq.to(positions.device)  # [..., s, e/2]
    return torch.cos(angles), torch.sin(angles)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate each interleaved pair (x[2i], x[2i+1]) of every head by its angle.  x [b, s, heads, e] -> same.

    Meta's weights expect interleaved pairs (2i, 2i+1); Hugging Face's "rotate_half" pairs (i, i + e/2) instead
    and permutes wq/wk to match. Computed in float32 and cast back. cos, sin: [s, e/2] (or [b, s, e/2]).
    """
    xf = x.float().reshape(*x.shape[:-1], -1, 2)  # [b, s, heads, e/2, 2]
    x0, x1 = xf[..., 0], xf[..., 1]  # [b, s, heads, e/2] each
    cos, sin = cos.unsqueeze(-2), sin.unsqueeze(-2)  # [s, 1, e/2] or [b, s, 1, e/2]: the same for every head
    out = torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1)  # [b, s, heads, e/2, 2]
    return out.flatten(-2).type_as(x)


# --- 05 Attention -------------------------------------------------------------------------------------------
def repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    """Grouped-query attention: give each query head its key/value head.  [b, k, t, e] -> [b, k * n_rep, t, e].

    Query head j uses kv head j // n_rep (repeat_interleave: kv0 kv0 kv0 kv0 kv1 ...), not j % k.
    """
    return x if n_rep == 1 else x.repeat_interleave(n_rep, dim=1)


def causal_mask(q_len: int, kv_len: int, device=None) -> torch.Tensor:
    """Boolean mask [q_len, kv_len], True where query i may attend to key j.

    The q_len queries are the last q_len of kv_len positions (a KV cache holds the earlier ones), so query i sits at
    position kv_len - q_len + i and sees keys 0..that position.
    """
    return causal_mask_at(torch.arange(kv_len - q_len, kv_len, device=device), kv_len)


def causal_mask_at(q_positions: torch.Tensor, kv_len: int) -> torch.Tensor:
    """Boolean mask [s, kv_len], True where the query at position q_positions[i] may see key j (j <= that position).

    With a fixed-size cache (kv_len = all its slots) this also hides the slots not written yet.
    """
    return torch.arange(kv_len, device=q_positions.device)[None, :] <= q_positions[:, None]


def attention_stages(q: torch.Tensor, k: torch.Tensor, causal: bool = True, mask: torch.Tensor | None = None
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Attention in its three stages.  q [b, h, s, e], k [b, h, t, e] -> (scores, masked, weights), each [b, h, s, t].

    scores = q k^T / sqrt(e); masked = the same with -inf where a query may not look; weights = softmax(masked),
    computed in float32. k must already have one head per query head (see repeat_kv). ``mask`` [s, t] or
    [b, 1, s, t] (True = may attend) replaces the causal mask, e.g. causal_mask_at for a fixed-size cache or
    padding.padding_mask for a padded batch; causal=False with no mask: none.
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [b, h, s, t]
    if mask is None and causal:
        mask = causal_mask(q.shape[-2], k.shape[-2], q.device)
    masked = scores if mask is None else scores.masked_fill(~mask, float("-inf"))  # [b, h, s, t]
    return scores, masked, F.softmax(masked.float(), dim=-1).type_as(q)


def attention_weights(q: torch.Tensor, k: torch.Tensor, causal: bool = True, mask: torch.Tensor | None = None
                      ) -> torch.Tensor:
    """softmax(q k^T / sqrt(e)) with the causal mask.  q [b, h, s, e], k [b, h, t, e] -> [b, h, s, t].

    The last of attention_stages: k must already have one head per query head (see repeat_kv); ``mask`` [s, t] or
    [b, 1, s, t] (True = may attend) replaces the causal mask.
    """
    return attention_stages(q, k, causal, mask)[2]


def grouped_query_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *, need_weights: bool = False, use_sdpa: bool = True,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Causal attention where h query heads share k key/value heads.  q [b, h, s, e], k/v [b, k, t, e]
    -> (out [b, h, s, e], weights [b, h, s, t] or None).

    ``use_sdpa`` calls PyTorch's fused scaled_dot_product_attention (same result, less memory, faster); the explicit
    path (``need_weights=True`` or ``use_sdpa=False``) is the textbook formula and also returns the weights.
    ``mask`` [s, t] or [b, 1, s, t] (True = may attend) replaces the causal mask the shapes imply (see
    causal_mask_at, padding.padding_mask).
    """
    n_rep = q.shape[1] // k.shape[1]
    if use_sdpa and not need_weights:
        s, t = q.shape[-2], k.shape[-2]
        if mask is not None:
            is_causal = False
        elif s == 1:  # one new token attends to everything cached: no mask needed
            mask, is_causal = None, False
        elif s == t:  # a fresh prompt: the usual lower-triangular mask
            mask, is_causal = None, True
        else:  # a chunk after a cache: queries are the last s positions
            mask, is_causal = causal_mask(s, t, q.device), False
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal, enable_gqa=n_rep > 1)
        return out, None
    k, v = repeat_kv(k, n_rep), repeat_kv(v, n_rep)  # [b, h, t, e]
    weights = attention_weights(q, k, mask=mask)  # [b, h, s, t]
    return weights @ v, weights


def attention_qkv(x: torch.Tensor, w: dict, cos: torch.Tensor, sin: torch.Tensor, n_heads: int, n_kv_heads: int
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Project and rotate: x [b, s, d] -> q [b, h, s, e] and k, v [b, k, s, e] (q and k rotated by RoPE).

    w holds "wq" [h*e, d], "wk" [k*e, d], "wv" [k*e, d]; cos, sin [s, e/2] (or [b, s, e/2]) are the angles of the
    s positions.
    """
    b, s, _ = x.shape
    head_dim = w["wq"].shape[0] // n_heads
    q = F.linear(x, w["wq"]).view(b, s, n_heads, head_dim)  # [b, s, h, e]
    k = F.linear(x, w["wk"]).view(b, s, n_kv_heads, head_dim)  # [b, s, k, e]
    v = F.linear(x, w["wv"]).view(b, s, n_kv_heads, head_dim)  # [b, s, k, e]
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    return q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # [b, heads, s, e]


def attention(
    x: torch.Tensor,
    w: dict,
    cos: torch.Tensor,
    sin: torch.Tensor,
    n_heads: int,
    n_kv_heads: int,
    *,
    cache=None,
    layer: int = 0,
    start_pos: int = 0,
    need_weights: bool = False,
    use_sdpa: bool = True,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The attention sub-layer: project, rotate, attend, project back.  x [b, s, d] -> ([b, s, d], weights).

    w holds "wq" [h*e, d], "wk" [k*e, d], "wv" [k*e, d], "wo" [d, h*e]. With a KVCache, the new keys/values are
    stored at positions start_pos.. and the queries attend to everything cached so far. A tensor start_pos ([1],
    "fixed shapes") attends over all the cache's slots with a mask, so every decode step has the same shapes.
    ``mask`` [b, 1, s, t] (see padding.padding_mask) replaces the causal mask, for a batch of padded prompts.
    """
    b, s, _ = x.shape
    q, k, v = attention_qkv(x, w, cos, sin, n_heads, n_kv_heads)  # [b, h, s, e], [b, k, s, e] x 2
    if cache is not None:
        k, v = cache.update(layer, start_pos, k, v)  # [b, k, t, e] (t = all slots for a tensor start_pos)
        if isinstance(start_pos, torch.Tensor) and mask is None:
            mask = causal_mask_at(start_pos + torch.arange(s, device=x.device), k.shape[2])  # [s, t]
    out, weights = grouped_query_attention(q, k, v, need_weights=need_weights, use_sdpa=use_sdpa, mask=mask)
    out = out.transpose(1, 2).reshape(b, s, -1)  # [b, s, h*e]: heads side by side
    return F.linear(out, w["wo"]), weights


# --- 06 Feed-forward and block ------------------------------------------------------------------------------
def swiglu(x: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor, w3: torch.Tensor) -> torch.Tensor:
    """SwiGLU feed-forward: w2(silu(w1 x) * w3 x).  x [b, s, d], w1/w3 [f, d], w2 [d, f] -> [b, s, d]."""
    return F.linear(F.silu(F.linear(x, w1)) * F.linear(x, w3), w2)


def layer_weights(state_dict, layer: int) -> dict:
    """The nine tensors of transformer block ``layer`` from a Meta state dict, under short names (format.BLOCK)."""
    return {spec.short: state_dict[f"layers.{layer}.{spec.meta}"] for spec in BLOCK}


def transformer_block(
    x: torch.Tensor,
    w: dict,
    cos: torch.Tensor,
    sin: torch.Tensor,
    config,
    *,
    cache=None,
    layer: int = 0,
    start_pos: int = 0,
    need_weights: bool = False,
    use_sdpa: bool = True,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One pre-norm block: h = x + attention(norm(x)); out = h + swiglu(norm(h)).  x [b, s, d] -> ([b, s, d], weights).

    w: the block's tensors under their short names (see layer_weights, format.BLOCK). mask: see attention.
    """
    attn_out, weights = attention(
        rms_norm(x, w["attention_norm"], config.norm_eps), w, cos, sin, config.n_heads, config.n_kv_heads,
        cache=cache, layer=layer, start_pos=start_pos, need_weights=need_weights, use_sdpa=use_sdpa, mask=mask,
    )
    h = x + attn_out
    out = h + swiglu(rms_norm(h, w["ffn_norm"], config.norm_eps), w["w1"], w["w2"], w["w3"])
    return out, weights
