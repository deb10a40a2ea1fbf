"""The benchmark's results: medians over the repeats, the performance targets, the machine, the Markdown table."""

from __future__ import annotations

import os
import platform
import statistics
from importlib.metadata import version

import psutil
import torch

TARGETS = {"decode_ratio": 1.1, "bandwidth_fraction": 0.75, "int8_over_bf16": 1.7, "memory_ratio": 1.0,
           "cache_speedup": 5.0, "cache_speedup_tokens": 256, "fp32_1b_load_gb": 5.5}


def spread(values: list[float]) -> float:
    """Run-to-run spread of repeated measurements: (max - min) / median (0 for a single run)."""
    return (max(values) - min(values)) / statistics.median(values) if len(values) > 1 else 0.0


def summarise(runs: list[dict], settings: dict) -> dict:
    """Medians over the repeats of one implementation's runs (memory in MiB = 2**20 bytes, in the *_mb keys)."""
    med = statistics.median
    s = {
        "runs": len(runs),
        "load_s": med([r["load_s"] for r in runs]),
        "load_peak_rss_mb": med([r["load_peak_rss_bytes"] for r in runs]) / 2**20,
        "peak_rss_mb": med([r["peak_rss_bytes"] for r in runs]) / 2**20,
        "rss_after_imports_mb": med([r["rss_after_imports_bytes"] for r in runs]) / 2**20,
        "prefill_s": {n: med([r["prefill_s"][n] for r in runs]) for n in runs[0]["prefill_s"]},
        "first_token_s": med([r["decode"]["first_token_s"] for r in runs]),
        "decode_tokens_per_s": med([r["decode"]["tokens_per_s"] for r in runs]),
        "decode_spread": spread([r["decode"]["tokens_per_s"] for r in runs]),
        "greedy_tokens": runs[0]["decode"]["tokens"],
        "greedy_tokens_stable": all(r["decode"]["tokens"] == runs[0]["decode"]["tokens"] for r in runs),
        "weight_bytes": runs[0]["weight_bytes"],
    }
    s["peak_rss_over_imports_mb"] = s["peak_rss_mb"] - s["rss_after_imports_mb"]
    for key in ("decode_weight_bytes", "kv_bytes_per_position"):
        if key in runs[0]:
            s[key] = runs[0][key]
    if "matmul_ceiling" in runs[0]:
        s["matmul_bytes_per_s"] = med([r["matmul_ceiling"]["bytes_per_s"] for r in runs])
    if "peak_gpu_bytes" in runs[0]:
        s["peak_gpu_mb"] = med([r["peak_gpu_bytes"] for r in runs]) / 2**20
    if "no_cache" in runs[0]:
        s["no_cache_tokens"] = settings["no_cache_tokens"]
        s["no_cache_tokens_per_s"] = med([r["no_cache"]["tokens_per_s"] for r in runs])
        s["no_cache_tokens_match_cache"] = all(
            r["no_cache"]["tokens"] == r["decode"]["tokens"][: len(r["no_cache"]["tokens"])] for r in runs)
    return s


def bandwidth_summary(runs: list[dict]) -> dict:
    """Median over the repeats of each kernel's bandwidth (bytes/s) and of the limit, with the spread of the limit."""
    out = {k: statistics.median([r[k] for r in runs]) for k in ("read", "copy", "triad", "limit")}
    return {**out, "limit_spread": spread([r["limit"] for r in runs]), "array_bytes": runs[0]["array_bytes"],
            "threads": runs[0]["threads"], "runs": len(runs)}


def matching_prefix(a: list[int], b: list[int]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def variant_report(runs: dict, settings: dict, n_params: int, prompt_tokens: int) -> dict:
    """{"bandwidth": bandwidth_summary, "variants": [one entry per variant: ours, hf (or None), bytes per token,
    same tokens, targets]}. Bytes per token: decode_bytes at the mean position the timed steps attend over
    (prompt + new_tokens / 2), the same for HF (same weights, same dtype)."""
    bandwidth = bandwidth_summary(runs["bandwidth"])
    context = prompt_tokens + settings["new_tokens"] / 2
    variants = []
    for v in settings["variants"]:
        ours = summarise(runs[f"{v['name']}/ours"], settings)
        hf = summarise(runs[f"{v['name']}/hf"], settings) if f"{v['name']}/hf" in runs else None
        per_token = ours["decode_weight_bytes"] + ours["kv_bytes_per_position"] * context
        for s in (ours, hf) if hf else (ours,):
            s["decode_bytes_per_token"] = per_token
            s["decode_bytes_per_s"] = per_token * s["decode_tokens_per_s"]
            s["bandwidth_fraction"] = s["decode_bytes_per_s"] / bandwidth["limit"]
        if "matmul_bytes_per_s" in ours:
            ours["matmul_bandwidth_fraction"] = ours["matmul_bytes_per_s"] / bandwidth["limit"]
        entry = {**v, "ours": ours, "hf": hf, "mean_context": context}
        if hf:
            entry["same_tokens"] = ours["greedy_tokens"] == hf["greedy_tokens"]
            entry["matching_prefix"] = matching_prefix(ours["greedy_tokens"], hf["greedy_tokens"])
        variants.append(entry)
    for entry in variants:
        entry["targets"] = check_targets(entry, variants, settings, n_params)
    return {"bandwidth": bandwidth, "variants": variants}


def _ratio(name: str, ratio: float, want: float, noise: float) -> dict:
    """A speed ratio target: a shortfall smaller than the run-to-run spread is not a measured difference."""
    met, note = ratio >= want, ""
    if not met and ratio >= want * (1 - noise):
        met, note = None, f" (within the run-to-run spread of {100 * noise:.1f} %)"
    return {"target": name, "value": ratio, "met": met, "note": note}


def check_targets(entry: dict, variants: list[dict], settings: dict, n_params: int) -> list[dict]:
    """One variant's targets, each met (True), not met (False) or not determined (None), with the value."""
    ours, hf, out = entry["ours"], entry["hf"], []
    want = TARGETS["bandwidth_fraction"]
    out.append({"target": f"ours: decode at >= {want:.0%} of the measured bandwidth",
                "value": ours["bandwidth_fraction"], "met": ours["bandwidth_fraction"] >= want})
    if hf:
        noise = max(ours["decode_spread"], hf["decode_spread"])
        out.append(_ratio(f"decode tokens/s with KV cache >= {TARGETS['decode_ratio']:g}x HF",
                          ours["decode_tokens_per_s"] / hf["decode_tokens_per_s"], TARGETS["decode_ratio"], noise))
        key = "peak_gpu_mb" if "peak_gpu_mb" in ours else "peak_rss_over_imports_mb"
        ratio = ours[key] / hf[key]
        out.append({"target": f"peak memory ({key}) <= {TARGETS['memory_ratio']:g}x HF", "value": ratio,
                    "met": ratio <= TARGETS["memory_ratio"]})
    bf16 = next((e for e in variants if e["dtype"] == "bfloat16" and e["quantize"] is None), None)
    if entry["quantize"] and bf16:
        noise = max(ours["decode_spread"], bf16["ours"]["decode_spread"])
        out.append(_ratio(f"ours: {entry['quantize']} decode >= {TARGETS['int8_over_bf16']:g}x ours bf16",
                          ours["decode_tokens_per_s"] / bf16["ours"]["decode_tokens_per_s"],
                          TARGETS["int8_over_bf16"], noise))
    if entry["dtype"] == "float32" and n_params > 1e9 and settings["device"] == "cpu":
        gb = ours["load_peak_rss_mb"] * 2**20 / 1e9
        out.append({"target": f"ours: peak RSS loading the 1B shape in fp32 < {TARGETS['fp32_1b_load_gb']} GB",
                    "value": gb, "met": gb < TARGETS["fp32_1b_load_gb"]})
    if "no_cache_tokens_per_s" in ours:
        speedup = ours["decode_tokens_per_s"] / ours["no_cache_tokens_per_s"]
        n, at, want = settings["no_cache_tokens"], TARGETS["cache_speedup_tokens"], TARGETS["cache_speedup"]
        # Without a cache each step recomputes the whole sequence, so the speedup only grows with more tokens: a
        # speedup >= want over fewer tokens already settles it; a smaller one over fewer tokens does not.
        met = (speedup >= want) if n >= at else (True if speedup >= want else None)
        note = "" if n >= at else f" (no-cache timed over {n} tokens only)"
        out.append({"target": f"KV cache >= {want:g}x faster than no cache at {at} new tokens", "value": speedup,
                    "met": met, "note": note})
    return out


def cpu_features(machine: dict, settings: dict) -> str:
    """', with avx512f, avx512_bf16' for a CPU run (empty on a GPU or when unknown)."""
    features = machine.get("cpu_features") if settings["device"] == "cpu" else None
    return f", with {', '.join(features)}" if features else ""


def machine(settings: dict) -> dict:
    """CPU / GPU, cores, RAM and library versions, for the report."""
    cpu = platform.processor() or "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    on_gpu = settings["device"].startswith("cuda")
    features = []  # what decides bf16 speed on a CPU: native bf16 dot products (AVX512_BF16, AMX) or conversion
    try:
        flags = next(line.split(":", 1)[1].split() for line in open("/proc/cpuinfo") if line.startswith("flags"))
        features = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flags]
    except (OSError, StopIteration):
        pass
    return {"device_name": torch.cuda.get_device_name(torch.device(settings["device"])) if on_gpu else cpu,
            "cpu": cpu, "cpu_features": features, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(), "load_average": os.getloadavg(),
            "ram_gb": round(psutil.virtual_memory().total / 1e9, 1), "torch": torch.__version__,
            "transformers": version("transformers"), "python": platform.python_version(),
            "platform": platform.platform()}
