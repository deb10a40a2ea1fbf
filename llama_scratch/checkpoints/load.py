"""load_model: a checkpoint directory -> a Llama on a device, in a dtype, converting one tensor at a time."""

from __future__ import annotations

import ctypes
import functools
import mmap
import sys

import torch

from ..core.format import EMBEDDING, OUTPUT, is_tied
from ..core.model import Llama
from ..core.prepack import check_prepack, prepack_model
from ..core.quantize import check_quantize, int8_state_keys, quantize_int8, quantize_model, quantized_keys
from .read import open_checkpoint

QUANTIZE_CHUNK_BYTES = 2**24  # quantize_int8 works on 16 MiB of float32 rows at a time, in one buffer

DTYPES = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
          "float16": torch.float16, "fp16": torch.float16}


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


def load_model(checkpoint_dir, *, device="cpu", dtype=torch.float32, quantize=None, prepack=False,
               **config_overrides) -> Llama:
    """Load a Llama from Meta's original/ directory. ``model.config`` is the ModelConfig.

    Each stored tensor is converted once to ``dtype`` on ``device``, one at a time from the memory-mapped file, and
    its pages of the file are released right after (peak memory ~ the converted model plus one stored tensor).
    When the output is tied (format.is_tied) the output projection *is* the embedding matrix, not a copy.
    ``quantize="int8"`` (CPU, dtype=bfloat16): the linear layers and the output matrix are quantized to int8 as
    they are read (core.quantize), so the float matrices never all exist at once. ``prepack=True`` (CPU, float32
    or bfloat16): the matrices are laid out once for oneDNN's matrix-vector kernel (core.prepack); a tied output
    gets a packed copy, and the embedding's rows stay as stored in the file (converted when looked up).
    ``config_overrides`` go to load_config (e.g. rope_scaling_factor=8.0, max_seq_len=8192).
    """
    dev, dtype = resolve_device(device), resolve_dtype(dtype)
    check_quantize(quantize, dev, dtype)
    if prepack:
        if quantize:
            raise ValueError("prepack=True and quantize='int8' exclude each other: int8 weights use their own kernel")
        check_prepack(dev, dtype)
    config, sd = open_checkpoint(checkpoint_dir, **config_overrides)
    tied = is_tied(sd)
    if tied:
        sd.pop(OUTPUT.meta, None)  # convert the shared matrix once, as tok_embeddings.weight
    with torch.device("meta"):
        model = Llama(config)
        if quantize:
            quantize_model(model.to(dtype), tied=tied)  # empty int8 modules, filled below
    to_int8 = set(quantized_keys(config.n_layers, tied)) if quantize else set()
    scratch = torch.empty(QUANTIZE_CHUNK_BYTES // 4, device=dev) if quantize else None  # one for all matrices
    as_stored = {EMBEDDING.meta} if prepack else set()  # its rows stay as stored: prepack.StoredRows
    converted, mapped = {}, set()  # mapped: storages that are the file's pages (not copied)
    for key in list(sd):
        stored = sd.pop(key)
        if key in to_int8:  # [o, i] -> int8 [o, i] and scales [o], under the module's buffer names
            q_and_scale = quantize_int8(stored.to(dev), dtype, QUANTIZE_CHUNK_BYTES, release_mapped_pages, scratch)
            converted.update(zip(int8_state_keys(key), q_and_scale))
            continue
        converted[key] = stored.to(device=dev, dtype=stored.dtype if key in as_stored else dtype)  # one at a time
        if converted[key].data_ptr() != stored.data_ptr():  # a copy was made: the file's pages are not needed
            release_mapped_pages(stored)
        else:
            mapped.add(stored.untyped_storage().data_ptr())
    del sd, stored  # drops our references to the memory map
    if tied:
        for ours, out in zip(int8_state_keys(EMBEDDING.meta), int8_state_keys(OUTPUT.meta)) if quantize else \
                [(EMBEDDING.meta, OUTPUT.meta)]:
            converted[out] = converted[ours]
    model.load_state_dict(converted, strict=True, assign=True)
    del converted  # the model holds the tensors now: prepacking below frees each plain one as it goes
    if tied and not quantize:
        model.tie_weights()
    model.reset_rope(dev)  # built on the meta device above: make the RoPE frequencies real
    model.requires_grad_(False).eval()
    if prepack:  # a packed matrix is a copy: the file's pages of a zero-copy one go back
        def release(w):
            if w.untyped_storage().data_ptr() in mapped:
                release_mapped_pages(w)
        prepack_model(model, done=release, release=release)
    return model


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
