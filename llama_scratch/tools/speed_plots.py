"""Figures of decode speed against the memory-bandwidth limit (notebook 09), in the style of plots."""

from __future__ import annotations

import matplotlib.pyplot as plt

from . import i18n
from .plots import MIN_FONT, _slide_fonts


def decode_vs_limit(results: dict, bandwidth: float, *, model: str = "", device: str = "cpu", lang=None):
    """Horizontal bars: each step's share of the limit, bytes read per token x tokens/s / bandwidth, in percent.

    results: {step name: (tokens/s, bytes read per token)}; bandwidth in bytes/s (e.g. stream_bandwidth's
    "limit"). The limit itself is the line at 100 %.
    """
    steps = list(results)
    shares = [100 * speed * nbytes / bandwidth for speed, nbytes in results.values()]
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(steps) + 2))
    bars = ax.barh(steps, shares, color="#4C72B0")
    ax.bar_label(bars, labels=[f"{s:.0f} %" for s in shares], padding=3, fontsize=MIN_FONT)
    ax.axvline(100, color="#C44E52", ls="--", label=i18n.text("speed.limit", lang))
    ax.invert_yaxis()
    ax.set_xlim(0, max(110, max(shares) * 1.15))
    ax.set_xlabel(i18n.text("speed.xlabel", lang))
    ax.set_title(i18n.text("speed.title", lang, model=model, device=device, gbs=bandwidth / 1e9), fontsize=13)
    ax.legend(loc="lower right", fontsize=MIN_FONT)
    return _slide_fonts(fig)
