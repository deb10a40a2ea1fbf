"""Weights prepacked for the CPU's matrix library (oneDNN), so that a decode step's matrix-vector products use
both cores and the memory bandwidth.

``F.linear(x, w)`` on the CPU hands a float32 weight to MKL and a bfloat16 one to oneDNN. On a decode step (one
row of x) both leave bandwidth unused: MKL's float32 matrix-vector product runs on one thread (and, on AMD CPUs,
in its generic code path), and oneDNN rearranges a bf16 weight into the blocked layout its kernel reads on every
call. Prepacking does that rearrangement once, when the model is loaded: ``mkldnn._reorder_linear_weight``
returns the weight in oneDNN's own layout (an opaque tensor), and ``mkldnn._linear_pointwise`` multiplies by it.
These are the two ops torch.compile's CPU backend puts in place of a linear layer when it freezes a model.

The packed tensor is the only copy of the weight: it is not a plain tensor any more (no indexing, no state
dict), which is why prepacking is a choice (``load_model(..., prepack=True)``), not the default. The tied
embedding/output matrix stays plain: the embedding lookup needs its rows.
"""

from __future__ import annotations

import torch
from torch import nn

from .quantize import BLOCK_MATRICES

PREPACK_DTYPES = (torch.float32, torch.bfloat16)


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
    calls ``mkldnn._linear_pointwise``. Anything else is an error: the packed layout is opaque.
    """

    def __init__(self, weight: torch.Tensor):
        self.packed = torch.ops.mkldnn._reorder_linear_weight(weight.detach(), 1)  # laid out for one input row
        self.shape, self.dtype, self.device = weight.shape, weight.dtype, weight.device
        self.nbytes = weight.numel() * weight.element_size()

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func is torch.nn.functional.linear:
            x, w = kwargs.pop("input", args[0]), kwargs.pop("weight", args[1] if len(args) > 1 else None)
            if (args[2:] + tuple(kwargs.values())) not in ((), (None,)):
                raise TypeError("a prepacked weight supports F.linear without a bias only")
            return torch.ops.mkldnn._linear_pointwise(x, w.packed, None, "none", [], "")
        raise TypeError(f"{getattr(func, '__name__', func)} does not take a prepacked (oneDNN) weight, only "
                        "F.linear does; load the model without prepack=True to work with the weights")


def prepack_model(model: nn.Module, done=None) -> nn.Module:
    """Replace the weight of every block's seven linear layers (and of an untied output layer) by a PackedWeight,
    in place; returns the model. ``done(weight)``, when given, is called with each plain weight once packed
    (load_model hands its pages of the checkpoint file back)."""
    check_prepack(model.device, model.dtype)
    layers = [block.get_submodule(spec.meta.removesuffix(".weight")) for block in model.layers
              for spec in BLOCK_MATRICES]
    if not model.is_tied:
        layers.append(model.output)
    for layer in layers:
        weight = layer.weight
        packed = PackedWeight(weight)
        del layer.weight  # the Parameter: the packed tensor is now the only copy
        layer.weight = packed
        if done is not None:
            done(weight)
    return model
