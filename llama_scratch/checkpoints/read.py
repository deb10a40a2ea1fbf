"""Reading Meta's original/ checkpoint: params.json, consolidated.00.pth, tokenizer.model, checked against each other.

open_checkpoint is the one place that opens and validates a checkpoint's weights; loading, verifying, the download
and the benchmark's Hugging Face copy all go through it. Every problem raises one CheckpointError (a ValueError) that
names the file or value and says how to fix it. Nothing here ever writes into a checkpoint directory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import torch

from ..core.config import ModelConfig, load_config
from ..core.errors import CheckpointError
from ..core.format import OUTPUT, expected_shapes
from ..core.tokenizer import Tokenizer

WEIGHTS_FILE = "consolidated.00.pth"
CHECKPOINT_FILES = ("consolidated.00.pth", "params.json", "tokenizer.model")
PLACE_BY_HAND = ("put consolidated.00.pth, params.json and tokenizer.model from the model's original/ folder "
                 "into one directory (e.g. weights/Llama-3.2-1B-Instruct/original/)")


def check_checkpoint_dir(checkpoint_dir, need=CHECKPOINT_FILES) -> Path:
    """Check that a directory holds Meta's original/ files; return it as a Path. Raises CheckpointError."""
    path = Path(checkpoint_dir).expanduser()
    if not path.exists():
        raise CheckpointError(f"checkpoint directory {path} does not exist. Download the weights with "
                              f"'python -m llama_scratch download', or {PLACE_BY_HAND}.")
    if not path.is_dir():
        raise CheckpointError(f"{path} is a file, not a directory: give the directory that holds "
                              f"{', '.join(CHECKPOINT_FILES)}.")
    missing = [name for name in need if not (path / name).is_file()]
    if not missing:
        return path
    if (path / "config.json").is_file() or any(path.glob("*.safetensors")):
        hint = f"{path / 'original'}" if (path / "original").is_dir() else "its original/ subfolder"
        raise CheckpointError(f"{path} is a Hugging Face-format directory (config.json, model.safetensors); this "
                              f"project reads Meta's original format: point to {hint}, which holds "
                              f"{', '.join(CHECKPOINT_FILES)}.")
    if (path / "original").is_dir():
        raise CheckpointError(f"{path} has no {missing[0]}: point to {path / 'original'} instead.")
    raise CheckpointError(f"{path} is missing {', '.join(missing)}. A Meta checkpoint directory holds "
                          f"{', '.join(CHECKPOINT_FILES)}; re-download, or {PLACE_BY_HAND}.")


def read_state_dict(path) -> dict[str, torch.Tensor]:
    """torch.load consolidated.00.pth lazily (mmap: tensors are read from disk only when touched)."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"{path} is not a PyTorch checkpoint (not a zip archive; a truncated download or a "
                              "different file). Delete it and download it again.")
    try:
        sd = torch.load(path, map_location="cpu", mmap=True, weights_only=True)
    except Exception as e:  # truncated zip members, unpickling errors, ...
        raise CheckpointError(f"{path} could not be read ({type(e).__name__}: {str(e).splitlines()[0][:200]}); "
                              "it is probably truncated or corrupt. Delete it and download it again.") from None
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise CheckpointError(f"{path} does not hold a dict of tensors (a Meta state dict); download it again.")
    return sd


def check_state_dict(sd: dict, config: ModelConfig, source: str = WEIGHTS_FILE) -> None:
    """Every key and shape must match params.json; output.weight may be absent (tied). Names the first mismatch."""
    shapes = expected_shapes(config, include_output=OUTPUT.meta in sd)
    for key, shape in shapes.items():
        if key not in sd:
            raise CheckpointError(f"{source}: tensor {key!r} is missing (params.json implies {config.n_layers} "
                                  "layers). The weights and params.json belong to different models; re-download.")
        if tuple(sd[key].shape) != shape:
            raise CheckpointError(f"{source}: tensor {key!r} has shape {tuple(sd[key].shape)} but params.json "
                                  f"implies {shape}. The weights and params.json belong to different models; "
                                  "re-download both from the same original/ folder.")
        if not sd[key].is_floating_point():
            raise CheckpointError(f"{source}: tensor {key!r} has dtype {sd[key].dtype}, expected a float type "
                                  "(Meta stores bfloat16); this file is not Meta's checkpoint, download it again.")
    extra = [k for k in sd if k not in shapes]
    if extra:
        raise CheckpointError(f"{source}: unexpected tensor {extra[0]!r} ({len(extra)} unexpected in all); this is "
                              "not a Llama 3 checkpoint in Meta's format (Hugging Face's names start with 'model.'): "
                              "use the files of the model's original/ folder.")


def open_checkpoint(checkpoint_dir, **config_overrides) -> tuple[ModelConfig, dict[str, torch.Tensor]]:
    """The config and the memory-mapped state dict of a checkpoint directory, checked against each other.

    params.json parses with the expected keys and types, and every tensor's key and shape in consolidated.00.pth is
    what it implies (only the archive's index is read). ``config_overrides`` go to load_config.
    """
    path = check_checkpoint_dir(checkpoint_dir, need=("params.json", WEIGHTS_FILE))
    config = load_config(path, **config_overrides)
    sd = read_state_dict(path / WEIGHTS_FILE)
    check_state_dict(sd, config, str(path / WEIGHTS_FILE))
    return config, sd


def verify_checkpoint(checkpoint_dir) -> ModelConfig:
    """Check a complete original/ directory without loading the weights into memory; return its ModelConfig.

    open_checkpoint, and tokenizer.model holds 128,000 BPE ranks. Raises CheckpointError naming the first problem.
    """
    path = check_checkpoint_dir(checkpoint_dir)
    config, _ = open_checkpoint(path)
    Tokenizer(path / "tokenizer.model")
    return config


def load_tokenizer(checkpoint_dir) -> Tokenizer:
    """The Tokenizer of a checkpoint directory (its tokenizer.model)."""
    path = check_checkpoint_dir(checkpoint_dir, need=("tokenizer.model",))
    return Tokenizer(path / "tokenizer.model")
