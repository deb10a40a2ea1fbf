"""Figures: functions that take tensors and return matplotlib figures, and save_figure to write them.

The notebooks, `make run` and `python -m llama_scratch figures` all use these, so a figure looks the same everywhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib

if not os.environ.get("MPLBACKEND") and "ipykernel" not in __import__("sys").modules:
    matplotlib.use("Agg")  # headless by default outside Jupyter

from .notebooks import FIGURES_ENV  # noqa: E402


def figures_dir(default: str | Path = "figures") -> Path:
    """Where save_figure writes: $LLAMA_SCRATCH_FIGURES (set by make run and the tests), else ``default``."""
    return Path(os.environ.get(FIGURES_ENV) or default)


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
