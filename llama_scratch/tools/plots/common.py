"""What every figure shares: the headless backend, the committed CJK font, where and how figures are saved, slide-size
fonts, tensors to numpy, and the title in the figure's language.

Every plotting function of the package takes ``lang`` (None: i18n.default_language(), so the Chinese edition's
cells, identical to the English ones, draw Chinese figures) and takes its words from i18n.text.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import matplotlib

if not os.environ.get("MPLBACKEND") and "ipykernel" not in sys.modules:
    matplotlib.use("Agg")  # headless by default outside Jupyter (before pyplot is imported anywhere)

import numpy as np  # noqa: E402

from ...checkpoints.paths import project_root  # noqa: E402
from .. import i18n  # noqa: E402
from ..labels import cjk_font, figure_title, prompt_line  # noqa: E402

FIGURES_ENV = "LLAMA_SCRATCH_FIGURES"  # where save_figure writes (set per notebook by the notebook runner)
MIN_FONT = 11  # points: the smallest text on any figure (tick labels, legends, colour bars)

cjk_font()  # figures drawn with plain matplotlib after `from llama_scratch import plots` draw CJK too


def figures_dir(default: str | Path | None = None) -> Path:
    """Where save_figure writes: $LLAMA_SCRATCH_FIGURES (set by make run and the tests), else ``default``, else
    build/figures of the project (checkpoints.project_root; git ignores build/: running a notebook leaves the
    working tree clean)."""
    if os.environ.get(FIGURES_ENV) or default is not None:
        return Path(os.environ.get(FIGURES_ENV) or default)
    return project_root() / "build" / "figures"


def save_figure(fig, name: str, out_dir=None, formats=("png",), dpi: int = 150) -> list[Path]:
    """Write ``fig`` as out_dir/name.<format> for each format (png, svg, pdf); return the paths written."""
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        raise ValueError(f"figure name {name!r}: use letters, digits, '.', '_' and '-' only")
    out = Path(out_dir) if out_dir is not None else figures_dir()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
        paths.append(path)
    return paths


def to_numpy(t):
    """Tensor (any device, any dtype) -> numpy float array."""
    return t.detach().float().cpu().numpy() if hasattr(t, "detach") else np.asarray(t, dtype=float)


def slide_fonts(fig, size: int = MIN_FONT):
    """Raise every tick label, axis label and legend text of fig (colour bars included) to at least ``size``."""
    for ax in fig.axes:
        ax.tick_params(labelsize=max(size, ax.xaxis.get_ticklabels()[0].get_fontsize()
                                     if ax.xaxis.get_ticklabels() else size))
        for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
            if label.get_fontsize() < size + 1:
                label.set_fontsize(size + 1)
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontsize(max(size, text.get_fontsize()))
    return fig


def words(lang):
    """(the language, resolved once: "en" or "zh"; a function key, **fmt -> that key's text in it). Also makes sure
    matplotlib draws with the committed CJK font (rcParams may have been reset since the import)."""
    cjk_font()
    lang = i18n.resolve(lang)
    return lang, lambda key, **fmt: i18n.text(key, lang, **fmt)


def title_of(title, default_key: str, lang: str, *, model_name=None, layer=None, head=None, prompt=None) -> str:
    """The title of a figure: ``title`` (or the text of ``default_key``), then the model, layer and head, then the
    prompt on a second line, every part that is given, in ``lang``."""
    title = i18n.text(default_key, lang) if title is None else title
    return figure_title(title, model_name, layer=layer, head=head, lang=lang) + prompt_line(prompt, lang=lang)

