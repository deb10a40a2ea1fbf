"""Demo checkpoints: random weights in exactly Meta's original/ format, for running everything offline.

The files are byte-for-byte the same kind as Meta's: consolidated.00.pth (a torch.save'd dict of bf16 tensors under
Meta's key names), params.json (Meta's keys only) and Meta's real tokenizer.model (copied from the llama-models
package). One extra file, demo_checkpoint.json, marks the directory as random so banners can say so.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
from pathlib import Path

import torch

from ..core.config import config_from_params
from ..core.errors import CheckpointError
from ..core.format import EMBEDDING, OUTPUT, expected_shapes
from .models import LLAMA_3_2_1B_PARAMS
from .paths import weights_dir
from .read import WEIGHTS_FILE

DEMO_MARKER = "demo_checkpoint.json"  # written beside the three files of a generated (random) checkpoint
DEMO_PARAMS = {
    # Small enough for CI (~17M parameters, 33 MB), with every feature of the real one: GQA (8 query heads on
    # 2 kv heads), scaled RoPE with all three frequency bands (head_dim 16), the real vocabulary and tokenizer.
    "tiny": {**LLAMA_3_2_1B_PARAMS, "dim": 128, "n_layers": 4, "n_heads": 8, "n_kv_heads": 2, "multiple_of": 64},
    # The real shapes: 1,235,814,400 parameters, 2.47 GB in bf16.
    "1b": dict(LLAMA_3_2_1B_PARAMS),
}


def is_demo_checkpoint(path) -> bool:
    """True when ``path`` holds a generated checkpoint (random weights), by its demo_checkpoint.json."""
    return (Path(path) / DEMO_MARKER).is_file()


def meta_tokenizer_path() -> Path:
    """Meta's tokenizer.model as shipped in the llama-models package (llama_models/llama3/tokenizer.model)."""
    spec = importlib.util.find_spec("llama_models")
    if spec is None or not spec.submodule_search_locations:
        raise CheckpointError("the demo checkpoint copies Meta's tokenizer.model from the 'llama-models' package, "
                              "which is not installed: pip install llama-models==0.3.0")
    path = Path(list(spec.submodule_search_locations)[0]) / "llama3" / "tokenizer.model"
    if not path.is_file():
        raise CheckpointError(f"{path} not found: reinstall llama-models (pip install llama-models==0.3.0)")
    return path


def random_state_dict(params: dict, seed: int = 0, tie_output: bool = True) -> dict[str, torch.Tensor]:
    """Random bf16 tensors with the keys and shapes params.json implies.

    Linear weights ~ N(0, 1/fan_in) (so attention scores and activations have a sensible scale), embeddings
    ~ N(0, 0.02^2), norm weights ~ U(0.5, 1.5) (not all ones, so forgetting a norm weight changes the output).
    With tie_output=False an independent output.weight is stored; otherwise none (tied, as in Llama 3.2 1B).
    """
    config = config_from_params(params)
    gen = torch.Generator().manual_seed(seed)
    sd = {}
    for key, shape in expected_shapes(config, include_output=not tie_output).items():
        if len(shape) == 1:  # a norm weight
            t = torch.rand(shape, generator=gen) + 0.5
        elif key in (EMBEDDING.meta, OUTPUT.meta):
            t = torch.randn(shape, generator=gen) * 0.02
        else:
            t = torch.randn(shape, generator=gen) / math.sqrt(shape[1])
        sd[key] = t.to(torch.bfloat16)
    return sd


def make_demo_checkpoint(out_dir, size: str = "tiny", seed: int = 0, *, params: dict | None = None,
                         tie_output: bool = True) -> Path:
    """Write a random checkpoint in Meta's format to out_dir; return out_dir.

    size: "tiny" (CI-sized, real vocabulary) or "1b" (the real Llama-3.2-1B shapes). ``params`` replaces the
    params.json of ``size`` entirely (tests use it for MHA, MQA and unscaled-RoPE variants). Each file is written
    under a temporary name and renamed when complete. Refuses to write over a checkpoint that is not a demo one.
    """
    if params is None:
        if size not in DEMO_PARAMS:
            raise ValueError(f"unknown demo size {size!r}; choose one of {sorted(DEMO_PARAMS)}")
        params = DEMO_PARAMS[size]
    out = Path(out_dir)
    if (out / WEIGHTS_FILE).exists() and not is_demo_checkpoint(out):
        raise CheckpointError(f"{out} already holds a checkpoint that is not a demo one; refusing to overwrite it. "
                              "Choose another directory.")
    out.mkdir(parents=True, exist_ok=True)
    sd = random_state_dict(params, seed=seed, tie_output=tie_output)

    def write(name, writer):
        tmp = out / f".{name}.partial-{os.getpid()}"
        try:
            writer(tmp)
            os.replace(tmp, out / name)
        finally:
            tmp.unlink(missing_ok=True)

    write(WEIGHTS_FILE, lambda p: torch.save(sd, p))
    write("params.json", lambda p: p.write_text(json.dumps(params, indent=2) + "\n"))
    write("tokenizer.model", lambda p: shutil.copyfile(meta_tokenizer_path(), p))
    marker = {"size": size, "seed": seed, "tie_output": tie_output,
              "note": "RANDOM WEIGHTS generated by llama_scratch.make_demo_checkpoint: any generated text is noise."}
    write(DEMO_MARKER, lambda p: p.write_text(json.dumps(marker, indent=2) + "\n"))  # last: marks it complete
    return out


def demo_checkpoint_dir(size: str = "tiny") -> Path:
    """Where the cached demo checkpoint of ``size`` lives: weights/demo-<size>/original."""
    return weights_dir() / f"demo-{size}" / "original"


def ensure_demo_checkpoint(size: str = "tiny", seed: int = 0) -> Path:
    """The cached demo checkpoint of ``size``, generated on first use (the 1b one takes ~30 s and 2.5 GB)."""
    path = demo_checkpoint_dir(size)
    if not is_demo_checkpoint(path):
        print(f"Generating the {size} demo checkpoint (random weights) in {path} ...", flush=True)
        make_demo_checkpoint(path, size=size, seed=seed)
    return path
