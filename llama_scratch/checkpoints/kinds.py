"""What a checkpoint directory holds, told by a marker file beside Meta's three files: a random demo
(demo_checkpoint.json, written by make_demo_checkpoint), a trained demo (trained_checkpoint.json, written by
``python -m llama_scratch train``), or, with no marker, real weights."""

from __future__ import annotations

from pathlib import Path

from .demo import DEMO_MARKER
from .paths import weights_dir
from .read import CHECKPOINT_FILES

TRAINED_MARKER = "trained_checkpoint.json"  # written last by `python -m llama_scratch train`
TRAINED_DEMO = "demo-trained/original"  # where the trained demo is written by default, under weights/
CHECKPOINT_KINDS = {TRAINED_MARKER: "trained-demo", DEMO_MARKER: "random-demo"}
KINDS = ("real", "trained-demo", "random-demo")


def checkpoint_kind(path) -> str:
    """"trained-demo" or "random-demo" by the directory's marker file (CHECKPOINT_KINDS), else "real"."""
    return next((kind for marker, kind in CHECKPOINT_KINDS.items() if (Path(path) / marker).is_file()), "real")


def trained_demo_dir() -> Path:
    """Where `python -m llama_scratch train` writes by default: weights/demo-trained/original."""
    return weights_dir() / TRAINED_DEMO


def find_trained_demo(path=None) -> Path | None:
    """The trained demo checkpoint (default: trained_demo_dir()) when a complete one is there, else None. The
    marker is written last, so marker + Meta's three files means complete."""
    path = Path(path) if path is not None else trained_demo_dir()
    complete = all((path / name).is_file() for name in CHECKPOINT_FILES)
    return path if complete and checkpoint_kind(path) == "trained-demo" else None
