"""Where checkpoints live on disk: the project's weights/ folder (or $LLAMA_SCRATCH_WEIGHTS); writing a file so that
a failure leaves no half of it behind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

WEIGHTS_ENV = "LLAMA_SCRATCH_WEIGHTS"


def project_root() -> Path:
    """The repository root (the folder holding pyproject.toml) for an editable install, else the working directory."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def weights_dir() -> Path:
    """Where checkpoints live: $LLAMA_SCRATCH_WEIGHTS or <project>/weights."""
    return Path(os.environ.get(WEIGHTS_ENV) or project_root() / "weights")


def golden_path() -> Path:
    """tests/golden/golden_outputs.json: recorded facts about the real weights (token ids, greedy outputs, sizes),
    each with its public source. The notebooks quote only these when they speak of the real model."""
    return project_root() / "tests" / "golden" / "golden_outputs.json"


def write_atomically(path, write: Callable[[Path], object]) -> Path:
    """Call write(tmp) on a temporary name beside ``path`` (.<name>.partial-<pid>), then rename it to ``path``; on
    any failure the temporary file is removed and ``path`` is untouched. Returns ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
