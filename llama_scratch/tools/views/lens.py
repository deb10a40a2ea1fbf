"""The logit lens view: a layer x position grid of the most likely next token, hover a cell for its top-k."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from ...analysis.lens import logit_lens
from .. import plots
from ..labels import model_title
from .base import View, significant, view_labels


class LogitLensView(View):
    """data: tokens [s] (prompt labels), n_layers, ids and probs [n_layers + 1][s][k] (analysis.logit_lens; row 0
    the embeddings, row i after block i - 1), labels {id: label} for every id shown, next [s] (the prompt's next
    token id at each position, -1 after the last)."""

    kind = "lens"
    text_keys = ("view.lens.title", "view.prompt", "view.lens.embeddings", "view.lens.after", "view.lens.hint",
                 "view.lens.cell", "view.probability")

    def __init__(self, data: dict, plot_labels: dict, prompt_labels: list, lang=None):
        super().__init__(data, lang)
        self._plot_labels, self._prompt_labels = plot_labels, prompt_labels  # matplotlib's labels

    def row_names(self) -> list[str]:
        text = self.texts()
        return [text["view.lens.embeddings"]] + [text["view.lens.after"].format(n=i)
                                                 for i in range(self.data["n_layers"])]

    def static(self):
        """A heatmap of the top-1 probability, each cell labelled with its top-1 token."""
        plots.cjk_font()
        probs = np.array(self.data["probs"])[:, :, 0]  # [L+1, s]
        ids = self.data["ids"]
        rows, s = probs.shape
        fig, ax = plt.subplots(figsize=(min(3 + 1.1 * s, 30), 1.5 + 0.45 * rows))
        im = ax.imshow(probs, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
        for r in range(rows):
            for c in range(s):
                ax.text(c, r, self._plot_labels[ids[r][c][0]][:10], ha="center", va="center", fontsize=9,
                        color="white" if probs[r, c] < 0.6 else "black")
        ax.set_yticks(range(rows), [plots.escape_undrawable(n) for n in self.row_names()])
        ax.set_xticks(range(s), self._prompt_labels, rotation=60, ha="right")
        fig.colorbar(im, ax=ax, label=plots.escape_undrawable(self.texts()["view.probability"]))
        ax.set_title(plots.escape_undrawable(f"{self.texts()['view.lens.title']} — {self.data['model']}"))
        return plots.slide_fonts(fig)


def logit_lens_view(model, tokenizer, prompt: str, *, k: int = 5, model_name: str | None = None, checkpoint=None,
                    lang: str | None = None) -> LogitLensView:
    """The logit lens of ``prompt`` (encoded with the bos token): analysis.logit_lens's top-k at every layer and
    position. The model is named by ``model_name`` or ``checkpoint`` (see attention_explorer)."""
    ids = tokenizer.encode(prompt, bos=True)
    lens = logit_lens(model, torch.tensor([ids], device=model.device), k=k)  # [L+1, 1, s, k] each
    top = lens.top_ids[:, 0].tolist()  # [L+1][s][k]
    shown = sorted({i for row in top for cell in row for i in cell})
    name = model_name if model_name is not None else (model_title(checkpoint, lang) if checkpoint else "")
    data = {"model": name, "prompt": prompt, "tokens": view_labels(tokenizer, ids), "n_layers": model.config.n_layers,
            "k": int(k), "ids": top, "probs": significant(lens.top_probs[:, 0]),
            "labels": dict(zip((str(i) for i in shown), view_labels(tokenizer, shown))),
            "next": ids[1:] + [-1]}
    return LogitLensView(data, dict(zip(shown, plots.token_labels(tokenizer, shown))),
                         plots.token_labels(tokenizer, ids), lang)
