"""Position encodings before RoPE: the sinusoidal table of the original transformer, as a heatmap (notebook 04)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .common import slide_fonts, to_numpy, words


def sinusoidal_encoding_figure(pe, base: float = 10000.0, *, lang=None):
    """Heatmap of a sinusoidal position table pe [s, d] (sin, cos interleaved per pair): one column per position,
    one row per dimension; the first pairs change fast, the last barely at all."""
    if pe.dim() != 2:
        raise ValueError(f"sinusoidal_encoding_figure: pe must be [positions, dimensions], got {tuple(pe.shape)}")
    lang, word = words(lang)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    im = ax.imshow(to_numpy(pe.float()).T, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xlabel(word("plot.positions.position_axis"))
    ax.set_ylabel(word("plot.positions.dimension_axis"))
    ax.set_title(word("plot.positions.sinusoidal", base=f"{base:g}", d=pe.shape[1]), fontsize=13)
    fig.colorbar(im, ax=ax, label=word("plot.positions.value"))
    return slide_fonts(fig)
