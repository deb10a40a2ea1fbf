"""Feed-forward and block figures (notebook 06): SiLU against ReLU, and how the residual stream grows through the
blocks while what each sub-layer reads stays normalised (pre-norm)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from .common import MIN_FONT, slide_fonts, title_of, to_numpy, words


def silu_vs_relu(z_min: float = -6.0, z_max: float = 6.0, *, lang=None):
    """ReLU(z), SiLU(z) = z·sigmoid(z) and sigmoid(z) on [z_min, z_max], SiLU's minimum marked."""
    lang, word = words(lang)
    z = torch.linspace(z_min, z_max, 481)  # [481] sample points
    silu = z * torch.sigmoid(z)  # [481]
    i = int(silu.argmin())
    fig, ax = plt.subplots(figsize=(8, 4.8))
    ax.plot(to_numpy(z), to_numpy(torch.relu(z)), lw=2, label=r"$\mathrm{ReLU}(z) = \max(0, z)$")
    ax.plot(to_numpy(z), to_numpy(silu), lw=2, label=r"$\mathrm{SiLU}(z) = z\,\sigma(z)$")
    ax.plot(to_numpy(z), to_numpy(torch.sigmoid(z)), "--", lw=1, label=word("plot.ffn.sigmoid"))
    ax.plot([float(z[i])], [float(silu[i])], "ko", ms=5)
    ax.annotate(word("plot.ffn.minimum", z=f"{float(z[i]):.2f}", value=f"{float(silu[i]):.3f}"),
                (float(z[i]), float(silu[i])), xytext=(-70, 45), textcoords="offset points", fontsize=MIN_FONT,
                arrowprops=dict(arrowstyle="->", lw=0.8))
    ax.axhline(0, color="grey", lw=0.5), ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("z")
    ax.set_title(word("plot.ffn.silu_title"), fontsize=13)
    ax.legend(fontsize=MIN_FONT, loc="upper left")
    return slide_fonts(fig)


def residual_stream(stream_rms, input_rms, labels=None, *, model_name=None, prompt=None, lang=None):
    """Left: the RMS of each token's vector in the residual stream after each layer, stream_rms
    [n_layers + 1, s] (row 0: the embeddings), one line per token. Right: averaged over tokens, the stream
    against what the attention of each layer reads, input_rms [n_layers, s] (its normalised input: RMS ≈ 1)."""
    lang, word = words(lang)
    stream, reads = to_numpy(stream_rms), to_numpy(input_rms)
    n_layers, s = reads.shape
    if stream.shape != (n_layers + 1, s):
        raise ValueError(f"residual_stream: stream_rms must be [n_layers + 1, s] = {[n_layers + 1, s]} for "
                         f"input_rms {list(reads.shape)}, got {list(stream.shape)}")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5))
    for j in range(s):
        label = str(labels[j]) if labels is not None and j < len(labels) else None
        ax1.plot(range(n_layers + 1), stream[:, j], marker="o", ms=3, alpha=0.7, label=label)
    ax1.set_xlabel(word("plot.ffn.after_layer"))
    ax1.set_ylabel(word("plot.ffn.rms_axis"))
    ax1.set_title(word("plot.ffn.stream_title"))
    if labels is not None and s <= 24:
        ax1.legend(fontsize=MIN_FONT - 2, ncol=2)
    ax2.plot(range(n_layers), reads.mean(-1), marker="o", label=word("plot.ffn.reads"))
    ax2.plot(range(n_layers + 1), stream.mean(-1), marker="s", label=word("plot.ffn.stream"))
    ax2.set_xlabel(word("plot.ffn.input_to_layer", n=n_layers))
    ax2.set_title(word("plot.ffn.prenorm_title"))
    ax2.legend(fontsize=MIN_FONT)
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        ax.set_xticks(range(n_layers + 1))
    fig.suptitle(title_of(None, "plot.ffn.residual_title", lang, model_name=model_name, prompt=prompt), fontsize=14)
    fig.tight_layout()
    return slide_fonts(fig)
