"""Figures of the full forward pass (notebook 07): the top-k next tokens, which positions change without the
causal mask, the logit lens (each layer's top next token) and one token's probability layer by layer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..labels import escape_undrawable
from .common import MIN_FONT, slide_fonts, title_of, to_numpy, words


def top_k_figure(probs, labels, *, model_name=None, prompt=None, lang=None):
    """Horizontal bars of the k most likely next tokens: probs [k] (most likely first), labels [k]."""
    lang, word = words(lang)
    p = to_numpy(probs)
    if p.ndim != 1 or len(p) != len(labels):
        raise ValueError(f"top_k_figure takes probs [k] and k labels, got {tuple(p.shape)} and {len(labels)}")
    k = len(p)
    fig, ax = plt.subplots(figsize=(9, 1.5 + 0.38 * k))
    ax.barh(range(k)[::-1], p)
    ax.set_yticks(range(k)[::-1], [str(x) for x in labels])
    ax.set_xlabel(word("plot.forward.probability"))
    ax.set_title(title_of(word("plot.forward.top_k", k=k), "plot.forward.top_k", lang, model_name=model_name,
                          prompt=prompt), fontsize=13)
    return slide_fonts(fig)


def mask_change_figure(first_layer, final, labels, n_layers, *, model_name=None, lang=None):
    """Max |change| per position when the causal mask is removed: after the first block (first_layer [s]) and in
    the final logits (final [s]), side by side, on a symlog axis (many changes are exactly 0)."""
    lang, word = words(lang)
    a, f = to_numpy(first_layer), to_numpy(final)
    s = len(a)
    xs = np.arange(s)
    fig, ax = plt.subplots(figsize=(max(8.0, 0.7 * s + 3), 4.8))
    ax.bar(xs - 0.2, a, width=0.4, label=word("plot.forward.after_first"))
    ax.bar(xs + 0.2, f, width=0.4, label=word("plot.forward.final_logits", n=n_layers))
    ax.set_xticks(xs, [str(x) for x in labels], rotation=60, ha="right")
    top = max(float(a.max(initial=0)), float(f.max(initial=0)), 1e-6)
    ax.set_yscale("symlog", linthresh=1e-6)
    ax.set_ylim(0, 1e3 * top)
    ax.set_ylabel(word("plot.forward.change_axis"))
    ax.legend(loc="upper right")
    ax.set_title(title_of(None, "plot.forward.no_mask", lang, model_name=model_name), fontsize=13)
    return slide_fonts(fig)


def logit_lens_figure(probs, cell_labels, labels, *, model_name=None, prompt=None, lang=None):
    """The logit lens as a heatmap: probs [n_layers + 1, s] (the top token's probability after each layer, row 0
    the embeddings), cell_labels [n_layers + 1][s] (that token, written in its cell), labels [s] (the prompt)."""
    lang, word = words(lang)
    p = to_numpy(probs)
    rows, s = p.shape
    fig, ax = plt.subplots(figsize=(min(max(8.0, 1.1 * s + 3), 30), 0.5 * rows + 3))
    im = ax.imshow(p, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0, origin="lower", interpolation="nearest")
    if rows * s <= 800:  # write the top token into each cell while it stays legible
        for r in range(rows):
            for c in range(s):
                ax.text(c, r, escape_undrawable(str(cell_labels[r][c]))[:9], ha="center", va="center",
                        fontsize=9, color="white" if p[r, c] < 0.6 else "black")
    ax.set_xticks(range(s), [str(x) for x in labels], rotation=60, ha="right")
    names = [word("plot.forward.embeddings")] + [word("plot.forward.layer", n=i) for i in range(rows - 1)]
    ax.set_yticks(range(rows), names)
    ax.set_xlabel(word("plot.forward.position_axis"))
    fig.colorbar(im, ax=ax, label=word("plot.forward.top_probability"))
    ax.set_title(title_of(None, "plot.forward.lens", lang, model_name=model_name, prompt=prompt), fontsize=13)
    return slide_fonts(fig)


def token_by_layer_figure(probs, token, ranks=None, *, model_name=None, prompt=None, lang=None):
    """One token's probability at the last position after each layer: probs [n_layers + 1] (row 0 the
    embeddings); ranks [n_layers + 1] (its rank among all tokens, 1 = top) are written above the bars."""
    lang, word = words(lang)
    p = to_numpy(probs)
    rows = len(p)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * rows + 4), 4.8))
    ax.bar(range(rows), p, color="#4C72B0")
    if ranks is not None:
        for i, r in enumerate(ranks):
            ax.text(i, p[i], word("plot.forward.rank", rank=int(r)), ha="center", va="bottom", fontsize=MIN_FONT,
                    rotation=90 if rows > 8 else 0)  # upright labels would overlap for a deep model
    names = [word("plot.forward.embeddings")] + [word("plot.forward.layer", n=i) for i in range(rows - 1)]
    ax.set_xticks(range(rows), names, rotation=30 if rows > 6 else 0)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel(word("plot.forward.token_probability", token=escape_undrawable(str(token))))
    ax.set_title(title_of(word("plot.forward.emerges", token=escape_undrawable(str(token))),
                          "plot.forward.lens", lang, model_name=model_name, prompt=prompt), fontsize=13)
    return slide_fonts(fig)
