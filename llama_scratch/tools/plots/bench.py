"""Benchmark figures (notebook 09): decode speed as a share of the memory-bandwidth limit."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .common import MIN_FONT, slide_fonts, words


def decode_vs_limit(results: dict, bandwidth: float, *, model: str = "", device: str = "cpu", lang=None):
    """Horizontal bars: each step's share of the limit, bytes read per token x tokens/s / bandwidth, in percent.

    results: {step name: (tokens/s, bytes read per token)}; bandwidth in bytes/s (e.g. stream_bandwidth's
    "limit"). The limit itself is the dashed line at 100 %.
    """
    lang, word = words(lang)
    steps = list(results)
    shares = [100 * speed * nbytes / bandwidth for speed, nbytes in results.values()]
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(steps) + 2))
    bars = ax.barh(steps, shares, color="#4C72B0")
    ax.bar_label(bars, labels=[f"{s:.0f} %" for s in shares], padding=3, fontsize=MIN_FONT)
    ax.axvline(100, color="#C44E52", ls="--", label=word("plot.bench.limit"))
    ax.invert_yaxis()
    ax.set_xlim(0, max(110, max(shares) * 1.15))
    ax.set_xlabel(word("plot.bench.xlabel"))
    ax.set_title(word("plot.bench.title", model=model, device=device, gbs=f"{bandwidth / 1e9:.1f}"), fontsize=13)
    ax.legend(loc="lower right", fontsize=MIN_FONT)
    return slide_fonts(fig)
