"""The attention explorer: every head of every layer of one prompt, stage by stage (raw, masked, softmax)."""

from __future__ import annotations

import torch

from ...analysis.attention import attention_stages
from .. import plots
from ..labels import model_title
from .base import View, rounded, view_labels

MAX_NUMBERS = 2_000_000  # scores + weights embedded in one page (about 14 MB of JSON)


def fits_on_page(config, n_tokens: int, n_layers: int | None = None) -> bool:
    """Whether the scores and weights of n_layers layers (default all) for n_tokens tokens fit in one page."""
    return 2 * (config.n_layers if n_layers is None else n_layers) * config.n_heads * n_tokens ** 2 <= MAX_NUMBERS


class AttentionExplorer(View):
    """Layer and head pickers, "all heads of a layer" as small multiples, the three stages, hover a token.

    data: tokens [s] labels, layers [n] (the layers embedded), scores and weights [n][h][s*s] (row-major, rounded
    to 4 decimals), mask [s*s] (1 where query i may see key j), n_heads, n_kv_heads, layer/head shown first.
    """

    kind = "attention"
    text_keys = ("view.attention.title", "view.prompt", "view.layer", "view.head", "view.all_heads",
                 "view.head_n", "view.attention.scores", "view.attention.masked", "view.attention.weights",
                 "view.attention.query", "view.attention.key", "view.attention.kv", "view.attention.hint",
                 "view.attention.cell", "view.attention.future", "view.attention.pick", "view.probability")

    def __init__(self, data: dict, stages, plot_labels, lang=None):
        super().__init__(data, lang)
        self._stages, self._plot_labels = stages, plot_labels

    def static(self):
        """The stages of the head shown first (plots.attention_stages)."""
        layer, head = self.data["layer"], self.data["head"]
        st = self._stages
        return plots.attention_stages(st.scores[0, head], st.masked[0, head], st.weights[0, head],
                                      self._plot_labels, title=self.texts()["view.attention.title"], layer=layer,
                                      head=head, model_name=self.data["model"] or None, prompt=self.data["prompt"],
                                      lang=self.lang)


def attention_explorer(model, tokenizer, prompt: str, *, layers=None, layer: int | None = None, head: int = 0,
                       model_name: str | None = None, checkpoint=None, lang: str | None = None) -> AttentionExplorer:
    """The attention explorer for ``prompt`` (encoded with the bos token), from analysis.attention_stages.

    layers: which layers to embed (default all; fewer for long prompts); layer, head: shown first (default the
    first embedded layer, head 0). The model is named by ``model_name``, or by ``checkpoint`` (a CheckpointInfo:
    its folder, plus "demo: random weights" for a demo checkpoint).
    """
    config = model.config
    ids = tokenizer.encode(prompt, bos=True)
    s = len(ids)
    layers = sorted(set(range(config.n_layers) if layers is None else (int(i) for i in layers)))
    if not fits_on_page(config, s, len(layers)):
        numbers = 2 * len(layers) * config.n_heads * s * s
        raise ValueError(f"the prompt has {s} tokens: {len(layers)} layers x {config.n_heads} heads x {s}x{s} "
                         f"scores and weights are {numbers:,} numbers, too many for one page (at most "
                         f"{MAX_NUMBERS:,}); pass layers=[...] (figures: --layers) with fewer layers or use a shorter "
                         "prompt")
    layer = layers[0] if layer is None else int(layer)
    if layer not in layers:
        raise ValueError(f"layer {layer} is not among the embedded layers {layers}")
    if not 0 <= int(head) < config.n_heads:
        raise ValueError(f"head {head} is out of range; this model has heads 0..{config.n_heads - 1}")
    tokens = torch.tensor([ids], device=model.device)  # [1, s]
    stages = attention_stages(model, tokens, layers)  # {layer: [1, h, s, s] x 3}
    name = model_name if model_name is not None else (model_title(checkpoint, lang) if checkpoint else "")
    data = {
        "model": name, "prompt": prompt, "tokens": view_labels(tokenizer, ids), "layers": layers,
        "n_heads": config.n_heads, "n_kv_heads": config.n_kv_heads, "layer": layer, "head": int(head),
        "scores": [rounded(stages[i].scores[0].flatten(1)) for i in layers],  # [n][h][s*s]
        "weights": [rounded(stages[i].weights[0].flatten(1)) for i in layers],  # [n][h][s*s]
        "mask": torch.isfinite(stages[layer].masked[0, 0]).flatten().int().tolist(),  # [s*s]
    }
    return AttentionExplorer(data, stages[layer], plots.token_labels(tokenizer, ids), lang)
