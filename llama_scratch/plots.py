"""Figures: functions that take tensors and return matplotlib figures, and save_figure to write them.

The notebooks, `make run` and `python -m llama_scratch figures` all use these, so a figure looks the same everywhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib

if not os.environ.get("MPLBACKEND") and "ipykernel" not in __import__("sys").modules:
    matplotlib.use("Agg")  # headless by default outside Jupyter

from .notebooks import FIGURES_ENV  # noqa: E402


def figures_dir(default: str | Path = "figures") -> Path:
    """Where save_figure writes: $LLAMA_SCRATCH_FIGURES (set by make run and the tests), else ``default``."""
    return Path(os.environ.get(FIGURES_ENV) or default)


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


# --- Fonts and token labels --------------------------------------------------------------------------------
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "PingFang SC", "Microsoft YaHei", "Droid Sans Fallback")
_CJK_FONT: list = []  # cached: [name or None]


def cjk_font() -> str | None:
    """The first installed CJK-capable font (added as a fallback to matplotlib's sans-serif list), or None."""
    if not _CJK_FONT:
        from matplotlib import font_manager, rcParams

        installed = {f.name for f in font_manager.fontManager.ttflist}
        name = next((f for f in CJK_FONTS if f in installed), None)
        if name:
            rcParams["font.sans-serif"] = ["DejaVu Sans", name] + list(rcParams["font.sans-serif"])
        _CJK_FONT.append(name)
    return _CJK_FONT[0]


def _drawable(ch: str) -> bool:
    """Whether DejaVu Sans (matplotlib's default font) has a glyph for ch."""
    return ord(ch) < 0x0530 or 0x1E00 <= ord(ch) < 0x2C00  # Latin, Greek, Cyrillic, symbols, arrows, boxes


def readable(text: str) -> str:
    """A label matplotlib can draw: whitespace made visible, undrawable glyphs escaped as U+XXXX when no CJK font."""
    text = text.replace(" ", "␣").replace("\n", "↵").replace("\t", "→").replace("\r", "␍")
    if cjk_font():
        return text
    return "".join(ch if _drawable(ch) else f"U+{ord(ch):04X}" for ch in text)


def token_labels(tokenizer, ids) -> list[str]:
    """One readable label per token id; special tokens keep their names, partial UTF-8 bytes are shown as hex."""
    labels = []
    for raw in tokenizer.decode_token_bytes([int(i) for i in ids]):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # part of a multi-byte character (e.g. a CJK char split over tokens)
            text = "".join(f"\\x{b:02x}" for b in raw)
        labels.append(readable(text) or "∅")
    return labels


def _np(t):
    """Tensor (any device, any dtype) -> numpy float array."""
    return t.detach().float().cpu().numpy() if hasattr(t, "detach") else __import__("numpy").asarray(t)


def _title(title, **parts) -> str:
    extra = ", ".join(f"{k} {v}" for k, v in parts.items() if v is not None)
    return f"{title} ({extra})" if extra else title


# --- Attention ---------------------------------------------------------------------------------------------
def _heatmap(ax, data, labels, cmap="viridis", vmin=None, vmax=None):
    import numpy as np

    data = np.ma.masked_invalid(data)  # -inf (masked scores) drawn as blank
    im = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    s, t = data.shape
    if labels is not None and len(labels) <= 64:
        ax.set_xticks(range(t), labels[-t:] if len(labels) >= t else labels, rotation=90, fontsize=11)
        ax.set_yticks(range(s), labels[-s:], fontsize=11)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    return im


def attention_heatmap(weights, labels=None, title="Attention weights", ax=None, *, layer=None, head=None,
                      model_name=None, prompt=None):
    """One head's attention weights [s, t] with token labels on both axes and a colour bar. Returns the Figure."""
    import matplotlib.pyplot as plt

    cjk_font()
    data = _np(weights)
    if data.ndim != 2:
        raise ValueError(f"attention_heatmap takes weights of shape [s, t], got {tuple(data.shape)}")
    fig = ax.figure if ax is not None else plt.figure(figsize=(9, 8))
    ax = ax or fig.add_subplot()
    im = _heatmap(ax, data, labels, vmin=0.0, vmax=max(float(data.max()), 1e-9))
    fig.colorbar(im, ax=ax, label="attention weight")
    ax.set_title(_title(title, layer=layer, head=head, model=model_name) + (f"\nprompt: {prompt!r}" if prompt else ""),
                 fontsize=13)
    return fig


def attention_grid(weights, labels=None, title="All heads of one layer", *, layer=None, model_name=None,
                   prompt=None, ncols=None):
    """Every head of one layer, weights [h, s, t], one small heatmap each, a shared colour bar."""
    import math

    import matplotlib.pyplot as plt

    cjk_font()
    data = _np(weights)
    h = data.shape[0]
    ncols = ncols or min(8, h)
    nrows = math.ceil(h / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.4 * ncols, 2.4 * nrows + 1), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off") if i >= h else None
        if i < h:
            im = ax.imshow(data[i], cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
            ax.set_title(f"head {i}", fontsize=11)
            ax.set_xticks([]), ax.set_yticks([])
    fig.colorbar(im, ax=axes, label="attention weight", shrink=0.8)
    fig.suptitle(_title(title, layer=layer, model=model_name) + (f"\nprompt: {prompt!r}" if prompt else ""),
                 fontsize=13)
    return fig


def attention_across_layers(weights, labels=None, title="One head in every layer", *, head=None, model_name=None,
                            prompt=None):
    """One head in every layer: weights [L, s, t]."""
    data = _np(weights)
    fig = attention_grid(data, labels, title, model_name=model_name, prompt=prompt)
    for i, ax in enumerate(fig.axes[: data.shape[0]]):
        ax.set_title(f"layer {i}", fontsize=11)
    if head is not None:
        fig.suptitle(_title(title, head=head, model=model_name) + (f"\nprompt: {prompt!r}" if prompt else ""),
                     fontsize=13)
    return fig


def attention_stages(scores, masked, weights, labels=None, title="From scores to attention weights", *,
                     layer=None, head=None, model_name=None):
    """Raw scores q·k/√e [s, t], the same with the causal mask (-inf above the diagonal), and softmax of that."""
    import matplotlib.pyplot as plt

    cjk_font()
    fig, axes = plt.subplots(1, 3, figsize=(20, 6.5))
    for ax, data, name, cmap in zip(axes, (scores, masked, weights),
                                    ("raw scores q·k/√e", "causal mask applied", "softmax: weights"),
                                    ("coolwarm", "coolwarm", "viridis")):
        im = _heatmap(ax, _np(data), labels, cmap=cmap)
        ax.set_title(name, fontsize=13)
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(_title(title, layer=layer, head=head, model=model_name), fontsize=14)
    fig.tight_layout()
    return fig


# --- RoPE ---------------------------------------------------------------------------------------------------
def rope_frequencies_figure(config):
    """Wavelength (positions per full turn) of each RoPE pair, unscaled vs Llama 3 scaled, with the three bands."""
    import matplotlib.pyplot as plt

    from .layers import llama3_scale_frequencies, rope_inverse_frequencies

    inv = rope_inverse_frequencies(config.head_dim, config.rope_theta)
    scaled = llama3_scale_frequencies(inv, config.rope_scaling_factor, config.rope_low_freq_factor,
                                      config.rope_high_freq_factor, config.rope_original_max_position)
    wl, wl_scaled = _np(2 * torch_pi() / inv), _np(2 * torch_pi() / scaled)
    high = config.rope_original_max_position / config.rope_high_freq_factor
    low = config.rope_original_max_position / config.rope_low_freq_factor
    fig, ax = plt.subplots(figsize=(10, 5.5))
    pairs = range(len(wl))
    ax.semilogy(pairs, wl, "o-", label="unscaled (theta only)")
    ax.semilogy(pairs, wl_scaled, "s--", label=f"Llama 3 scaled (factor {config.rope_scaling_factor:g})")
    ax.axhspan(wl.min() / 2, high, color="#55A868", alpha=0.12, label=f"kept: wavelength < {high:g}")
    ax.axhspan(high, low, color="#DD8452", alpha=0.15, label="blended")
    ax.axhspan(low, wl_scaled.max() * 2, color="#C44E52", alpha=0.10, label=f"divided by {config.rope_scaling_factor:g}")
    ax.set_xlabel("pair index i (dimensions 2i, 2i+1)")
    ax.set_ylabel("wavelength in positions (log)")
    ax.set_title(f"RoPE wavelengths per pair: head_dim {config.head_dim}, theta {config.rope_theta:g}", fontsize=13)
    ax.legend(fontsize=10)
    return fig


def torch_pi() -> float:
    import math

    return math.pi


def rope_spokes_figure(config, pairs=None, n_positions=32):
    """Where a unit vector in a few pairs points after rotation at positions 0..n-1 (the "spokes")."""
    import matplotlib.pyplot as plt
    import torch

    from .layers import rope_angles, rope_frequencies

    half = config.head_dim // 2
    pairs = pairs or (0, half // 2, half - 1)
    cos, sin = rope_angles(rope_frequencies(config), torch.arange(n_positions))  # [n, e/2]
    fig, axes = plt.subplots(1, len(pairs), figsize=(5 * len(pairs), 5.2))
    for ax, p in zip(axes, pairs):
        c, s = _np(cos[:, p]), _np(sin[:, p])
        for m in range(n_positions):
            ax.plot([0, c[m]], [0, s[m]], color=plt.cm.viridis(m / max(n_positions - 1, 1)), lw=1.5)
        ax.set_aspect("equal"), ax.set_xlim(-1.1, 1.1), ax.set_ylim(-1.1, 1.1)
        ax.set_title(f"pair {p}", fontsize=12)
    sm = plt.cm.ScalarMappable(cmap="viridis", norm=plt.Normalize(0, n_positions - 1))
    fig.colorbar(sm, ax=axes, label="position", shrink=0.8)
    fig.suptitle(f"RoPE rotation of (1, 0) at positions 0..{n_positions - 1}: fast pairs spin, slow pairs barely move",
                 fontsize=13)
    return fig


def rope_relative_distance_figure(config, max_distance=None, seed=0):
    """q·k of a fixed random q and k placed at distance 0..max: the score depends only on the distance."""
    import matplotlib.pyplot as plt
    import torch

    from .layers import apply_rope, rope_angles, rope_frequencies

    max_distance = max_distance or 4 * config.rope_original_max_position
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(1, 1, 1, config.head_dim, generator=g)
    k = q.clone()  # aligned vectors: the score is largest at distance 0
    inv = rope_frequencies(config)
    dist = torch.unique(torch.logspace(0, torch.log10(torch.tensor(float(max_distance))), 300).long())
    dist = torch.cat([torch.tensor([0]), dist])
    scores = []
    for start in (0, 1000):  # the same distances starting at two absolute positions
        cq, sq = rope_angles(inv, dist + start)
        ck, sk = rope_angles(inv, torch.full_like(dist, start))
        qr = apply_rope(q.expand(1, len(dist), 1, -1), cq, sq)
        kr = apply_rope(k.expand(1, len(dist), 1, -1), ck, sk)
        scores.append(_np((qr * kr).sum(-1).flatten()))
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.semilogx(_np(dist) + 1, scores[0], label="key at position 0")
    ax.semilogx(_np(dist) + 1, scores[1], "--", label="key at position 1000 (same curve)")
    ax.set_xlabel("relative distance + 1 (log)")
    ax.set_ylabel("q·k after RoPE")
    ax.set_title(f"RoPE: the score depends only on the distance (head_dim {config.head_dim})", fontsize=13)
    ax.legend()
    return fig
