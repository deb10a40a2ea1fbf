"""Slide figures per lesson: ``python -m llama_scratch figures --lesson NN`` writes lesson NN's figures into one
folder, named in lecture order (01_architecture.png, 02_..., ...).

Each lesson (= notebook NN) lists its figures here, made by tools.plots and tools.diagrams.
Figures that need no weights (the diagrams, RoPE) are drawn for the real Llama-3.2-1B configuration, whatever
checkpoint is installed; only the attention maps of lesson 05 load a checkpoint (the real one when present, else
the demo, and then their titles say the weights are random). The words of every figure are in the language of
``Sources`` (figures --lang; default: the default language, LLAMA_SCRATCH_LANG=zh for Chinese).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Callable

import matplotlib.pyplot as plt
import torch

from ..checkpoints import LLAMA_3_2_1B_PARAMS, checkpoint_from_arg, load_model, load_tokenizer
from ..core import config_from_params
from . import diagrams, plots
from .i18n import resolve
from .labels import default_prompt, model_title

# The part of the architecture diagram each lesson is about (highlighted on its first slide).
HIGHLIGHT = {0: "weights", 1: "tokenizer", 2: "embedding", 3: "rmsnorm", 4: "rope", 5: "attention",
             6: ("swiglu", "block"), 7: "forward", 8: "generation", 9: "speed", 10: "training"}


class Sources:
    """What the figures are drawn from: the real 1B configuration (no weights needed) and, loaded on first use,
    a checkpoint's model and tokenizer for the attention maps; and the language of their words."""

    def __init__(self, checkpoint=None, prompt: str | None = None, device: str = "cpu", lang: str | None = None):
        self.real = config_from_params(LLAMA_3_2_1B_PARAMS)
        self.checkpoint, self.device, self.lang = checkpoint, device, resolve(lang)
        self.prompt = prompt or default_prompt(self.lang)
        self._attention = None

    def attention(self):
        """(model, labels, maps, tokens, model title) of the checkpoint on the prompt, computed once."""
        if self._attention is None:
            info = checkpoint_from_arg(self.checkpoint)
            print(info.banner(), file=sys.stderr)
            model, tokenizer = load_model(info.path, device=self.device), load_tokenizer(info.path)
            ids = tokenizer.encode(self.prompt, bos=True)
            tokens = torch.tensor([ids], device=model.device)  # [1, s]
            with torch.inference_mode():
                _, maps = model(tokens, return_attention=True)  # n_layers x [1, h, s, s]
            self._attention = (model, plots.token_labels(tokenizer, ids), maps, tokens, model_title(info, self.lang))
        return self._attention


def _architecture(lesson: int):
    return lambda src: diagrams.architecture(src.real, highlight=HIGHLIGHT[lesson], lang=src.lang)


def _rope(name: str):
    def make(src):
        return getattr(plots, f"rope_{name}_figure")(src.real, model_name="Llama-3.2-1B", lang=src.lang)
    return make


def _attention(kind: str):
    """One attention figure of the checkpoint: stages (layer 0, head 0), grid (layer 0), heatmap (last layer,
    head 0), across_layers (head 0)."""
    def make(src):
        model, labels, maps, tokens, title = src.attention()
        last, kw = len(maps) - 1, dict(model_name=title, prompt=src.prompt, lang=src.lang)
        if kind == "stages":
            with torch.inference_mode():
                scores, masked, weights = (t[0, 0] for t in model.attention_stages(tokens, 0))  # [s, s] each
            return plots.attention_stages(scores, masked, weights, labels, layer=0, head=0, **kw)
        if kind == "grid":
            return plots.attention_grid(maps[0][0], labels, layer=0, **kw)
        if kind == "heatmap":
            return plots.attention_heatmap(maps[last][0, 0], labels, layer=last, head=0, **kw)
        return plots.attention_across_layers(torch.stack([m[0, 0] for m in maps]), labels, head=0, **kw)
    return make


# lesson -> [(name, make(Sources) -> matplotlib Figure or Diagram)], in lecture order.
LESSONS: dict[int, list[tuple[str, Callable]]] = {n: [("architecture", _architecture(n))] for n in HIGHLIGHT}
LESSONS[4] += [("rope_frequencies", _rope("frequencies")), ("rope_spokes", _rope("spokes")),
               ("rope_relative_distance", _rope("relative_distance"))]
LESSONS[5] += [("gqa_head_sharing", lambda src: diagrams.gqa(src.real, lang=src.lang)),
               ("attention_stages_L0_H0", _attention("stages")), ("attention_all_heads_L0", _attention("grid")),
               ("attention_last_layer_H0", _attention("heatmap")),
               ("attention_H0_all_layers", _attention("across_layers"))]
LESSONS[6] += [("silu_vs_relu", lambda src: plots.silu_vs_relu(lang=src.lang))]
LESSONS[8] += [("kv_cache", lambda src: diagrams.kv_cache(src.real, lang=src.lang))]
LESSONS[9] += [("kv_cache", lambda src: diagrams.kv_cache(src.real, lang=src.lang))]
NEEDS_CHECKPOINT = {5}  # lessons with figures of a model's activations (the others need no weights)
# Lesson 10 (training a tiny model) shows only the architecture here so far: its figures (loss curve, induction
# and previous-token heads, the logit lens of the trained model) join this list with the training package.


def parse_lesson(text) -> int:
    """'04' or '4' -> 4; ValueError naming the lessons there are."""
    first, last = min(LESSONS), max(LESSONS)
    choices = f"{first:02d}–{last:02d}"
    try:
        lesson = int(str(text).strip())
    except ValueError:
        raise ValueError(f"--lesson {text!r} is not a lesson number; the lessons are {choices}") from None
    if lesson not in LESSONS:
        raise ValueError(f"--lesson {text}: there is no lesson {lesson}; the lessons are {choices}")
    return lesson


def file_names(lesson: int, formats) -> list[str]:
    """The files lesson ``lesson`` writes, in lecture order: NN_name.format, NN counting from 01."""
    return [f"{i:02d}_{name}.{fmt}" for i, (name, _) in enumerate(LESSONS[lesson], 1) for fmt in formats]


def write_lesson(lesson: int, out, formats=("png",), dpi: int = 150, sources: Sources | None = None) -> list[Path]:
    """Draw lesson ``lesson``'s figures and write them into folder ``out``; return the paths, in lecture order.

    Everything is drawn into a temporary folder first and moved into ``out`` at the end, so a failure leaves no
    half-written set behind.
    """
    sources = sources or Sources()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.lesson-{lesson:02d}.partial-{os.getpid()}"
    try:
        tmp.mkdir()
        for i, (name, make) in enumerate(LESSONS[lesson], 1):
            stem = f"{i:02d}_{name}"
            figure = make(sources)
            if isinstance(figure, diagrams.Diagram):
                for fmt in formats:
                    figure.save(tmp / f"{stem}.{fmt}", dpi=dpi)
            else:
                plots.save_figure(figure, stem, tmp, formats=formats, dpi=dpi)
                plt.close(figure)
        out.mkdir(exist_ok=True)
        paths = []
        for file_name in file_names(lesson, formats):
            os.replace(tmp / file_name, out / file_name)
            paths.append(out / file_name)
        return paths
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
