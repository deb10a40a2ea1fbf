"""Attention figures: one head's weights with token labels, every head of a layer, one head in every layer, and the
three stages of one head (raw scores, causal mask, softmax)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .common import MIN_FONT, slide_fonts, title_of, to_numpy, words


def _cmap(name: str, bad: str = "#d9d9d9"):
    """A copy of colormap ``name`` that draws masked (-inf) cells in light grey."""
    return plt.get_cmap(name).with_extremes(bad=bad)


def _heatmap(ax, data, labels, word, cmap="viridis", vmin=None, vmax=None, max_labels: int = 64):
    """imshow of a [s, t] matrix with token labels (the last s / t of ``labels``) on both axes; ``word`` from
    common.words gives the axis names."""
    data = np.ma.masked_invalid(data)  # -inf (masked scores) drawn as blank
    im = ax.imshow(data, cmap=_cmap(cmap), vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    s, t = data.shape
    if labels is not None and 0 < len(labels) <= max_labels:
        labels = [str(x) for x in labels]
        if len(labels) >= t:  # queries are the last s of the t positions (a KV cache holds the first ones)
            ax.set_xticks(range(t), labels[len(labels) - t:], rotation=90, fontsize=MIN_FONT)
            ax.set_yticks(range(s), labels[len(labels) - s:], fontsize=MIN_FONT)
    ax.set_xlabel(word("plot.attention.key_axis"), fontsize=MIN_FONT + 1)
    ax.set_ylabel(word("plot.attention.query_axis"), fontsize=MIN_FONT + 1)
    return im


def attention_heatmap(weights, labels=None, title=None, ax=None, *, layer=None, head=None, model_name=None,
                      prompt=None, lang=None):
    """One head's attention weights [s, t] (row i: how query i spreads over keys 0..t-1), token labels on both
    axes, a colour bar. Draws into ``ax`` when given. The title (default "Attention weights") names the model,
    layer, head and prompt that are given. Returns the Figure."""
    lang, word = words(lang)
    data = to_numpy(weights)
    if data.ndim != 2:
        raise ValueError(f"attention_heatmap takes weights of shape [s, t], got {tuple(data.shape)}; "
                         "pick one head, e.g. maps[layer][0, head]")
    if ax is None:
        s, t = data.shape
        side = min(max(6.0, 0.32 * max(s, t) + 3.0), 16.0)  # bigger for longer prompts, so labels stay legible
        fig, ax = plt.subplots(figsize=(side + 1.5, side))
    fig = ax.figure
    im = _heatmap(ax, data, labels, word, vmin=0.0, vmax=max(float(data.max()), 1e-9))
    fig.colorbar(im, ax=ax, label=word("plot.attention.weight"))
    ax.set_title(title_of(title, "plot.attention.heatmap", lang, model_name=model_name, layer=layer, head=head,
                          prompt=prompt), fontsize=13)
    return slide_fonts(fig)


def _grid(data, panel_titles, suptitle, word, ncols=None):
    """One small heatmap per matrix of data [n, s, t], weights 0..1, one shared colour bar."""
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
    axes[0, 0].set_ylabel(word("plot.attention.query"), fontsize=MIN_FONT + 1)
    axes[-1, 0].set_xlabel(word("plot.attention.key"), fontsize=MIN_FONT + 1)
    fig.colorbar(im, ax=axes, label=word("plot.attention.weight"), shrink=0.85)
    fig.suptitle(suptitle, fontsize=14)
    return slide_fonts(fig)


def attention_grid(weights, labels=None, title=None, *, layer=None, model_name=None, prompt=None, ncols=None,
                   lang=None):
    """Every head of one layer: weights [h, s, t], one small heatmap per head, one shared colour bar. The title
    (default "All heads of one layer") names the model, layer and prompt that are given."""
    lang, word = words(lang)
    data = to_numpy(weights)
    if data.ndim != 3:
        raise ValueError(f"attention_grid takes weights of shape [h, s, t], got {tuple(data.shape)}; "
                         "pick one layer and batch row, e.g. maps[layer][0]")
    return _grid(data, [word("plot.head_n", n=i) for i in range(data.shape[0])],
                 title_of(title, "plot.attention.grid", lang, model_name=model_name, layer=layer, prompt=prompt),
                 word, ncols)


def attention_across_layers(weights, labels=None, title=None, *, head=None, model_name=None, prompt=None,
                            ncols=None, lang=None):
    """One head in every layer: weights [L, s, t] (e.g. torch.stack([m[0, head] for m in maps])). The title
    (default "One head in every layer") names the model, head and prompt that are given."""
    lang, word = words(lang)
    data = to_numpy(weights)
    if data.ndim != 3:
        raise ValueError(f"attention_across_layers takes weights of shape [L, s, t], got {tuple(data.shape)}")
    return _grid(data, [word("plot.layer_n", n=i) for i in range(data.shape[0])],
                 title_of(title, "plot.attention.across_layers", lang, model_name=model_name, head=head,
                          prompt=prompt), word, ncols)


def attention_stages(scores, masked, weights, labels=None, title=None, *, layer=None, head=None, model_name=None,
                     prompt=None, lang=None):
    """Three panels of one head: raw scores q·k/√e [s, t], the same with the causal mask (-inf above the diagonal,
    grey), and their softmax, the weights [s, t]. Both score panels share one colour scale. The title (default
    "From scores to attention weights") names the model, layer, head and prompt that are given."""
    lang, word = words(lang)
    scores, masked, weights = to_numpy(scores), to_numpy(masked), to_numpy(weights)
    finite = np.concatenate([scores[np.isfinite(scores)], masked[np.isfinite(masked)]])
    lim = float(np.abs(finite).max()) if finite.size else 1.0
    s, t = weights.shape
    side = min(max(5.5, 0.25 * max(s, t) + 3.0), 12.0)
    fig, axes = plt.subplots(1, 3, figsize=(3 * side + 3, side + 1))
    score = word("plot.attention.score")
    panels = ((scores, word("plot.attention.scores"), "coolwarm", -lim, lim, score),
              (masked, word("plot.attention.masked"), "coolwarm", -lim, lim, score),
              (weights, word("plot.attention.softmax"), "viridis", 0.0, 1.0, word("plot.attention.weight")))
    for ax, (data, name, cmap, vmin, vmax, bar) in zip(axes, panels):
        im = _heatmap(ax, data, labels, word, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(name, fontsize=13)
        fig.colorbar(im, ax=ax, shrink=0.8, label=bar)
    fig.suptitle(title_of(title, "plot.attention.stages", lang, model_name=model_name, layer=layer, head=head,
                          prompt=prompt), fontsize=14)
    fig.tight_layout()
    return slide_fonts(fig)
