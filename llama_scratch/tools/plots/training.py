"""Training figures (notebook 10): the learning-rate schedule, the loss curves, the held-out loss against the
context-free baselines, and every head's previous-token and induction scores.

Each function takes plain numbers or tensors (any device) and returns a matplotlib Figure; its words come from
i18n (keys plot.train.*, in tools/texts/nb10.py), in ``lang`` (None: the default language).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt

from .common import MIN_FONT, slide_fonts, title_of, to_numpy, words


def schedule_figure(lr, unused_weight=None, *, lang=None):
    """The learning rate of every step [steps] and, on a second axis, the unused ids' weight in the loss [steps]
    (training.vocab: 0 = a softmax over the used ids only, 1 = the exact full-vocabulary loss)."""
    lang, word = words(lang)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.plot(range(len(lr)), lr, lw=2, color="C0")
    ax.set_xlabel(word("plot.train.step")), ax.set_ylabel(word("plot.train.lr"), color="C0")
    if unused_weight is not None:
        twin = ax.twinx()
        twin.plot(range(len(unused_weight)), unused_weight, lw=2, ls="--", color="C3")
        twin.set_ylabel(word("plot.train.unused_weight"), color="C3"), twin.set_ylim(-0.05, 1.05)
    ax.set_title(title_of(None, "plot.train.schedule", lang), fontsize=13)
    ax.grid(True, alpha=0.3)
    return slide_fonts(fig)


def loss_curves(loss, eval_step=None, eval_train=None, eval_val=None, *, vocab_size=None, baselines=None,
                model_name=None, lang=None):
    """The training objective of every step [steps]; the full-vocabulary loss on training and held-out samples
    at the evaluation steps (eval_step, eval_train, eval_val: [n] each); dashed reference lines at log V and at
    ``baselines`` {"unigram", "bigram"} (entropies of the held-out text), where given."""
    lang, word = words(lang)
    fig, ax = plt.subplots(figsize=(14, 5.5))
    ax.plot(range(len(loss)), loss, lw=1, alpha=0.5, color="C0", label=word("plot.train.objective"))
    if eval_step is not None:
        ax.plot(eval_step, eval_train, "o-", color="C1", label=word("plot.train.eval_train"))
        ax.plot(eval_step, eval_val, "s-", color="C2", label=word("plot.train.eval_val"))
    refs = [(math.log(vocab_size), "plot.train.log_v", "k")] if vocab_size else []
    refs += [(baselines[k], f"plot.train.{k}", c) for k, c in (("unigram", "C4"), ("bigram", "C5"))] \
        if baselines else []
    for value, key, color in refs:
        ax.axhline(value, ls="--", lw=1.2, color=color, label=f"{word(key)}: {value:.2f}")
    ax.set_xlabel(word("plot.train.step")), ax.set_ylabel(word("plot.train.loss"))
    ax.set_ylim(bottom=0)
    ax.set_title(title_of(None, "plot.train.loss_title", lang, model_name=model_name), fontsize=13)
    ax.legend(fontsize=MIN_FONT, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, alpha=0.3)
    return slide_fonts(fig)


def baselines_figure(held_out_loss, unigram, bigram, vocab_size, *, model_name=None, lang=None):
    """Bars in nats per token: log V (a uniform guess), the unigram and bigram entropies of the held-out text,
    and the model's held-out loss."""
    lang, word = words(lang)
    fig, ax = plt.subplots(figsize=(10, 5))
    keys = ("plot.train.log_v", "plot.train.unigram", "plot.train.bigram", "plot.train.model_loss")
    values = [math.log(vocab_size), unigram, bigram, held_out_loss]
    bars = ax.barh(range(4), values, color=["grey", "C4", "C5", "C2"])
    for bar, value in zip(bars, values):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value:.2f}", va="center",
                fontsize=MIN_FONT)
    ax.set_yticks(range(4), [word(k) for k in keys]), ax.invert_yaxis()
    ax.set_xlabel(word("plot.train.loss")), ax.set_xlim(0, max(values) * 1.15)
    ax.set_title(title_of(None, "plot.train.baselines_title", lang, model_name=model_name), fontsize=13)
    return slide_fonts(fig)


def head_scores_figure(previous_token, induction, *, model_name=None, lang=None):
    """Two heatmaps [n_layers, h]: every head's previous-token and induction score (analysis.head_scores), each
    cell written out."""
    lang, word = words(lang)
    prev, ind = to_numpy(previous_token), to_numpy(induction)
    n_layers, h = prev.shape
    fig, axes = plt.subplots(1, 2, figsize=(max(10.0, 1.3 * h + 4), 1.0 * n_layers + 3))
    for ax, data, key in ((axes[0], prev, "plot.train.previous_token"), (axes[1], ind, "plot.train.induction")):
        im = ax.imshow(data, vmin=0, vmax=1, cmap="viridis", aspect="auto")
        for i in range(n_layers):
            for j in range(h):
                ax.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", fontsize=MIN_FONT,
                        color="white" if data[i, j] < 0.5 else "black")
        ax.set_xticks(range(h)), ax.set_yticks(range(n_layers))
        ax.set_xlabel(word("plot.train.head")), ax.set_ylabel(word("plot.train.layer"))
        ax.set_title(word(key), fontsize=13)
        fig.colorbar(im, ax=ax, shrink=0.9)
    fig.suptitle(title_of(None, "plot.train.heads_title", lang, model_name=model_name), fontsize=14)
    fig.tight_layout()
    return slide_fonts(fig)
