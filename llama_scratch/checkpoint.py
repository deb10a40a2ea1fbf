"""Reading Meta's original/ checkpoint: params.json, consolidated.00.pth, tokenizer.model.

Every problem raises one CheckpointError (a ValueError) that names the file or value and says how to fix it.
Nothing here ever writes into a checkpoint directory.
"""

from __future__ import annotations

import ctypes
import functools
import mmap
import os
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

from .config import ModelConfig, load_config
from .errors import CheckpointError
from .layers import BLOCK_KEYS, rope_frequencies
from .model import Llama
from .tokenizer import Tokenizer

WEIGHTS_FILE = "consolidated.00.pth"
CHECKPOINT_FILES = ("consolidated.00.pth", "params.json", "tokenizer.model")
DTYPES = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
          "float16": torch.float16, "fp16": torch.float16}
PLACE_BY_HAND = ("put consolidated.00.pth, params.json and tokenizer.model from the model's original/ folder "
                 "into one directory (e.g. weights/Llama-3.2-1B-Instruct/original/)")


def expected_shapes(config: ModelConfig, include_output: bool = True) -> dict[str, tuple[int, ...]]:
    """Every tensor of a Meta checkpoint with its shape, in Meta's key order, as implied by params.json."""
    d, e, f = config.dim, config.head_dim, config.ffn_hidden_dim
    block = {
        "attention.wq.weight": (config.n_heads * e, d),
        "attention.wk.weight": (config.n_kv_heads * e, d),
        "attention.wv.weight": (config.n_kv_heads * e, d),
        "attention.wo.weight": (d, config.n_heads * e),
        "feed_forward.w1.weight": (f, d),
        "feed_forward.w2.weight": (d, f),
        "feed_forward.w3.weight": (f, d),
        "attention_norm.weight": (d,),
        "ffn_norm.weight": (d,),
    }
    assert set(block) == set(BLOCK_KEYS.values())
    shapes = {"tok_embeddings.weight": (config.vocab_size, d)}
    for i in range(config.n_layers):
        shapes.update({f"layers.{i}.{k}": s for k, s in block.items()})
    shapes["norm.weight"] = (d,)
    if include_output:
        shapes["output.weight"] = (config.vocab_size, d)
    return shapes


def count_parameters(config: ModelConfig, tied: bool = True) -> int:
    """Number of parameters, counting a tied output matrix once (1,235,814,400 for Llama-3.2-1B)."""
    return sum(torch.Size(s).numel() for s in expected_shapes(config, include_output=not tied).values())


def resolve_device(device) -> torch.device:
    """torch.device from "cpu" / "cuda" / "cuda:1" / "mps", with a clear error when that device is not there."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"unknown device {device!r}; use 'cpu', 'cuda' or 'mps'") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} but PyTorch sees no CUDA GPU (torch.cuda.is_available() is False); "
                         "use device='cpu', or install a CUDA build of torch on a machine with an NVIDIA GPU")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(f"device={device!r} but only {torch.cuda.device_count()} CUDA device(s) exist")
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device={device!r} but Apple MPS is not available here; use device='cpu'")
    return dev


def resolve_dtype(dtype) -> torch.dtype:
    """torch.dtype from a dtype or a name ("float32", "bfloat16", "float16")."""
    if isinstance(dtype, torch.dtype) and dtype in DTYPES.values():
        return dtype
    if isinstance(dtype, str) and dtype in DTYPES:
        return DTYPES[dtype]
    raise ValueError(f"unsupported dtype {dtype!r}; use float32, bfloat16 or float16")


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
    shapes = expected_shapes(config, include_output="output.weight" in sd)
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


def load_model(checkpoint_dir, *, device="cpu", dtype=torch.float32, **config_overrides) -> Llama:
    """Load a Llama from Meta's original/ directory. ``model.config`` is the ModelConfig.

    Each stored tensor is converted once to ``dtype`` on ``device``, one at a time from the memory-mapped file, and
    its pages of the file are released right after (peak memory ~ the converted model plus one stored tensor).
    When output.weight is absent, or stored as the same tensor as tok_embeddings.weight, the output projection
    *is* the embedding matrix (tied), not a copy.
    ``config_overrides`` go to load_config (e.g. rope_scaling_factor=8.0, max_seq_len=8192).
    """
    dev, dtype = resolve_device(device), resolve_dtype(dtype)
    path = check_checkpoint_dir(checkpoint_dir, need=("params.json", WEIGHTS_FILE))
    config = load_config(path, **config_overrides)
    sd = read_state_dict(path / WEIGHTS_FILE)
    check_state_dict(sd, config, str(path / WEIGHTS_FILE))
    tied = "output.weight" not in sd or _same_tensor(sd["output.weight"], sd["tok_embeddings.weight"])
    if tied:
        sd.pop("output.weight", None)  # convert the shared matrix once, as tok_embeddings.weight
    with torch.device("meta"):
        model = Llama(config)
    converted = {}
    for key in list(sd):
        stored = sd.pop(key)
        converted[key] = stored.to(device=dev, dtype=dtype)  # one tensor at a time
        if converted[key].data_ptr() != stored.data_ptr():  # a copy was made: the file's pages are not needed
            release_mapped_pages(stored)
    del sd, stored  # drops our references to the memory map
    if tied:
        converted["output.weight"] = converted["tok_embeddings.weight"]
    model.load_state_dict(converted, strict=True, assign=True)
    if tied:
        model.tie_weights()
    model._inv_freq = rope_frequencies(config).to(dev)  # built on the meta device above: make it real
    return model.requires_grad_(False).eval()


_MADV_DONTNEED = 4  # the same value on Linux and macOS


def release_mapped_pages(t: torch.Tensor) -> None:
    """Drop the pages of a tensor read through read_state_dict's memory map from this process's resident memory.

    Only for tensors of read_state_dict (a private *file* mapping that is never written): on ordinary memory,
    dropped pages read back as zeros. Reading a tensor from the map brings its pages of the file into our resident
    set, and they stay there until the map is closed: converting 2.47 GB of bf16 to fp32 would peak at
    fp32 + bf16 (7.7 GB at 1B) instead of 5.3 GB. madvise(MADV_DONTNEED) drops them now (the mapping stays; a later
    read fetches a page from the file again). Only whole pages inside a contiguous tensor are released. Linux
    only: a no-op elsewhere (on macOS MADV_DONTNEED is a mere hint, and untested here).
    """
    if sys.platform != "linux" or t.device.type != "cpu" or t.numel() == 0 or not t.is_contiguous():
        return
    start, end = t.data_ptr(), t.data_ptr() + t.numel() * t.element_size()
    page = mmap.PAGESIZE
    first, last = -(-start // page) * page, end // page * page  # whole pages inside [start, end)
    if last > first:
        _libc().madvise(first, last - first, _MADV_DONTNEED)  # a failure only costs memory, never data


@functools.cache
def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    return libc


def _same_tensor(a: torch.Tensor, b: torch.Tensor) -> bool:
    return (a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
            and a.storage_offset() == b.storage_offset() and a.shape == b.shape and a.stride() == b.stride())


def verify_checkpoint(checkpoint_dir) -> ModelConfig:
    """Check a complete original/ directory without loading the weights into memory; return its ModelConfig.

    params.json parses with the expected keys and types; every tensor's key and shape in consolidated.00.pth matches
    what params.json implies (read through mmap: only the archive's index is touched); tokenizer.model holds 128,000
    BPE ranks. Raises CheckpointError naming the first problem.
    """
    path = check_checkpoint_dir(checkpoint_dir)
    config = load_config(path)
    sd = read_state_dict(path / WEIGHTS_FILE)
    check_state_dict(sd, config, str(path / WEIGHTS_FILE))
    del sd
    Tokenizer(path / "tokenizer.model")
    return config


def load_tokenizer(checkpoint_dir) -> Tokenizer:
    """The Tokenizer of a checkpoint directory (its tokenizer.model)."""
    path = check_checkpoint_dir(checkpoint_dir, need=("tokenizer.model",))
    return Tokenizer(path / "tokenizer.model")


# --- Finding a checkpoint for notebooks and scripts -----------------------------------------------------------
ENV_CHECKPOINT = "LLAMA_SCRATCH_CHECKPOINT"
REAL_CHECKPOINTS = ("Llama-3.2-1B-Instruct/original", "Llama-3.2-1B/original")
DEMO_MARKER = "demo_checkpoint.json"  # written beside the three files of a generated (random) checkpoint


def project_root() -> Path:
    """The repository root (the folder holding pyproject.toml) for an editable install, else the working directory."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def weights_dir() -> Path:
    """Where checkpoints live: $LLAMA_SCRATCH_WEIGHTS or <project>/weights."""
    return Path(os.environ.get("LLAMA_SCRATCH_WEIGHTS") or project_root() / "weights")


@dataclass(frozen=True)
class CheckpointInfo:
    """A checkpoint directory found by find_checkpoint, and what it is."""

    path: Path
    is_demo: bool  # random weights generated by make_demo_checkpoint: their text is noise
    source: str  # how it was found

    @property
    def is_instruct(self) -> bool:
        return "instruct" in str(self.path).lower() or self.is_demo

    def banner(self) -> str:
        """A loud, human-readable statement of which weights are in use."""
        if self.is_demo:
            return ("=" * 78 + f"\n  DEMO CHECKPOINT — RANDOM WEIGHTS ({self.path})\n"
                    "  Same format and code path as Meta's Llama-3.2-1B, but the weights are random: every\n"
                    "  generated text below is noise. For the real model run `make weights` (see README).\n"
                    + "=" * 78)
        return "=" * 78 + f"\n  REAL WEIGHTS: {self.path}  (found via {self.source})\n" + "=" * 78


def is_demo_checkpoint(path) -> bool:
    return (Path(path) / DEMO_MARKER).is_file()


def checkpoint_from_arg(checkpoint_dir=None, source: str = "--checkpoint") -> CheckpointInfo:
    """A command's --checkpoint DIR when given (checked, not announced), else find_checkpoint() without a banner."""
    if not checkpoint_dir:
        return find_checkpoint(announce=False)
    path = check_checkpoint_dir(checkpoint_dir)
    return CheckpointInfo(path, is_demo_checkpoint(path), source)


def find_checkpoint(demo_size: str = "tiny", announce: bool = True) -> CheckpointInfo:
    """$LLAMA_SCRATCH_CHECKPOINT, else weights/Llama-3.2-1B-Instruct/original, else weights/Llama-3.2-1B/original,
    else the demo checkpoint of ``demo_size`` (generated once under weights/). Prints a banner when announce.

    A relative $LLAMA_SCRATCH_CHECKPOINT is taken from the working directory, or else from the repository root
    (so ``LLAMA_SCRATCH_CHECKPOINT=weights/demo-1b/original make run`` works although kernels run in notebooks/).
    """
    env = os.environ.get(ENV_CHECKPOINT)
    if env:
        path = Path(env).expanduser()
        if not path.is_absolute() and not path.exists():
            if not (project_root() / path).exists():
                raise CheckpointError(f"${ENV_CHECKPOINT}={env}: neither {Path.cwd() / path} nor "
                                      f"{project_root() / path} exists. Point it at the folder holding "
                                      f"{', '.join(CHECKPOINT_FILES)} (an absolute path is safest).")
            path = project_root() / path  # relative to the repository: notebooks run with notebooks/ as cwd
        path = check_checkpoint_dir(path)
        info = CheckpointInfo(path, is_demo_checkpoint(path), f"${ENV_CHECKPOINT}")
    else:
        for rel in REAL_CHECKPOINTS:
            path = weights_dir() / rel
            if all((path / name).is_file() for name in CHECKPOINT_FILES):
                info = CheckpointInfo(path, is_demo_checkpoint(path), f"weights/{rel}")
                break
        else:
            from .demo import ensure_demo_checkpoint

            path = ensure_demo_checkpoint(demo_size)
            info = CheckpointInfo(path, True, "no real weights found: generated demo checkpoint")
    if announce:
        print(info.banner())
    return info
