"""Where a checkpoint's parameters live: a bar chart per model of the count per component (embeddings, attention,
feed-forward, norms), with each component's share of the total (notebook 00)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..labels import escape_undrawable
from .common import slide_fonts, words

# component (a key of the counts) -> (its word, its colour)
COMPONENTS = {"embeddings": ("plot.params.embeddings", "#4C72B0"), "attention": ("plot.params.attention", "#DD8452"),
              "feed-forward": ("plot.params.feed_forward", "#55A868"), "norms": ("plot.params.norms", "#C44E52")}


def parameters_by_component(panels, *, lang=None):
    """One bar chart per ``(title, {component: count})`` in ``panels`` (components from COMPONENTS), side by side:
    millions of parameters per component, each bar labelled with its share of that model's total."""
    lang, word = words(lang)
    panels = list(panels)
    if not panels:
        raise ValueError("parameters_by_component: give at least one (title, counts) panel")
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.8), squeeze=False)
    for ax, (title, counts) in zip(axes[0], panels):
        unknown = set(counts) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"parameters_by_component: unknown components {sorted(unknown)}; use {list(COMPONENTS)}")
        names = [c for c in COMPONENTS if c in counts]
        total = sum(counts[c] for c in names)
        bars = ax.bar([word(COMPONENTS[c][0]) for c in names], [counts[c] / 1e6 for c in names],
                      color=[COMPONENTS[c][1] for c in names])
        ax.bar_label(bars, [f"{counts[c] / max(total, 1):.2%}" for c in names], fontsize=11)
        ax.set_ylabel(word("plot.params.axis"))
        ax.set_title(word("plot.params.panel", model=escape_undrawable(title), total=f"{total:,}"), fontsize=13)
        ax.margins(y=0.12)
    fig.suptitle(word("plot.params.title"), fontsize=14)
    fig.tight_layout()
    return slide_fonts(fig)
