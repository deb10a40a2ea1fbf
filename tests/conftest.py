"""Shared fixtures: demo checkpoints in Meta's format, Meta's real tokenizer.model, the golden facts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))  # peers.py, _fairscale_stub.py

import llama_scratch as ls  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT.parent / "shared" / "golden_outputs.json"


@pytest.fixture(scope="session")
def golden() -> dict:
    if not GOLDEN.is_file():
        pytest.skip(f"{GOLDEN} not found (CI and developer machines have ../shared beside the project)")
    return json.loads(GOLDEN.read_text())


@pytest.fixture(scope="session")
def tokenizer_path() -> Path:
    return ls.demo.meta_tokenizer_path()


@pytest.fixture(scope="session")
def tokenizer(tokenizer_path):
    return ls.Tokenizer(tokenizer_path)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    """The tiny demo checkpoint (GQA, scaled RoPE, tied output)."""
    return ls.make_demo_checkpoint(tmp_path_factory.mktemp("tiny") / "original", "tiny", seed=0)


@pytest.fixture(scope="session")
def tiny_model(tiny_dir):
    return ls.load_model(tiny_dir)


def long_prompt(n: int, vocab: int, seed: int = 0) -> torch.Tensor:
    """[1, n] random token ids: long prompts are where a wrong RoPE scaling factor shows."""
    return torch.randint(0, vocab, (1, n), generator=torch.Generator().manual_seed(seed))


@pytest.fixture()
def demo_weights_env(tiny_dir, monkeypatch):
    """Point notebooks (run in a child kernel, which inherits the environment) at the tiny demo checkpoint."""
    monkeypatch.setenv(ls.checkpoint.ENV_CHECKPOINT, str(tiny_dir))
    return tiny_dir
