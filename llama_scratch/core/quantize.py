"""int8 weight-only quantization: one int8 per weight plus one scale per output channel, dequantized in the matmul.

Decoding one token reads every weight once, so its speed is bounded by memory bandwidth / bytes of weights
(notebook 09). Storing a weight matrix W [o, i] as int8 numbers q [o, i] and one scale per row s [o] (symmetric:
s = max_i |W[o, i]| / 127, q = round(W / s) in -127..127) halves the bytes of bf16 weights; the matmul computes
y[o] = s[o] * sum_i x[i] q[o, i] with the activations x still in bfloat16. The rounding error of every weight is
at most s/2 (half a step), so |y - x W^T| <= s[o]/2 * sum_i |x[i]| for each output o.

On the CPU the product uses torch's fused kernel ``aten._weight_int8pack_mm`` (int8 weights x bf16 activations,
the scales applied inside, gpt-fast's choice); long inputs (a prompt) and shapes it cannot take dequantize the
matrix to bf16 and use the ordinary matmul. ``Int8Linear`` holds q and s; ``quantize_model`` swaps the linear
layers of a Llama (and the tied embedding/output matrix) for it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .format import BLOCK, EMBEDDING, OUTPUT

QUANTIZE_CHOICES = ("int8",)
INT8_MAX = 127  # symmetric: -127..127, so that -W quantizes to -q (-128 is never used)
ACTIVATION_DTYPE = torch.bfloat16  # the dtype the fused CPU kernel is vectorised for (others: a scalar loop)
KERNEL_MAX_ROWS = 16  # more input rows than this (a prompt): dequantize the matrix once and use the bf16 matmul
KERNEL_K_MULTIPLE = 16  # the kernel reads 16 inputs at a time with no tail loop: other widths give wrong sums
BLOCK_MATRICES = tuple(spec for spec in BLOCK if len(spec.shape) == 2)  # wq wk wv wo w1 w2 w3


def check_quantize(quantize, device: torch.device, dtype: torch.dtype) -> None:
    """Raise ValueError unless ``quantize`` (None or "int8") can run on ``device`` with activations in ``dtype``."""
    if quantize is None:
        return
    if quantize not in QUANTIZE_CHOICES:
        raise ValueError(f"unsupported quantization {quantize!r}; use 'int8' (or None for float weights)")
    if torch.device(device).type != "cpu":
        raise ValueError(f"quantize='int8' runs on the CPU only (torch's int8 x bf16 kernel), not on {device}; "
                         "use device='cpu', or bfloat16 weights without quantize on a GPU")
    if dtype != ACTIVATION_DTYPE:
        raise ValueError(f"quantize='int8' computes with bfloat16 activations, not {dtype}: pass dtype=bfloat16 "
                         "(torch's int8 kernel has only a slow scalar loop for other dtypes)")


def quantize_int8(w: torch.Tensor, scale_dtype: torch.dtype = ACTIVATION_DTYPE, chunk_bytes: int = 2**24,
                  done=None, buffer: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-output-channel symmetric int8.  w [o, i] (any float dtype) -> (q [o, i] int8, scale [o] scale_dtype).

    scale = max |row| / 127, rounded to scale_dtype first and then used as stored, so |w - q * scale| <= scale / 2
    holds for the scale the matmul really multiplies by. Done in float32 on chunks of rows of about chunk_bytes
    (the 128,256-row output matrix never exists in float32 all at once), in ``buffer`` when given (a float32
    tensor of at least chunk_bytes; load_model passes one for the whole model, so that the heap has no holes
    between its int8 matrices). ``done(rows)``, when given, is called with each chunk of w once it is quantized
    (load_model hands the chunk's pages of the file back).
    """
    if w.dim() != 2 or not w.is_floating_point():
        raise ValueError(f"quantize_int8 takes a float matrix [out, in], got {w.dtype} {tuple(w.shape)}")
    q = torch.empty(w.shape, dtype=torch.int8, device=w.device)  # [o, i]
    scale = torch.empty(w.shape[0], dtype=scale_dtype, device=w.device)  # [o]
    step = max(1, min(w.shape[0], chunk_bytes // (4 * w.shape[1])))  # rows per chunk
    if buffer is None or buffer.numel() < step * w.shape[1]:
        buffer = torch.empty(step * w.shape[1], dtype=torch.float32, device=w.device)
    for start in range(0, w.shape[0], step):
        n = min(step, w.shape[0] - start)
        rows = buffer[:n * w.shape[1]].view(n, w.shape[1]).copy_(w[start:start + n])  # [c, i] float32
        amax = torch.maximum(rows.amax(dim=1), -rows.amin(dim=1))  # [c]: max |w| without an |w| copy
        s = (amax / INT8_MAX).to(scale_dtype).clamp(min=torch.finfo(scale_dtype).tiny)  # [c]; all-zero row: q = 0
        q[start:start + step] = rows.div_(s.float()[:, None]).round_().clamp_(-INT8_MAX, INT8_MAX)
        scale[start:start + step] = s
        if done is not None:
            done(w[start:start + step])
    return q, scale


def dequantize_int8(q: torch.Tensor, scale: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
    """q [o, i] int8, scale [o] -> q * scale [o, i] in ``dtype`` (default: the scale's)."""
    dtype = dtype or scale.dtype
    return q.to(dtype) * scale.to(dtype)[:, None]


def int8_linear(x: torch.Tensor, q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """x [..., i] @ (q * scale)^T -> [..., o], in x's dtype (bf16). q [o, i] int8, scale [o] in x's dtype.

    Up to KERNEL_MAX_ROWS rows of x (a decode step): torch's fused kernel, which reads each int8 weight once and
    scales each output. More rows (a prompt), or an input width the kernel cannot take: dequantize the whole
    matrix to x's dtype and use the ordinary matmul (its cost is shared by all the rows).
    """
    x2 = x.reshape(-1, x.shape[-1])  # [m, i]
    if (x2.shape[0] <= KERNEL_MAX_ROWS and x.device.type == "cpu" and x.dtype == scale.dtype
            and q.shape[1] % KERNEL_K_MULTIPLE == 0):
        out = torch.ops.aten._weight_int8pack_mm(x2.contiguous(), q, scale)  # [m, o]
    else:
        out = F.linear(x2, q.to(x.dtype)) * scale.to(x.dtype)  # [m, o]: scaling the outputs = scaling the rows
    return out.view(*x.shape[:-1], q.shape[0])


def int8_embedding(tokens: torch.Tensor, q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Rows ``tokens`` [b, s] of the dequantized matrix q * scale [v, d] -> [b, s, d] in the scale's dtype."""
    return F.embedding(tokens, q).to(scale.dtype) * scale[tokens].unsqueeze(-1)


class Int8Weight:
    """A weight matrix as int8 rows q [o, i] and scales [o], accepted where the layers take a weight tensor.

    layers.py calls ``F.linear(x, w)`` and ``F.embedding(tokens, w)``; PyTorch hands a call that gets this object
    to its ``__torch_function__`` (a "tensor-like" type), which runs int8_linear / int8_embedding. Any other use
    is an error: call ``dequantize()`` for a float tensor.
    """

    def __init__(self, q: torch.Tensor, scale: torch.Tensor):
        self.q, self.scale = q, scale

    shape = property(lambda self: self.q.shape)
    device = property(lambda self: self.q.device)
    dtype = property(lambda self: self.scale.dtype, doc="the dtype of the activations it multiplies")

    def dequantize(self, dtype: torch.dtype | None = None) -> torch.Tensor:
        return dequantize_int8(self.q, self.scale, dtype)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func is F.linear:
            x, w = kwargs.pop("input", args[0]), kwargs.pop("weight", args[1] if len(args) > 1 else None)
            if (args[2:] + tuple(kwargs.values())) not in ((), (None,)):
                raise TypeError("an int8 weight supports F.linear without a bias only")
            return int8_linear(x, w.q, w.scale)
        if func is F.embedding and len(args) == 2 and kwargs.get("max_norm") is None \
                and kwargs.get("padding_idx") is None:  # F.embedding passes its defaults as kwargs
            return int8_embedding(args[0], args[1].q, args[1].scale)
        raise TypeError(f"{getattr(func, '__name__', func)} does not take an int8 weight (only F.linear and "
                        "F.embedding do); use weight.dequantize() for a float tensor")


class Int8Linear(nn.Module):
    """A bias-free linear layer with int8 weights: buffers qweight [o, i] int8 and scale [o] (see quantize_int8).

    ``forward(x)`` is int8_linear; ``weight`` is an Int8Weight, so code that reads ``layer.weight`` and calls
    F.linear or F.embedding with it works unchanged (one module serves as both the tied embedding and output).
    """

    def __init__(self, out_features: int, in_features: int, device=None, scale_dtype=ACTIVATION_DTYPE):
        super().__init__()
        self.register_buffer("qweight", torch.zeros(out_features, in_features, dtype=torch.int8, device=device))
        self.register_buffer("scale", torch.ones(out_features, dtype=scale_dtype, device=device))

    @classmethod
    def from_float(cls, weight: torch.Tensor, scale_dtype=ACTIVATION_DTYPE) -> Int8Linear:
        """Quantize a float weight [o, i] (quantize_int8)."""
        layer = cls(*weight.shape, device=weight.device, scale_dtype=scale_dtype)
        layer.qweight, layer.scale = quantize_int8(weight, scale_dtype)
        return layer

    @property
    def weight(self) -> Int8Weight:
        w = self.__dict__.get("_weight")  # the same object each time while the buffers are the same (``is`` works)
        if w is None or w.q is not self.qweight or w.scale is not self.scale:
            w = self.__dict__["_weight"] = Int8Weight(self.qweight, self.scale)
        return w

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return int8_linear(x, self.qweight, self.scale)

    def extra_repr(self) -> str:
        return f"in_features={self.qweight.shape[1]}, out_features={self.qweight.shape[0]}, int8"


def quantized_keys(n_layers: int, tied: bool) -> list[str]:
    """Meta's keys of the matrices quantize_model quantizes: every block's seven matrices and the output matrix
    (when tied, that is the embedding matrix; an untied embedding stays float: decoding reads one row of it)."""
    keys = [f"layers.{i}.{spec.meta}" for i in range(n_layers) for spec in BLOCK_MATRICES]
    return keys + [EMBEDDING.meta if tied else OUTPUT.meta]


def int8_state_keys(meta_key: str) -> tuple[str, str]:
    """The state-dict keys of a quantized matrix: "output.weight" -> ("output.qweight", "output.scale")."""
    prefix = meta_key.removesuffix("weight")
    return prefix + "qweight", prefix + "scale"


def quantize_model(model: nn.Module, tied: bool | None = None) -> nn.Module:
    """Replace the linear layers of a Llama (and its output matrix) by Int8Linear, in place; returns the model.

    tied (default: model.is_tied): the output matrix is the embedding matrix, so both become one Int8Linear,
    which also serves the embedding lookups (int8_embedding). On the meta device this only builds the modules
    (load_model then fills them from the checkpoint, one tensor at a time).
    """
    if model.dtype != ACTIVATION_DTYPE:
        raise ValueError(f"quantize_model needs a bfloat16 model (its activations stay bf16), got {model.dtype}: "
                         "load it with dtype=torch.bfloat16, or use load_model(..., quantize='int8')")
    tied = model.is_tied if tied is None else tied
    scale_dtype = ACTIVATION_DTYPE
    for block in model.layers:
        for spec in BLOCK_MATRICES:
            *path, name, _ = spec.meta.split(".")  # "attention", "wq", "weight"
            parent = block.get_submodule(".".join(path))
            setattr(parent, name, Int8Linear.from_float(getattr(parent, name).weight, scale_dtype))
    output = Int8Linear.from_float((model.tok_embeddings if tied else model.output).weight, scale_dtype)
    model.output = output
    if tied:
        model.tok_embeddings = output
    return model
