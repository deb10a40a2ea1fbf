"""Generation figures (notebook 08): what temperature and top-p do to the next-token distribution, and the time per
generated token with and without the KV cache."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from ...core.generate import sampling_probabilities
from ..labels import escape_undrawable
from .common import MIN_FONT, slide_fonts, title_of, to_numpy, words


def sampling_figure(logits, temperatures=(0.5, 1.0, 2.0), top_p: float = 0.9, n_show: int = 40, *,
                    model_name=None, prompt=None, lang=None):
    """Two panels for one position's logits [v]: left, softmax(logits / T) of the n_show most likely tokens at each
    temperature (the same tokens in the same order at every T); right, the cumulative probability of the k most
    likely tokens against k (log scale), with each temperature's top-p nucleus (sampling_probabilities) marked."""
    if logits.dim() != 1:
        raise ValueError(f"sampling_figure: logits must be one position's [v], got shape {tuple(logits.shape)}")
    lang, word = words(lang)
    logits = logits.detach().float().cpu()  # [v]
    v = logits.shape[0]
    n_show = max(1, min(int(n_show), v))
    order = torch.argsort(logits, descending=True)  # [v]: the same order at every temperature
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 5.2))
    ranks = range(1, v + 1)
    for t in temperatures:
        p_sorted = torch.softmax(logits / t, dim=-1)[order]  # [v], most likely first
        kept = int((sampling_probabilities(logits[None], t, top_p) > 0).sum())  # tokens in the nucleus
        ax1.plot(range(1, n_show + 1), to_numpy(p_sorted[:n_show]), marker="o", ms=3,
                 label=word("plot.generation.temperature", t=f"{t:g}"))
        line, = ax2.plot(ranks, to_numpy(p_sorted.cumsum(0)),
                         label=word("plot.generation.nucleus", t=f"{t:g}", n=f"{kept:,}"))
        ax2.axvline(kept, color=line.get_color(), ls=":", lw=1.2)
    ax1.set_xlabel(word("plot.generation.rank_axis"))
    ax1.set_ylabel(word("plot.generation.probability_axis"))
    ax1.set_title(word("plot.generation.temperature_title", n=n_show))
    ax1.legend(fontsize=MIN_FONT)
    ax2.axhline(top_p, color="grey", ls="--", lw=1)
    ax2.text(1.2, top_p + 0.02, word("plot.generation.top_p_line", p=f"{top_p:g}"), color="grey")
    ax2.set_xscale("log")
    ax2.set_ylim(0, 1.08)
    ax2.set_xlabel(word("plot.generation.kept_axis"))
    ax2.set_ylabel(word("plot.generation.cumulative_axis"))
    ax2.set_title(word("plot.generation.top_p_title"))
    ax2.legend(loc="lower right", fontsize=MIN_FONT)
    fig.suptitle(title_of(None, "plot.generation.sampling_title", lang, model_name=model_name, prompt=prompt),
                 fontsize=14)
    fig.tight_layout()
    return slide_fonts(fig)


def kv_cache_timing_figure(lengths, recompute_ms, cached_ms, *, device="cpu", repeats: int = 3, model_name=None,
                           lang=None):
    """Milliseconds for the t-th token against t (log-log): recomputing all t positions vs one new position with
    the KV cache. The three sequences have one value per length."""
    if not len(lengths) == len(recompute_ms) == len(cached_ms) or not len(lengths):
        raise ValueError(f"kv_cache_timing_figure: lengths ({len(lengths)}), recompute_ms ({len(recompute_ms)}) "
                         f"and cached_ms ({len(cached_ms)}) must be non-empty and equally long")
    lang, word = words(lang)
    fig, ax = plt.subplots(figsize=(9, 5.2))
    ax.plot(list(lengths), list(recompute_ms), marker="o", label=word("plot.generation.recompute"))
    ax.plot(list(lengths), list(cached_ms), marker="s", label=word("plot.generation.cached"))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(word("plot.generation.length_axis"))
    ax.set_ylabel(word("plot.generation.ms_axis"))
    ax.legend(fontsize=MIN_FONT)
    title = title_of(None, "plot.generation.timing_title", lang, model_name=model_name)
    measured = escape_undrawable(word("plot.generation.measured", device=device, repeats=repeats))
    ax.set_title(f"{title}\n{measured}", fontsize=13)
    return slide_fonts(fig)
