"""The sampling view: the next-token distribution after a prompt under temperature and top-p sliders."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from ...core.generate import sampling_probabilities
from .. import plots
from ..labels import model_title
from .base import View, significant, view_labels

TEMPERATURES = tuple(round(0.1 * i, 1) for i in range(21))  # 0 (greedy), 0.1 .. 2.0
TOP_PS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)  # each point sorts the vocabulary once


class SamplingView(View):
    """data: temperatures [nT], top_ps [nP], ids and labels [n] (the n most likely next tokens, most likely
    first), probs [nT][nP][n] (generate.sampling_probabilities at each grid point), others [nT][nP] (the mass of
    every other token), kept [nT][nP] (how many tokens can be drawn), start [iT, iP]."""

    kind = "sampling"
    text_keys = ("view.sampling.title", "view.prompt", "view.sampling.temperature", "view.sampling.greedy",
                 "view.sampling.top_p", "view.sampling.kept", "view.sampling.others", "view.sampling.outline",
                 "view.probability")

    def __init__(self, data: dict, plot_labels: list, lang=None):
        super().__init__(data, lang)
        self._plot_labels = plot_labels

    def static(self):
        """Bars of the distribution at the starting temperature and top-p."""
        plots.cjk_font()
        d, text = self.data, self.texts()
        it, ip = d["start"]
        probs = d["probs"][it][ip] + [d["others"][it][ip]]
        names = self._plot_labels + [plots.escape_undrawable(text["view.sampling.others"])]
        fig, ax = plt.subplots(figsize=(10, 0.4 * len(names) + 1.8))
        ax.barh(range(len(names)), probs, color=["#31688e"] * (len(names) - 1) + ["#aaaaaa"])
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel(plots.escape_undrawable(text["view.probability"]))
        setting = (text["view.sampling.temperature"].format(t=d["temperatures"][it]) + ", "
                   + text["view.sampling.top_p"].format(p=d["top_ps"][ip]))
        ax.set_title(plots.escape_undrawable(f"{text['view.sampling.title']} — {setting}\n{d['model']}"))
        return plots.slide_fonts(fig)


def sampling_view(model, tokenizer, prompt: str, *, n: int = 12, temperature: float = 1.0, top_p: float = 1.0,
                  model_name: str | None = None, checkpoint=None, lang: str | None = None) -> SamplingView:
    """The next-token distribution after ``prompt`` (encoded with the bos token) for every temperature in
    TEMPERATURES and top-p in TOP_PS, from generate.sampling_probabilities (the rule sample_next_token draws
    with). Shows the ``n`` most likely tokens; the sliders start at the grid points nearest temperature, top_p."""
    ids = tokenizer.encode(prompt, bos=True)
    with torch.inference_mode():
        logits = model(torch.tensor([ids], device=model.device), last_only=True)[0, -1].float()  # [v]
    n = min(int(n), logits.shape[-1])
    top = torch.argsort(logits, descending=True)[:n]  # [n]: the same order at every temperature
    probs, others, kept = [], [], []
    top_ps = torch.tensor(TOP_PS, device=logits.device)[:, None]  # [nP, 1]: one nucleus per row
    for t in TEMPERATURES:
        grid = sampling_probabilities(logits.expand(len(TOP_PS), -1), t, top_ps)  # [nP, v]
        probs.append(grid[:, top])  # [nP, n]
        others.append(grid.sum(-1) - grid[:, top].sum(-1))  # [nP]
        kept.append((grid > 0).sum(-1).tolist())  # [nP]
    nearest = lambda grid, x: min(range(len(grid)), key=lambda i: abs(grid[i] - x))  # noqa: E731
    name = model_name if model_name is not None else (model_title(checkpoint, lang) if checkpoint else "")
    data = {"model": name, "prompt": prompt, "temperatures": list(TEMPERATURES), "top_ps": list(TOP_PS),
            "ids": top.tolist(), "labels": view_labels(tokenizer, top.tolist()),
            "probs": significant(torch.stack(probs)), "others": significant(torch.stack(others)), "kept": kept,
            "start": [nearest(TEMPERATURES, temperature), nearest(TOP_PS, top_p)]}
    return SamplingView(data, plots.token_labels(tokenizer, top.tolist()), lang)
