"""Weights prepacked for the CPU's matrix library (oneDNN), so that a decode step's matrix-vector products use
both cores and the memory bandwidth.

``F.linear(x, w)`` on the CPU hands a float32 weight to MKL and a bfloat16 one to oneDNN. On a decode step (one
row of x) both leave bandwidth unused: MKL's float32 matrix-vector product runs on one thread (and, on AMD CPUs,
in its generic code path), and oneDNN rearranges a bf16 weight into the blocked layout its kernel reads on every
call. Prepacking does that rearrangement once, when the model is loaded: ``mkldnn._reorder_linear_weight``
returns the weight in oneDNN's own layout (an opaque tensor), and ``mkldnn._linear_pointwise`` multiplies by it.
These are the two ops torch.compile's CPU backend puts in place of a linear layer when it freezes a model.

The packed tensor is the only copy of a block's weight: it is not a plain tensor any more (no indexing, no state
dict), which is why prepacking is a choice (``load_model(..., prepack=True)``), not the default. A tied
embedding/output matrix (1B, 3B) is both: the lookup needs plain rows and the output projection, a fifth of the
1B's weights, is the largest product of the step. So the output gets a packed copy and the embedding keeps its
plain rows; load_model keeps those rows as stored in the file (memory-mapped, converted row by row when looked up:
StoredRows), so that the model still holds each weight once in memory.
"""

from __future__ import annotations

import torch
from torch import nn

from .quantize import BLOCK_MATRICES

PREPACK_DTYPES = (torch.float32, torch.bfloat16)
LOOKUP_ROWS = 16  # StoredRows gives the file's pages back after this many rows (at most ~32 MiB mapped at once)
# The rows of x oneDNN chooses the layout for. float32: 1 (a decode step; None measured 25 % slower here); bfloat16:
# None, its general layout (measured ~8 % faster than 1 at decode on an AVX512-BF16 CPU, docs/benchmarks.md).
BATCH_HINT = {torch.float32: 1, torch.bfloat16: None}
OUTPUT_PART_ROWS = 8192  # a tied output matrix is packed this many rows at a time (64 MiB in float32 at d = 2048)


def check_prepack(device: torch.device, dtype: torch.dtype) -> None:
    """Raise ValueError unless oneDNN can prepack ``dtype`` weights on ``device`` here."""
    if torch.device(device).type != "cpu":
        raise ValueError(f"prepack=True is for the CPU (oneDNN); on {device} the matmuls need no prepacking")
    if dtype not in PREPACK_DTYPES:
        raise ValueError(f"prepack=True supports float32 and bfloat16 weights, not {dtype}")
    if not torch.backends.mkldnn.is_available():
        raise ValueError("prepack=True needs PyTorch built with oneDNN (torch.backends.mkldnn.is_available())")
    if dtype == torch.bfloat16 and not torch.ops.mkldnn._is_mkldnn_bf16_supported():
        raise ValueError("this CPU has no bf16 support in oneDNN; use prepack=False or float32")


class PackedWeight:
    """A weight [o, i] in oneDNN's blocked layout, accepted by ``F.linear`` where the layers take a weight.

    PyTorch hands ``F.linear(x, w)`` with this object to its ``__torch_function__`` (a "tensor-like" type), which
    calls ``mkldnn._linear_pointwise``. Anything else is an error: the packed layout is opaque. ``dtype``: convert
    to it while packing (default: the weight's). ``part_rows``: pack that many rows at a time, each part on its
    own (their outputs are concatenated), so that a converted copy of the whole matrix never exists; ``done(rows)``
    is called with each part of ``weight`` once packed.
    """

    def __init__(self, weight: torch.Tensor, dtype: torch.dtype | None = None, part_rows: int | None = None,
                 done=None):
        self.shape, self.device = weight.shape, weight.device
        self.dtype = dtype or weight.dtype
        step = part_rows or weight.shape[0]
        self.parts = []
        for start in range(0, weight.shape[0], step):
            rows = weight.detach()[start:start + step]  # [p, i]
            self.parts.append(torch.ops.mkldnn._reorder_linear_weight(rows.to(self.dtype), BATCH_HINT[self.dtype]))
            if done is not None:
                done(rows)
        self.nbytes = weight.numel() * self.dtype.itemsize

    def linear(self, x: torch.Tensor) -> torch.Tensor:
        """x [..., i] -> [..., o]."""
        outs = [torch.ops.mkldnn._linear_pointwise(x, part, None, "none", [], "") for part in self.parts]
        return outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func is torch.nn.functional.linear:
            x, w = kwargs.pop("input", args[0]), kwargs.pop("weight", args[1] if len(args) > 1 else None)
            if (args[2:] + tuple(kwargs.values())) not in ((), (None,)):
                raise TypeError("a prepacked weight supports F.linear without a bias only")
            return w.linear(x)
        raise TypeError(f"{getattr(func, '__name__', func)} does not take a prepacked (oneDNN) weight, only "
                        "F.linear does; load the model without prepack=True to work with the weights")


class StoredRows:
    """An embedding matrix [v, d] kept as stored (load_model: the checkpoint file's memory-mapped bf16 pages),
    whose rows ``F.embedding`` reads and converts to ``dtype`` when they are looked up: the same vectors as
    converting the matrix first, without a converted copy. ``release(table)``, when given, is called after every
    LOOKUP_ROWS rows looked up: load_model passes release_mapped_pages, so the file's pages a lookup brings in (the
    kernel maps whole blocks of the file at a time, up to 2 MiB per row) never pile up in the process's memory, not
    even during a long prompt's lookup. Anything but F.embedding is an error."""

    def __init__(self, table: torch.Tensor, dtype: torch.dtype, release=None):
        self.table, self.dtype, self.release = table, dtype, release
        self.shape, self.device = table.shape, table.device
        self.nbytes = table.numel() * table.element_size()

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.nn.functional.embedding and len(args) == 2 and kwargs.get("max_norm") is None \
                and kwargs.get("padding_idx") is None:  # F.embedding passes its defaults as kwargs
            tokens, rows = args
            if rows.release is None:
                return torch.nn.functional.embedding(tokens, rows.table).to(rows.dtype)  # [b, s, d]
            out = torch.empty(*tokens.shape, rows.shape[1], dtype=rows.dtype, device=rows.device)  # [b, s, d]
            flat = out.view(-1, rows.shape[1])  # [b*s, d]
            for ids, dest in zip(tokens.reshape(-1).split(LOOKUP_ROWS), flat.split(LOOKUP_ROWS)):
                dest.copy_(rows.table[ids])  # [n, d]: LOOKUP_ROWS rows at most, then their pages go back
                rows.release(rows.table)
            return out
        raise TypeError(f"{getattr(func, '__name__', func)} does not take the rows of a prepacked model's "
                        "embedding (only F.embedding does); load the model without prepack=True to use the matrix")


def prepack_model(model: nn.Module, done=None, release=None) -> nn.Module:
    """Replace the weight of every block's seven linear layers and of the output layer by a PackedWeight, in place;
    returns the model. A tied output gets a packed copy, built OUTPUT_PART_ROWS rows at a time, and the embedding
    becomes StoredRows over the matrix as it is (load_model leaves it as stored in the file). ``done(weight)``, when
    given, is called with each plain weight (or part of one) once packed, ``release`` after each lookup (load_model
    hands the checkpoint file's pages back with both)."""
    dtype = model.dtype
    check_prepack(model.device, dtype)
    layers = [block.get_submodule(spec.meta.removesuffix(".weight")) for block in model.layers
              for spec in BLOCK_MATRICES]
    for layer in layers:
        weight = layer.weight
        del layer.weight  # the Parameter: the packed tensor is now the only copy
        layer.weight = PackedWeight(weight, done=done)
    table = model.tok_embeddings.weight  # [v, d]
    output = model.output.weight  # [v, d]: the table itself when tied
    del model.output.weight
    model.output.weight = PackedWeight(output, dtype, OUTPUT_PART_ROWS, done)
    del model.tok_embeddings.weight
    model.tok_embeddings.weight = StoredRows(table, dtype, release)
    return model
