"""RoPE figures from a model's config (no weights): the wavelength of each pair with Llama 3's three scaling bands,
the rotation of a few pairs across positions ("spokes"), and q·k against the relative distance."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import torch

from ...core.layers import apply_rope, llama3_scale_frequencies, rope_angles, rope_bands, rope_frequencies, \
    rope_inverse_frequencies
from ..labels import escape_undrawable
from .common import MIN_FONT, slide_fonts, to_numpy, words


def _model_suffix(model_name, word) -> str:
    """', <model>' (in the figure's language) for a title, or ''."""
    return escape_undrawable(word("plot.rope.model", model=model_name)) if model_name else ""


def rope_frequencies_figure(config, *, model_name=None, lang=None):
    """Wavelength (positions per full turn, 2π/freq) of each RoPE pair, theta only vs Llama 3 scaled, with the
    three bands of the scaling marked: kept (fast pairs), blended, divided by the factor (slow pairs)."""
    lang, word = words(lang)
    inv = rope_inverse_frequencies(config.head_dim, config.rope_theta)  # [e/2]
    factor, low_factor, high_factor, old = (config.rope_scaling_factor, config.rope_low_freq_factor,
                                            config.rope_high_freq_factor, config.rope_original_max_position)
    bands = rope_bands(inv, low_factor, high_factor, old)  # the band edges, as the scaling uses them
    scaled = llama3_scale_frequencies(inv, factor, low_factor, high_factor, old)  # [e/2]
    wl, wl_scaled = to_numpy(bands.wavelength), to_numpy(2 * math.pi / scaled)
    high, low = bands.short_edge, bands.long_edge
    fig, ax = plt.subplots(figsize=(11, 6))
    pairs = range(len(wl))
    ax.semilogy(pairs, wl, "o-", ms=4, label=word("plot.rope.unscaled"))
    ax.semilogy(pairs, wl_scaled, "s--", ms=4, label=word("plot.rope.scaled", factor=f"{factor:g}"))
    bottom, top = min(wl.min(), wl_scaled.min()) / 2, max(wl.max(), wl_scaled.max()) * 2
    ax.axhspan(bottom, high, color="#55A868", alpha=0.12, label=word("plot.rope.kept", high=f"{high:g}"))
    ax.axhspan(high, low, color="#DD8452", alpha=0.15,
               label=word("plot.rope.blended", high=f"{high:g}", low=f"{low:g}"))
    ax.axhspan(low, top, color="#C44E52", alpha=0.10,
               label=word("plot.rope.divided", factor=f"{factor:g}", low=f"{low:g}"))
    ax.set_ylim(bottom, top)
    ax.set_xlabel(word("plot.rope.pair_axis"))
    ax.set_ylabel(word("plot.rope.wavelength_axis"))
    used = word("plot.rope.uses_scaled" if config.use_scaled_rope else "plot.rope.uses_unscaled")
    ax.set_title(word("plot.rope.frequencies", e=config.head_dim, theta=f"{config.rope_theta:g}", used=used,
                      model=_model_suffix(model_name, word)), fontsize=13)
    ax.legend(fontsize=MIN_FONT, loc="upper left")
    ax.grid(True, which="major", alpha=0.3)
    return slide_fonts(fig)


def rope_spokes_figure(config, pairs=None, n_positions=32, *, model_name=None, lang=None):
    """Where the unit vector (1, 0) of a few pairs points after RoPE at positions 0..n_positions-1 ("spokes"):
    the first pair spins fast (local order), the last barely moves (long range). Uses the model's frequencies."""
    half = config.head_dim // 2
    pairs = list(dict.fromkeys(pairs if pairs is not None else (0, half // 2, half - 1)))  # unique, in order
    bad = [p for p in pairs if not 0 <= int(p) < half]
    if bad or not pairs:
        raise ValueError(f"rope_spokes_figure: pairs {bad or pairs} out of range; head_dim {config.head_dim} "
                         f"has pairs 0..{half - 1}")
    if n_positions < 1:
        raise ValueError(f"rope_spokes_figure: n_positions must be >= 1, got {n_positions}")
    lang, word = words(lang)
    inv = rope_frequencies(config)  # [e/2]
    cos, sin = rope_angles(inv, torch.arange(n_positions))  # [n, e/2] each
    fig, axes = plt.subplots(1, len(pairs), figsize=(5 * len(pairs) + 1.5, 5.6), squeeze=False)
    cmap = plt.get_cmap("viridis")
    for ax, p in zip(axes[0], pairs):
        c, s = to_numpy(cos[:, p]), to_numpy(sin[:, p])
        for m in range(n_positions):
            ax.plot([0, c[m]], [0, s[m]], color=cmap(m / max(n_positions - 1, 1)), lw=1.8)
        ax.plot(c, s, "k.", ms=3)
        ax.set_aspect("equal"), ax.set_xlim(-1.15, 1.15), ax.set_ylim(-1.15, 1.15)
        wavelength = 2 * math.pi / float(inv[p])
        ax.set_title(word("plot.rope.pair", p=p, rate=f"{float(inv[p]):.3g}", wavelength=f"{wavelength:,.0f}"),
                     fontsize=MIN_FONT + 1)
        ax.set_xlabel(word("plot.rope.dim_even"))
    axes[0, 0].set_ylabel(word("plot.rope.dim_odd"))  # one y label: on every panel it would overlap the next one
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, max(n_positions - 1, 1)))
    fig.colorbar(sm, ax=axes, label=word("plot.rope.position"), shrink=0.85)
    fig.suptitle(word("plot.rope.spokes", last=n_positions - 1, e=config.head_dim,
                      model=_model_suffix(model_name, word)), fontsize=14)
    return slide_fonts(fig)


def _relative_scores(config, dist, starts, seed):
    """q·k after RoPE for one random q used as k too, the query ``dist`` [n] positions after a key at each start.
    -> one numpy array [n] per start."""
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(1, 1, 1, config.head_dim, generator=g)  # [b=1, s=1, heads=1, e]
    k = q.clone()  # aligned vectors: the score is largest at distance 0
    inv = rope_frequencies(config)  # [e/2]
    n = len(dist)
    scores = []
    for start in starts:  # the same distances, the key at two different absolute positions
        cq, sq = rope_angles(inv, dist + start)  # [n, e/2]: query at start + distance
        ck, sk = rope_angles(inv, torch.full_like(dist, start))  # [n, e/2]: key at start
        qr = apply_rope(q.expand(1, n, 1, -1), cq, sq)  # [1, n, 1, e]
        kr = apply_rope(k.expand(1, n, 1, -1), ck, sk)  # [1, n, 1, e]
        scores.append(to_numpy((qr * kr).sum(-1).flatten()))  # [n]
    return scores


def rope_relative_distance_figure(config, max_distance=None, seed=0, *, model_name=None, lang=None):
    """q·k after RoPE for one random vector used as both q and k, placed at distances 0..max_distance apart,
    starting at two absolute positions: the two curves coincide (the score depends only on the distance)."""
    max_distance = int(max_distance or 4 * config.rope_original_max_position)
    if max_distance < 1:
        raise ValueError(f"rope_relative_distance_figure: max_distance must be >= 1, got {max_distance}")
    lang, word = words(lang)
    dist = torch.unique(torch.logspace(0, math.log10(max_distance), 300).round().long())  # [n] 1..max
    dist = torch.cat([torch.tensor([0]), dist])  # [n+1]
    starts = (0, 1000)
    scores = _relative_scores(config, dist, starts, seed)
    fig, ax = plt.subplots(figsize=(11, 5.5))
    x = to_numpy(dist) + 1
    ax.semilogx(x, scores[0], lw=2, label=word("plot.rope.key_at", p=starts[0]))
    ax.semilogx(x, scores[1], "--", lw=2, label=word("plot.rope.key_at_same", p=starts[1]))
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel(word("plot.rope.distance_axis"))
    ax.set_ylabel(word("plot.rope.score_axis"))
    ax.set_title(word("plot.rope.distance", e=config.head_dim, theta=f"{config.rope_theta:g}",
                      model=_model_suffix(model_name, word)), fontsize=13)
    ax.legend(fontsize=MIN_FONT)
    ax.grid(True, alpha=0.3)
    return slide_fonts(fig)
