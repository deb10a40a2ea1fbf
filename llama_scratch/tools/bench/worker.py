"""One measurement run in a fresh process, so that peak memories do not mix: of one implementation (ours or HF)
in one dtype (ours also with int8 weights): load time, peak resident memory (and GPU memory on CUDA), prefill time
per prompt length, decode tokens/s and the bytes each decode step reads; or of the memory bandwidth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from ...checkpoints import load_model, resolve_device, resolve_dtype
from ...core import KVCache, generate_stream
from ...core.costs import decode_bytes, kv_bytes_per_position, weight_bytes
from ..memory import peak_rss_bytes, rss_bytes
from .bandwidth import stream_bandwidth
from .ceiling import matmul_ceiling
from .quality import int8_quality


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(spec: dict) -> dict:
    """Measure one implementation once (in a fresh process). spec: impl ("ours", "hf"; "bandwidth" and "quality"
    measure only that), checkpoint, hf_dir, device, dtype, quantize (ours: None or "int8"), prefill, prompt_ids,
    new_tokens, no_cache_tokens (0: not measured), vocab_size. Returns seconds, bytes and the greedy token ids."""
    if spec["impl"] == "bandwidth":
        return {"impl": "bandwidth", **stream_bandwidth(device=spec["device"])}
    if spec["impl"] == "quality":
        return int8_quality(spec["checkpoint"], spec["prompt_ids"], spec["new_tokens"], spec.get("held_out"))
    impl, device, dtype = spec["impl"], resolve_device(spec["device"]), resolve_dtype(spec["dtype"])
    if impl == "hf":  # only in HF's process: our process's memory must not include transformers
        import transformers  # noqa: F401  (before the baseline: the import's memory is not the model's)
    if device.type == "cuda":
        torch.cuda.init()
        torch.cuda.reset_peak_memory_stats(device)
    result = {"impl": impl, "rss_after_imports_bytes": rss_bytes()}

    start = time.perf_counter()
    model = _load(spec, device, dtype)
    _sync(device)
    result["load_s"] = time.perf_counter() - start
    result["load_peak_rss_bytes"] = peak_rss_bytes()
    result["rss_after_load_bytes"] = rss_bytes()

    def prefill(tokens):  # the whole prompt into an empty KV cache -> the last position's logits [1, 1, v],
        if impl == "ours":  # what generation needs (both skip the vocabulary projection of the other positions)
            cache = KVCache(model.config, 1, tokens.shape[1], device, model.dtype)
            return model(tokens, start_pos=0, cache=cache, last_only=True)
        return model(input_ids=tokens, use_cache=True, logits_to_keep=1).logits

    gen = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        prefill(torch.tensor([spec["prompt_ids"]], device=device))  # warm-up (first-call allocations)
        _sync(device)
        result["prefill_s"] = {}
        for n in spec["prefill"]:
            tokens = torch.randint(0, spec["vocab_size"], (1, n), generator=gen).to(device)  # [1, n]
            _sync(device)
            start = time.perf_counter()
            prefill(tokens)
            _sync(device)
            result["prefill_s"][str(n)] = time.perf_counter() - start

    result["decode"] = _decode(model, impl, spec, device, spec["new_tokens"], use_cache=True)
    if impl == "ours" and spec["no_cache_tokens"]:
        result["no_cache"] = _decode(model, impl, spec, device, spec["no_cache_tokens"], use_cache=False)
    result["weight_bytes"] = weight_bytes(model)
    if impl == "ours":  # what each decode step reads: the weights, and the cache at the positions attended to
        result["decode_weight_bytes"] = decode_bytes(model, 0).weights
        result["kv_bytes_per_position"] = kv_bytes_per_position(model.config, model.dtype)
        result["matmul_ceiling"] = matmul_ceiling(model)  # the same matrix-vector products alone
    result["peak_rss_bytes"] = peak_rss_bytes()
    if device.type == "cuda":
        result["peak_gpu_bytes"] = torch.cuda.max_memory_allocated(device)
    return result


def _load(spec, device, dtype):
    """Our model with load_model, or HF's the way a user loads it (from_pretrained, then .to(device))."""
    if spec["impl"] == "ours":
        return load_model(spec["checkpoint"], device=device, dtype=dtype, quantize=spec.get("quantize"),
                          prepack=spec.get("prepack", False))
    from transformers import LlamaForCausalLM  # imported before the baseline, in HF's process only

    model = LlamaForCausalLM.from_pretrained(spec["hf_dir"], dtype=dtype).to(device).eval()
    model.generation_config.eos_token_id = None  # never stop early: both decode exactly N tokens
    model.generation_config.pad_token_id = 0
    return model


def _decode(model, impl, spec, device, n, use_cache) -> dict:
    """Greedy-decode n tokens after the prompt, timing each token as it arrives.

    tokens/s counts the n-1 tokens after the first (the first one's time is the prompt's prefill).
    """
    times, tokens = [], []
    start = time.perf_counter()
    if impl == "ours":
        for token in generate_stream(model, spec["prompt_ids"], n, stop_tokens=(), use_cache=use_cache):
            times.append(time.perf_counter())  # a Python int: the device has finished this token
            tokens.append(token)
    else:
        class Clock:  # a transformers streamer: put() gets the prompt once, then each new token
            prompt_seen = False

            def put(self, value):
                if self.prompt_seen:
                    times.append(time.perf_counter())
                    tokens.extend(int(t) for t in value.flatten().tolist())
                self.prompt_seen = True

            def end(self):
                pass

        ids = torch.tensor([spec["prompt_ids"]], device=device)  # [1, s]
        with torch.inference_mode():
            model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=n,
                           min_new_tokens=n, use_cache=use_cache, streamer=Clock())
    if len(tokens) != n:
        raise RuntimeError(f"{impl} produced {len(tokens)} tokens instead of {n}")
    return {"tokens": tokens, "first_token_s": times[0] - start, "total_s": times[-1] - start,
            "tokens_per_s": (n - 1) / (times[-1] - times[0])}


def run_worker(spec: dict) -> dict:
    """Run measure(spec) in a fresh Python process; return its result (RuntimeError with its last line if it fails)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        code = ("import json, sys; from llama_scratch.tools.bench.worker import measure; "
                "json.dump(measure(json.loads(sys.argv[1])), open(sys.argv[2], 'w'))")
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "TRANSFORMERS_VERBOSITY": "error"}
        r = subprocess.run([sys.executable, "-c", code, json.dumps(spec), str(out)], capture_output=True,
                           text=True, env=env)
        if r.returncode != 0 or not out.is_file():
            last = (r.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise RuntimeError(f"the {spec['impl']} benchmark process failed (exit {r.returncode}): {last}")
        return json.loads(out.read_text())
