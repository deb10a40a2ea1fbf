"""RMSNorm figure (notebook 03): the values of a prompt's hidden vectors before and after the norm, and every token's
RMS before, after (weight 1) and after with the norm's weight."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .common import slide_fonts, title_of, to_numpy, words


def rms_norm_figure(x, normed, weighted, *, model_name=None, lang=None):
    """x, normed (x / RMS(x)) and weighted (normed * weight), each [s, d] for one prompt of s tokens: histograms of
    x and of weighted, and the RMS of each token in the three. Returns the Figure."""
    lang, word = words(lang)
    x, normed, weighted = (to_numpy(t) for t in (x, normed, weighted))
    if not x.ndim == 2 or x.shape != normed.shape or x.shape != weighted.shape:
        raise ValueError(f"rms_norm_figure takes three [s, d] tensors; got {x.shape}, {normed.shape}, "
                         f"{weighted.shape} (pick one prompt: x[0])")
    s, d = x.shape
    fig, axes = plt.subplots(1, 3, figsize=(18, 5))
    for ax, data, key, color in ((axes[0], x, "plot.norm.before", "#4C72B0"),
                                 (axes[1], weighted, "plot.norm.after", "#DD8452")):
        ax.hist(data.ravel(), bins=100, color=color)
        ax.set_title(word(key))
        ax.set_xlabel(word("plot.norm.value_axis")), ax.set_ylabel(word("plot.norm.count_axis"))
    rms = lambda a: (a ** 2).mean(-1) ** 0.5  # [s]
    for data, marker, key in ((x, "o-", "plot.norm.legend_before"), (normed, "s-", "plot.norm.legend_unit"),
                              (weighted, "^-", "plot.norm.legend_weight")):
        axes[2].plot(range(s), rms(data), marker, label=word(key))
    axes[2].set_yscale("log"), axes[2].legend()
    axes[2].set_title(word("plot.norm.rms"))
    axes[2].set_xlabel(word("plot.norm.position_axis")), axes[2].set_ylabel(word("plot.norm.rms_axis"))
    fig.suptitle(title_of(word("plot.norm.title", s=s, d=d), "plot.norm.title", lang, model_name=model_name),
                 fontsize=14)
    fig.tight_layout()
    return slide_fonts(fig)
