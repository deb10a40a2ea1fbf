"""The two reference implementations our numbers are checked against.

- Meta's own llama_models/llama3/model.py (from the llama-models package), with fairscale stubbed and its RoPE
  scale factor patched from the hard-coded 8 to the given one (32 for Llama 3.2 1B/3B).
- Hugging Face transformers' LlamaForCausalLM, built by llama_scratch.hf.
"""

from __future__ import annotations

import functools
import importlib.util
import types

import torch

from _fairscale_stub import install as _install_fairscale_stub


@functools.lru_cache(maxsize=None)
def meta_model_module(scale_factor: float):
    """A fresh copy of Meta's llama3/model.py whose apply_scaling uses scale_factor instead of its hard-coded 8."""
    _install_fairscale_stub()
    origin = importlib.util.find_spec("llama_models.llama3.model").origin
    src = open(origin, encoding="utf-8").read()
    hard_coded = "    scale_factor = 8\n"
    if src.count(hard_coded) != 1:
        raise RuntimeError(f"{origin} no longer hard-codes 'scale_factor = 8'; update tests/peers.py")
    src = src.replace(hard_coded, f"    scale_factor = {float(scale_factor)!r}\n")
    mod = types.ModuleType(f"llama_models.llama3.model_factor_{scale_factor:g}")
    mod.__package__ = "llama_models.llama3"  # so its relative import of .args works
    mod.__file__ = origin
    exec(compile(src, origin, "exec"), mod.__dict__)
    return mod


def meta_reference_model(sd: dict, params: dict, scale_factor: float, max_seq_len: int):
    """Meta's Transformer in float32 on CPU, holding the weights of a Meta state dict."""
    mod = meta_model_module(scale_factor)
    from llama_models.llama3.args import ModelArgs

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
