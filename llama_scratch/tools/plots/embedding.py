"""Embedding figures (notebook 02): the norm of every row of the embedding table next to the cosine similarity of a
few tokens' rows, with a line between groups of tokens (e.g. animals | foods)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..labels import escape_undrawable
from .common import MIN_FONT, slide_fonts, to_numpy, words


def embedding_figure(norms, cosine, labels, *, dim: int, groups=(), model_name=None, lang=None):
    """Left: histogram of the row norms ``norms`` [v] (log count, so a few trained rows among many zero rows still
    show). Right: the cosine similarities ``cosine`` [n, n] of n tokens named by ``labels``, lines drawn before
    the indices in ``groups`` (where a new group of tokens starts). Returns the Figure."""
    lang, word = words(lang)
    norms, cos = to_numpy(norms), to_numpy(cosine)
    if cos.ndim != 2 or cos.shape[0] != cos.shape[1] or len(labels) != cos.shape[0]:
        raise ValueError(f"embedding_figure: cosine must be [n, n] with n labels; got {cos.shape} and "
                         f"{len(labels)} labels")
    fig, (left, right) = plt.subplots(1, 2, figsize=(16, 6.5), gridspec_kw={"width_ratios": [1.1, 1]})
    left.hist(norms, bins=100, color="#4C72B0", log=True)
    zero = int((norms == 0).sum())
    title = word("plot.embedding.norms", v=len(norms), d=dim)
    left.set_title(title + ("\n" + word("plot.embedding.zero_rows", zero=f"{zero:,}") if zero else ""))
    left.set_xlabel(word("plot.embedding.norm_axis"))
    left.set_ylabel(word("plot.embedding.rows_axis"))
    im = right.imshow(cos, cmap="coolwarm", vmin=-1, vmax=1, interpolation="nearest")
    n = cos.shape[0]
    right.set_xticks(range(n), [str(x) for x in labels], rotation=90, fontsize=MIN_FONT)
    right.set_yticks(range(n), [str(x) for x in labels], fontsize=MIN_FONT)
    for start in groups:
        right.axhline(start - 0.5, color="black", lw=2), right.axvline(start - 0.5, color="black", lw=2)
    fig.colorbar(im, ax=right, label=word("plot.embedding.cosine_bar"))
    model = f"\n{escape_undrawable(str(model_name))}" if model_name else ""  # own line: clear of the colour bar
    right.set_title(word("plot.embedding.cosine") + model, fontsize=13)
    fig.tight_layout()
    return slide_fonts(fig)
