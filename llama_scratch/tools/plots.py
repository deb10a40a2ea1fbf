"""Figures: functions that take tensors and return matplotlib figures, and save_figure to write them.

The notebooks, `make run` and `python -m llama_scratch figures` all use these, so a figure looks the same everywhere.
Every figure has a title saying what it shows (model, layer, head, prompt), fonts of at least 11 pt for slides, and
a colour bar wherever colour carries a value. Tensors may live on any device: they are moved to the CPU first.
"""

from __future__ import annotations

import math
import os
import re
import sys
from pathlib import Path

import matplotlib

if not os.environ.get("MPLBACKEND") and "ipykernel" not in sys.modules:
    matplotlib.use("Agg")  # headless by default outside Jupyter

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
import torch  # noqa: E402

from ..checkpoints.paths import project_root  # noqa: E402
from ..core.layers import apply_rope, llama3_scale_frequencies, rope_angles, rope_bands, rope_frequencies, \
    rope_inverse_frequencies  # noqa: E402
from .labels import can_draw, cjk_font, escape_undrawable, figure_title, prompt_line, readable, \
    token_labels  # noqa: E402,F401  (can_draw, readable, token_labels: part of this module's interface)

FIGURES_ENV = "LLAMA_SCRATCH_FIGURES"  # where save_figure writes (set per notebook by the notebook runner)
MIN_FONT = 11  # points: the smallest text on any figure (tick labels, legends, colour bars)


def figures_dir(default: str | Path | None = None) -> Path:
    """Where save_figure writes: $LLAMA_SCRATCH_FIGURES (set by make run and the tests), else ``default``, else
    build/figures of the project (checkpoints.project_root; git ignores build/: running a notebook leaves the
    working tree clean)."""
    if os.environ.get(FIGURES_ENV) or default is not None:
        return Path(os.environ.get(FIGURES_ENV) or default)
    return project_root() / "build" / "figures"


def save_figure(fig, name: str, out_dir=None, formats=("png",), dpi: int = 150) -> list[Path]:
    """Write ``fig`` as out_dir/name.<format> for each format (png, svg, pdf); return the paths written."""
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        raise ValueError(f"figure name {name!r}: use letters, digits, '.', '_' and '-' only")
    out = Path(out_dir) if out_dir is not None else figures_dir()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
        paths.append(path)
    return paths


def _np(t):
    """Tensor (any device, any dtype) -> numpy float array."""
    return t.detach().float().cpu().numpy() if hasattr(t, "detach") else np.asarray(t, dtype=float)


def _slide_fonts(fig, size: int = MIN_FONT):
    """Raise every tick label, axis label and legend text of fig (colour bars included) to at least ``size``."""
    for ax in fig.axes:
        ax.tick_params(labelsize=max(size, ax.xaxis.get_ticklabels()[0].get_fontsize()
                                     if ax.xaxis.get_ticklabels() else size))
        for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
            if label.get_fontsize() < size + 1:
                label.set_fontsize(size + 1)
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontsize(max(size, text.get_fontsize()))
    return fig


# --- Attention ---------------------------------------------------------------------------------------------
def _cmap(name: str, bad: str = "#d9d9d9"):
    """A copy of colormap ``name`` that draws masked (-inf) cells in light grey."""
    return plt.get_cmap(name).with_extremes(bad=bad)


def _heatmap(ax, data, labels, cmap="viridis", vmin=None, vmax=None, max_labels: int = 64):
    """imshow of a [s, t] matrix with token labels (the last s / t of ``labels``) on both axes."""
    data = np.ma.masked_invalid(data)  # -inf (masked scores) drawn as blank
    im = ax.imshow(data, cmap=_cmap(cmap), vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    s, t = data.shape
    if labels is not None and 0 < len(labels) <= max_labels:
        labels = [str(x) for x in labels]
        if len(labels) >= t:  # queries are the last s of the t positions (a KV cache holds the first ones)
            ax.set_xticks(range(t), labels[len(labels) - t:], rotation=90, fontsize=MIN_FONT)
            ax.set_yticks(range(s), labels[len(labels) - s:], fontsize=MIN_FONT)
    ax.set_xlabel("key (attended to)", fontsize=MIN_FONT + 1)
    ax.set_ylabel("query (attending)", fontsize=MIN_FONT + 1)
    return im


def attention_heatmap(weights, labels=None, title="Attention weights", ax=None, *, layer=None, head=None,
                      model_name=None, prompt=None):
    """One head's attention weights [s, t] (row i: how query i spreads over keys 0..t-1), token labels on both
    axes, a colour bar. Draws into ``ax`` when given. Returns the Figure."""
    cjk_font()
    data = _np(weights)
    if data.ndim != 2:
        raise ValueError(f"attention_heatmap takes weights of shape [s, t], got {tuple(data.shape)}; "
                         "pick one head, e.g. maps[layer][0, head]")
    if ax is None:
        s, t = data.shape
        side = min(max(6.0, 0.32 * max(s, t) + 3.0), 16.0)  # bigger for longer prompts, so labels stay legible
        fig, ax = plt.subplots(figsize=(side + 1.5, side))
    fig = ax.figure
    im = _heatmap(ax, data, labels, vmin=0.0, vmax=max(float(data.max()), 1e-9))
    fig.colorbar(im, ax=ax, label="attention weight")
    ax.set_title(figure_title(title, layer=layer, head=head, model=model_name) + prompt_line(prompt), fontsize=13)
    return _slide_fonts(fig)


def _grid(data, panel_titles, suptitle, ncols=None, labels=None):
    """One small heatmap per matrix of data [n, s, t], weights 0..1, one shared colour bar."""
    cjk_font()
    n = data.shape[0]
    ncols = ncols or min(n, math.ceil(math.sqrt(n * 1.8)))  # about 16:9 overall: 8 -> 4 x 2, 32 -> 8 x 4
    nrows = math.ceil(n / ncols)
    panel = min(4.0, max(2.4, 12 / ncols))  # inches per heatmap: larger when there are few
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel * ncols + 1.5, 0.85 * panel * nrows + 1.5), squeeze=False)
    im = None
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        im = ax.imshow(data[i], cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_title(panel_titles[i], fontsize=MIN_FONT + 1)
        ax.set_xticks([]), ax.set_yticks([])
    axes[0, 0].set_ylabel("query", fontsize=MIN_FONT + 1)
    axes[-1, 0].set_xlabel("key", fontsize=MIN_FONT + 1)
    fig.colorbar(im, ax=axes, label="attention weight", shrink=0.85)
    fig.suptitle(suptitle, fontsize=14)
    return _slide_fonts(fig)


def attention_grid(weights, labels=None, title="All heads of one layer", *, layer=None, model_name=None,
                   prompt=None, ncols=None):
    """Every head of one layer: weights [h, s, t], one small heatmap per head, one shared colour bar."""
    data = _np(weights)
    if data.ndim != 3:
        raise ValueError(f"attention_grid takes weights of shape [h, s, t], got {tuple(data.shape)}; "
                         "pick one layer and batch row, e.g. maps[layer][0]")
    return _grid(data, [f"head {i}" for i in range(data.shape[0])],
                 figure_title(title, layer=layer, model=model_name) + prompt_line(prompt), ncols)


def attention_across_layers(weights, labels=None, title="One head in every layer", *, head=None, model_name=None,
                            prompt=None, ncols=None):
    """One head in every layer: weights [L, s, t] (e.g. torch.stack([m[0, head] for m in maps]))."""
    data = _np(weights)
    if data.ndim != 3:
        raise ValueError(f"attention_across_layers takes weights of shape [L, s, t], got {tuple(data.shape)}")
    return _grid(data, [f"layer {i}" for i in range(data.shape[0])],
                 figure_title(title, head=head, model=model_name) + prompt_line(prompt), ncols)


def attention_stages(scores, masked, weights, labels=None, title="From scores to attention weights", *,
                     layer=None, head=None, model_name=None, prompt=None):
    """Three panels of one head: raw scores q·k/√e [s, t], the same with the causal mask (-inf above the diagonal,
    grey), and their softmax, the weights [s, t]. Both score panels share one colour scale."""
    cjk_font()
    scores, masked, weights = _np(scores), _np(masked), _np(weights)
    finite = np.concatenate([scores[np.isfinite(scores)], masked[np.isfinite(masked)]])
    lim = float(np.abs(finite).max()) if finite.size else 1.0
    s, t = weights.shape
    side = min(max(5.5, 0.25 * max(s, t) + 3.0), 12.0)
    fig, axes = plt.subplots(1, 3, figsize=(3 * side + 3, side + 1))
    panels = ((scores, "raw scores q·k/√e", "coolwarm", -lim, lim, "score"),
              (masked, "causal mask: -inf above diagonal (grey)", "coolwarm", -lim, lim, "score"),
              (weights, "softmax per row: weights", "viridis", 0.0, 1.0, "attention weight"))
    for ax, (data, name, cmap, vmin, vmax, bar) in zip(axes, panels):
        im = _heatmap(ax, data, labels, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(name, fontsize=13)
        fig.colorbar(im, ax=ax, shrink=0.8, label=bar)
    fig.suptitle(figure_title(title, layer=layer, head=head, model=model_name) + prompt_line(prompt), fontsize=14)
    fig.tight_layout()
    return _slide_fonts(fig)


# --- RoPE ---------------------------------------------------------------------------------------------------
def _model_suffix(model_name) -> str:
    return escape_undrawable(f", {model_name}" if model_name else "")


def rope_frequencies_figure(config, *, model_name=None):
    """Wavelength (positions per full turn, 2π/freq) of each RoPE pair, theta only vs Llama 3 scaled, with the
    three bands of the scaling marked: kept (fast pairs), blended, divided by the factor (slow pairs)."""
    inv = rope_inverse_frequencies(config.head_dim, config.rope_theta)  # [e/2]
    factor, low_factor, high_factor, old = (config.rope_scaling_factor, config.rope_low_freq_factor,
                                            config.rope_high_freq_factor, config.rope_original_max_position)
    bands = rope_bands(inv, low_factor, high_factor, old)  # the band edges, as the scaling uses them
    scaled = llama3_scale_frequencies(inv, factor, low_factor, high_factor, old)  # [e/2]
    wl, wl_scaled = _np(bands.wavelength), _np(2 * math.pi / scaled)
    high, low = bands.short_edge, bands.long_edge
    fig, ax = plt.subplots(figsize=(11, 6))
    pairs = range(len(wl))
    ax.semilogy(pairs, wl, "o-", ms=4, label="theta only (unscaled)")
    ax.semilogy(pairs, wl_scaled, "s--", ms=4, label=f"Llama 3 scaled (factor {factor:g})")
    bottom, top = min(wl.min(), wl_scaled.min()) / 2, max(wl.max(), wl_scaled.max()) * 2
    ax.axhspan(bottom, high, color="#55A868", alpha=0.12, label=f"kept: wavelength < {high:g}")
    ax.axhspan(high, low, color="#DD8452", alpha=0.15, label=f"blended: {high:g} to {low:g}")
    ax.axhspan(low, top, color="#C44E52", alpha=0.10, label=f"divided by {factor:g}: wavelength > {low:g}")
    ax.set_ylim(bottom, top)
    ax.set_xlabel("pair index i (dimensions 2i, 2i+1)")
    ax.set_ylabel("wavelength in positions (log scale)")
    used = "scaled" if config.use_scaled_rope else "unscaled: use_scaled_rope is false"
    ax.set_title(f"RoPE wavelength per pair (head_dim {config.head_dim}, theta {config.rope_theta:g}; "
                 f"model uses {used}{_model_suffix(model_name)})", fontsize=13)
    ax.legend(fontsize=MIN_FONT, loc="upper left")
    ax.grid(True, which="major", alpha=0.3)
    return _slide_fonts(fig)


def rope_spokes_figure(config, pairs=None, n_positions=32, *, model_name=None):
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
    inv = rope_frequencies(config)  # [e/2]
    cos, sin = rope_angles(inv, torch.arange(n_positions))  # [n, e/2] each
    fig, axes = plt.subplots(1, len(pairs), figsize=(5 * len(pairs) + 1.5, 5.6), squeeze=False)
    cmap = plt.get_cmap("viridis")
    for ax, p in zip(axes[0], pairs):
        c, s = _np(cos[:, p]), _np(sin[:, p])
        for m in range(n_positions):
            ax.plot([0, c[m]], [0, s[m]], color=cmap(m / max(n_positions - 1, 1)), lw=1.8)
        ax.plot(c, s, "k.", ms=3)
        ax.set_aspect("equal"), ax.set_xlim(-1.15, 1.15), ax.set_ylim(-1.15, 1.15)
        wavelength = 2 * math.pi / float(inv[p])
        ax.set_title(f"pair {p}: {float(inv[p]):.3g} rad/position\n(one turn every {wavelength:,.0f} positions)",
                     fontsize=MIN_FONT + 1)
        ax.set_xlabel("dimension 2i"), ax.set_ylabel("dimension 2i+1")
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, max(n_positions - 1, 1)))
    fig.colorbar(sm, ax=axes, label="position", shrink=0.85)
    fig.suptitle(f"RoPE rotates (1, 0) of each pair by position x frequency, positions 0..{n_positions - 1} "
                 f"(head_dim {config.head_dim}{_model_suffix(model_name)})", fontsize=14)
    return _slide_fonts(fig)


def rope_relative_distance_figure(config, max_distance=None, seed=0, *, model_name=None):
    """q·k after RoPE for one random vector used as both q and k, placed at distances 0..max_distance apart,
    starting at two absolute positions: the two curves coincide (the score depends only on the distance)."""
    max_distance = int(max_distance or 4 * config.rope_original_max_position)
    if max_distance < 1:
        raise ValueError(f"rope_relative_distance_figure: max_distance must be >= 1, got {max_distance}")
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(1, 1, 1, config.head_dim, generator=g)  # [b=1, s=1, heads=1, e]
    k = q.clone()  # aligned vectors: the score is largest at distance 0
    inv = rope_frequencies(config)  # [e/2]
    dist = torch.unique(torch.logspace(0, math.log10(max_distance), 300).round().long())  # [n] 1..max
    dist = torch.cat([torch.tensor([0]), dist])  # [n+1]
    n = len(dist)
    starts = (0, 1000)
    scores = []
    for start in starts:  # the same distances, the key at two different absolute positions
        cq, sq = rope_angles(inv, dist + start)  # [n, e/2]: query at start + distance
        ck, sk = rope_angles(inv, torch.full_like(dist, start))  # [n, e/2]: key at start
        qr = apply_rope(q.expand(1, n, 1, -1), cq, sq)  # [1, n, 1, e]
        kr = apply_rope(k.expand(1, n, 1, -1), ck, sk)  # [1, n, 1, e]
        scores.append(_np((qr * kr).sum(-1).flatten()))  # [n]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    x = _np(dist) + 1
    ax.semilogx(x, scores[0], lw=2, label=f"key at position {starts[0]}")
    ax.semilogx(x, scores[1], "--", lw=2, label=f"key at position {starts[1]} (the same curve)")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("relative distance + 1 (log scale)")
    ax.set_ylabel("q·k after RoPE (q = k before rotation)")
    ax.set_title(f"RoPE: the score depends only on the relative distance (head_dim {config.head_dim}, "
                 f"theta {config.rope_theta:g}{_model_suffix(model_name)})", fontsize=13)
    ax.legend(fontsize=MIN_FONT)
    ax.grid(True, alpha=0.3)
    return _slide_fonts(fig)
