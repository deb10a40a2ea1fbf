"""Shared fixtures and helpers: demo checkpoints in Meta's format, Meta's real tokenizer.model, the golden facts,
the command line in a subprocess, and the reference implementations our numbers are checked against:

- Meta's own llama_models/llama3/model.py (from the llama-models package), with fairscale replaced by plain layers
  and its RoPE scale factor patched from the hard-coded 8 to the given one (32 for Llama 3.2 1B/3B);
- Hugging Face transformers' LlamaForCausalLM, built by llama_scratch.checkpoints.hf.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
import torch
from torch import nn

import llama_scratch as ls
from llama_scratch.checkpoints import find_trained_demo, golden_path, meta_tokenizer_path
from llama_scratch.training import TrainConfig, config_record, train_demo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def golden() -> dict:
    """tests/golden/golden_outputs.json: recorded facts about the real weights, each with its source."""
    return json.loads(golden_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def tokenizer_path() -> Path:
    return meta_tokenizer_path()


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


def is_default_trained_demo(path: Path) -> bool:
    """True when ``path`` holds a complete trained demo of the default run: the default configuration (any time
    budget), seed 0, the generated corpus, every step done (not cut short by the time budget)."""
    if find_trained_demo(path) is None or not (path / "training.json").is_file():
        return False
    record = json.loads((path / "training.json").read_text(encoding="utf-8"))
    want, got = config_record(TrainConfig()), dict(record.get("config", {}))
    want.pop("time_budget"), got.pop("time_budget", None)
    return got == want and record.get("steps_done") == want["steps"] and not record.get("time_bound") \
        and record.get("corpus") == "generated (seed 0)"


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory) -> Path:
    """A trained demo checkpoint of the default run: weights/demo-trained/original when it is one (what `make test`
    builds just before the tests), else trained here with the defaults and no time budget (a few minutes)."""
    default = ls.trained_demo_dir()
    if is_default_trained_demo(default):
        return default
    return train_demo(tmp_path_factory.mktemp("trained") / "original", time_budget=0.0, progress=False)


def long_prompt(n: int, vocab: int, seed: int = 0) -> torch.Tensor:
    """[1, n] random token ids: long prompts are where a wrong RoPE scaling factor shows."""
    return torch.randint(0, vocab, (1, n), generator=torch.Generator().manual_seed(seed))


def cli(*args, env=None, timeout=300):
    """``python -m llama_scratch ...`` in a subprocess from the repository root."""
    return subprocess.run([sys.executable, "-m", "llama_scratch", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)


# --- Meta's reference implementation --------------------------------------------------------------------------
def install_fairscale_stand_in():
    """Give Meta's llama3/model.py the three fairscale pieces it imports, as a model-parallel world of size 1 has
    them: plain Linear and Embedding. (fairscale ships only as a source archive whose build pulls an unpinned
    torch, so it is not installed.)"""
    if "fairscale.nn.model_parallel.layers" in sys.modules:
        return
    layers = types.ModuleType("fairscale.nn.model_parallel.layers")
    layers.ColumnParallelLinear = lambda i, o, bias=True, **_: nn.Linear(i, o, bias=bias)
    layers.RowParallelLinear = lambda i, o, bias=True, **_: nn.Linear(i, o, bias=bias)
    layers.VocabParallelEmbedding = lambda n, d, **_: nn.Embedding(n, d)
    initialize = types.ModuleType("fairscale.nn.model_parallel.initialize")
    initialize.get_model_parallel_world_size = lambda: 1
    initialize.get_model_parallel_rank = lambda: 0
    for name in ("fairscale", "fairscale.nn", "fairscale.nn.model_parallel"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["fairscale.nn.model_parallel.layers"] = layers
    sys.modules["fairscale.nn.model_parallel.initialize"] = initialize
    sys.modules["fairscale.nn.model_parallel"].layers = layers
    sys.modules["fairscale.nn.model_parallel"].initialize = initialize
    sys.modules["fairscale.nn"].model_parallel = sys.modules["fairscale.nn.model_parallel"]
    sys.modules["fairscale"].nn = sys.modules["fairscale.nn"]


@functools.lru_cache(maxsize=None)
def meta_model_module(scale_factor: float):
    """A fresh copy of Meta's llama3/model.py whose apply_scaling uses scale_factor instead of its hard-coded 8."""
    install_fairscale_stand_in()
    origin = importlib.util.find_spec("llama_models.llama3.model").origin
    src = open(origin, encoding="utf-8").read()
    hard_coded = "    scale_factor = 8\n"
    if src.count(hard_coded) != 1:
        raise RuntimeError(f"{origin} no longer hard-codes 'scale_factor = 8'; update tests/conftest.py")
    src = src.replace(hard_coded, f"    scale_factor = {float(scale_factor)!r}\n")
    mod = types.ModuleType(f"llama_models.llama3.model_factor_{scale_factor:g}")
    mod.__package__ = "llama_models.llama3"  # so its relative import of .args works
    mod.__file__ = origin
    exec(compile(src, origin, "exec"), mod.__dict__)
    return mod


def meta_reference_model(sd: dict, params: dict, scale_factor: float, max_seq_len: int):
    """Meta's Transformer in float32 on CPU, holding the weights of a Meta state dict."""
    from llama_models.llama3.args import ModelArgs

    mod = meta_model_module(scale_factor)
    args = ModelArgs(max_batch_size=1, max_seq_len=max_seq_len, **params)
    model = mod.Transformer(args)
    weights = {k: v.float() for k, v in sd.items()}
    if "output.weight" not in weights:
        weights["output.weight"] = weights["tok_embeddings.weight"]
    model.load_state_dict(weights, strict=True)
    return model.eval()


def meta_logits(sd: dict, params: dict, tokens: torch.Tensor, scale_factor: float) -> torch.Tensor:
    """Logits [b, s, v] of Meta's reference on tokens [b, s] (one forward from position 0)."""
    model = meta_reference_model(sd, params, scale_factor, max_seq_len=tokens.shape[1])
    with torch.inference_mode():
        return model(tokens, start_pos=0)
