"""Token boundaries of a text: one coloured box per token, its label on top and its id below, wrapped into rows
like a line of text (notebook 01)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .common import words


def token_boundaries(labels, ids, n_characters: int, *, width: float = 14.0, lang=None):
    """Boxes for the tokens ``labels`` (see token_labels) with their ``ids`` underneath; the title counts the
    tokens against ``n_characters``, the length of the text they came from."""
    lang, word = words(lang)
    labels, ids = list(labels), [int(i) for i in ids]
    if len(labels) != len(ids):
        raise ValueError(f"token_boundaries: {len(labels)} labels for {len(ids)} ids; give one label per id")
    x, y = 0.0, 0.0
    fig, ax = plt.subplots(figsize=(width, 1.6))
    for n, (label, i) in enumerate(zip(labels, ids)):
        w = 0.3 + 0.15 * max(len(label), len(str(i)))
        if x + w > width and x > 0:
            x, y = 0.0, y - 1.1
        ax.add_patch(plt.Rectangle((x, y), w - 0.05, 0.9, color=plt.cm.tab20(n % 20), alpha=0.6))
        ax.text(x + w / 2, y + 0.58, label, ha="center", va="center", fontsize=12)
        ax.text(x + w / 2, y + 0.2, str(i), ha="center", va="center", fontsize=11)
        x += w
    ax.set_xlim(0, width), ax.set_ylim(y - 0.2, 1.0), ax.axis("off")
    fig.set_size_inches(width, 1.3 + 0.75 * (1 - y))
    ax.set_title(word("plot.tokens.title", n=len(ids), chars=n_characters), fontsize=13)
    return fig
