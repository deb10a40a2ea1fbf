"""``python -m llama_scratch bench``: our model against Hugging Face transformers on the same weights.

For each implementation, in its own subprocess (so peak memories do not mix): load time, peak resident memory
(and peak GPU memory on CUDA), prefill time at each prompt length, decode tokens/s over N greedy tokens with the
KV cache, and (ours) tokens/s without the cache. Repeats alternate ours / HF so that a noisy neighbour on a shared
machine slows both alike; every number reported is the median over the repeats. Results go to bench.json and
bench.md (a Markdown table) in --out.

HF loads the weights the way a user would, ``LlamaForCausalLM.from_pretrained(dir)``, from an HF-format copy of
the checkpoint (config.json + model.safetensors) converted once with llama_scratch.hf and cached beside the
checkpoint in ``<checkpoint>/../hf/``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HF_DIR_NAME = "hf"  # the HF-format copy lives in <checkpoint>/../hf/
HF_SOURCE_FILE = "converted_from.json"  # which consolidated.00.pth (size, mtime) the copy was made from
DEFAULT_PROMPT = "The history of the printing press begins"
TARGETS = {"decode_ratio": 1.0, "memory_ratio": 1.0, "cache_speedup": 5.0, "cache_speedup_tokens": 256,
           "fp32_1b_load_gb": 5.5}
IMPLS = ("ours", "hf")


# --- Arguments ----------------------------------------------------------------------------------------------
def add_arguments(parser) -> None:
    # Plain strings, validated in run(): a bad value is one "error: ..." line and exit 2 (argparse prints two).
    parser.add_argument("--checkpoint", default=None,
                        help="Meta original/ directory (default: the 1B-shape demo checkpoint "
                             "weights/demo-1b/original, generated if missing)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--dtype", default="float32", help="float32 (default) or bfloat16")
    parser.add_argument("--repeats", default=None,
                        help="runs per implementation, median reported (default 3; --quick: 1)")
    parser.add_argument("--new-tokens", default=None, help="greedy tokens to decode with the KV cache (default 128)")
    parser.add_argument("--no-cache-tokens", default=None,
                        help="tokens to decode without the cache (default: 16 on CPU, --new-tokens on CUDA)")
    parser.add_argument("--prefill", default=None, help="comma-separated prompt lengths to time (default 128,512)")
    parser.add_argument("--prompt", default=DEFAULT_PROMPT, help="prompt text for the decode runs")
    parser.add_argument("--out", default="build/bench", help="directory for bench.json and bench.md")
    parser.add_argument("--quick", action="store_true",
                        help="tiny settings for tests: 1 repeat, 8 new tokens, prefill 8,32")


def _positive_int(value, name: str, default: int) -> int:
    if value is None:
        return default
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"--{name} must be a positive integer, got {value!r}") from None
    if n < 1:
        raise ValueError(f"--{name} must be a positive integer (>= 1), got {value!r}")
    return n


def check_args(args) -> dict:
    """Validate the command line; return the settings. Raises ValueError naming the bad value and the fix."""
    from .checkpoint import resolve_device

    device = str(args.device)
    if device != "cpu" and device != "cuda" and not device.startswith("cuda:"):
        raise ValueError(f"--device {device!r} is not supported by the benchmark; use cpu or cuda")
    resolve_device(device)  # cuda without a GPU: a clear ValueError
    if args.dtype not in ("float32", "bfloat16"):
        raise ValueError(f"--dtype {args.dtype!r} is not supported by the benchmark; use float32 or bfloat16")
    quick = bool(args.quick)
    repeats = _positive_int(args.repeats, "repeats", 1 if quick else 3)
    new_tokens = _positive_int(args.new_tokens, "new-tokens", 8 if quick else 128)
    if new_tokens < 2:
        raise ValueError("--new-tokens must be at least 2 (tokens/s is measured between the first and last token)")
    on_gpu = device.startswith("cuda")
    no_cache = _positive_int(args.no_cache_tokens, "no-cache-tokens",
                             new_tokens if (quick or on_gpu) else min(16, new_tokens))
    if not 2 <= no_cache <= new_tokens:
        raise ValueError(f"--no-cache-tokens must be between 2 and --new-tokens ({new_tokens}), got {no_cache}")
    prefill_text = args.prefill if args.prefill is not None else ("8,32" if quick else "128,512")
    try:
        prefill = [int(p) for p in str(prefill_text).split(",")]
    except ValueError:
        raise ValueError(f"--prefill must be comma-separated integers like 128,512, got {prefill_text!r}") from None
    if min(prefill) < 1:
        raise ValueError(f"--prefill must list positive prompt lengths like 128,512, got {prefill_text!r}")
    if not str(args.prompt).strip():
        raise ValueError("--prompt is empty; give some text")
    return {"device": device, "dtype": args.dtype, "quick": quick, "repeats": repeats, "new_tokens": new_tokens,
            "no_cache_tokens": no_cache, "prefill": prefill, "prompt": str(args.prompt)}


# --- The HF-format copy -------------------------------------------------------------------------------------
def hf_copy_dir(checkpoint) -> Path:
    """Where the HF-format copy of ``checkpoint`` is cached: <checkpoint>/../hf/."""
    return Path(checkpoint).resolve().parent / HF_DIR_NAME


def ensure_hf_copy(checkpoint) -> Path:
    """config.json + model.safetensors (stored dtype kept, wq/wk permuted for rotate-half) beside the checkpoint.

    Converted once; converted again when consolidated.00.pth changes (its size or mtime differ from the record).
    """
    from safetensors.torch import save_file

    from .checkpoint import WEIGHTS_FILE, _same_tensor, check_state_dict, read_state_dict
    from .config import load_config
    from .hf import hf_config, to_hf_state_dict

    checkpoint = Path(checkpoint)
    out = hf_copy_dir(checkpoint)
    src = (checkpoint / WEIGHTS_FILE).stat()
    record = {"source": str((checkpoint / WEIGHTS_FILE).resolve()), "size": src.st_size, "mtime": src.st_mtime}
    marker = out / HF_SOURCE_FILE
    if marker.is_file() and (out / "model.safetensors").is_file() and (out / "config.json").is_file():
        try:
            if json.loads(marker.read_text()) == record:
                return out
        except ValueError:
            pass
    print(f"converting {checkpoint} to Hugging Face format in {out} (once) ...", file=sys.stderr, flush=True)
    config = load_config(checkpoint)
    sd = read_state_dict(checkpoint / WEIGHTS_FILE)
    check_state_dict(sd, config, str(checkpoint / WEIGHTS_FILE))
    tied = "output.weight" not in sd or _same_tensor(sd["output.weight"], sd["tok_embeddings.weight"])
    if tied:
        sd.pop("output.weight", None)
    hf_sd = to_hf_state_dict(sd, config)
    if tied:
        hf_sd.pop("lm_head.weight")  # HF stores a tied lm_head once, as model.embed_tokens.weight
    out.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    hf_config(config, tie_word_embeddings=tied).save_pretrained(out)
    tmp = out / "model.safetensors.partial"
    save_file({k: v.contiguous() for k, v in hf_sd.items()}, str(tmp), metadata={"format": "pt"})
    tmp.replace(out / "model.safetensors")
    marker.write_text(json.dumps(record))
    return out


# --- One measurement run, in a fresh process ----------------------------------------------------------------
def vmhwm_bytes(pid="self") -> int | None:
    """Peak resident set size of a process from /proc/<pid>/status (VmHWM, Linux); None where there is none."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def peak_rss_bytes() -> int:
    """Peak resident set size of this process: VmHWM on Linux (per address space, so not inherited from the
    parent across fork+exec, unlike ru_maxrss), else ru_maxrss."""
    peak = vmhwm_bytes()
    if peak is not None:
        return peak
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def rss_bytes() -> int:
    """Current resident set size of this process."""
    import psutil

    return psutil.Process().memory_info().rss


def _sync(device):
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _worker(spec: dict) -> dict:
    """Measure one implementation once (in a fresh process). spec: impl, checkpoint, hf_dir, device, dtype, prefill,
    prompt_ids, new_tokens, no_cache_tokens, vocab_size. Returns seconds, bytes and the greedy token ids."""
    import torch

    from .checkpoint import resolve_device, resolve_dtype

    impl, device, dtype = spec["impl"], resolve_device(spec["device"]), resolve_dtype(spec["dtype"])
    if impl == "hf":
        import transformers  # noqa: F401  (before the baseline: the import's memory is not the model's)
    if device.type == "cuda":
        torch.cuda.init()
        torch.cuda.reset_peak_memory_stats(device)
    result = {"impl": impl, "rss_after_imports_bytes": rss_bytes()}

    start = time.perf_counter()
    if impl == "ours":
        from .checkpoint import load_model

        model = load_model(spec["checkpoint"], device=device, dtype=dtype)
    else:
        from transformers import LlamaForCausalLM

        model = LlamaForCausalLM.from_pretrained(spec["hf_dir"], dtype=dtype).to(device).eval()
        model.generation_config.eos_token_id = None  # never stop early: both decode exactly N tokens
        model.generation_config.pad_token_id = 0
    _sync(device)
    result["load_s"] = time.perf_counter() - start
    result["load_peak_rss_bytes"] = peak_rss_bytes()
    result["rss_after_load_bytes"] = rss_bytes()

    def prefill(tokens):  # the whole prompt into an empty KV cache -> the last position's logits [1, 1, v],
        if impl == "ours":  # what generation needs (both skip the vocabulary projection of the other positions)
            from .cache import KVCache

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
    if impl == "ours":
        result["no_cache"] = _decode(model, impl, spec, device, spec["no_cache_tokens"], use_cache=False)
    result["peak_rss_bytes"] = peak_rss_bytes()
    if device.type == "cuda":
        result["peak_gpu_bytes"] = torch.cuda.max_memory_allocated(device)
    return result


def _decode(model, impl, spec, device, n, use_cache) -> dict:
    """Greedy-decode n tokens after the prompt, timing each token as it arrives.

    tokens/s counts the n-1 tokens after the first (the first one's time is the prompt's prefill).
    """
    import torch

    times, tokens = [], []
    start = time.perf_counter()
    if impl == "ours":
        from .generate import generate_stream

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


def _run_worker(spec: dict) -> dict:
    """Run _worker(spec) in a fresh Python process; return its result (RuntimeError with its last line if it fails)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        code = ("import json, sys; from llama_scratch.bench import _worker; "
                "json.dump(_worker(json.loads(sys.argv[1])), open(sys.argv[2], 'w'))")
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "TRANSFORMERS_VERBOSITY": "error"}
        r = subprocess.run([sys.executable, "-c", code, json.dumps(spec), str(out)], capture_output=True,
                           text=True, env=env)
        if r.returncode != 0 or not out.is_file():
            last = (r.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise RuntimeError(f"the {spec['impl']} benchmark process failed (exit {r.returncode}): {last}")
        return json.loads(out.read_text())


# --- Summaries ----------------------------------------------------------------------------------------------
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
    }
    s["peak_rss_over_imports_mb"] = s["peak_rss_mb"] - s["rss_after_imports_mb"]
    if "peak_gpu_bytes" in runs[0]:
        s["peak_gpu_mb"] = med([r["peak_gpu_bytes"] for r in runs]) / 2**20
    if "no_cache" in runs[0]:
        s["no_cache_tokens"] = settings["no_cache_tokens"]
        s["no_cache_tokens_per_s"] = med([r["no_cache"]["tokens_per_s"] for r in runs])
        s["no_cache_tokens_match_cache"] = all(
            r["no_cache"]["tokens"] == r["decode"]["tokens"][: len(r["no_cache"]["tokens"])] for r in runs)
    return s


def check_targets(ours: dict, hf: dict, settings: dict, n_params: int) -> list[dict]:
    """The performance targets, each met (True), not met (False) or not determined (None), with the value."""
    out = []
    ratio, want = ours["decode_tokens_per_s"] / hf["decode_tokens_per_s"], TARGETS["decode_ratio"]
    noise = max(ours.get("decode_spread", 0.0), hf.get("decode_spread", 0.0))
    # Two implementations at the memory-bandwidth limit tie; a shortfall smaller than the spread between repeats
    # of one implementation is not a measured difference either way.
    met, note = ratio >= want, ""
    if not met and ratio >= want * (1 - noise):
        met, note = None, f" (equal within the run-to-run spread of {100 * noise:.1f} %)"
    out.append({"target": f"decode tokens/s with KV cache >= {want:g}x HF", "value": ratio, "met": met,
                "note": note})
    key = "peak_gpu_mb" if "peak_gpu_mb" in ours else "peak_rss_over_imports_mb"
    ratio = ours[key] / hf[key]
    out.append({"target": f"peak memory ({key}) <= {TARGETS['memory_ratio']:g}x HF", "value": ratio,
                "met": ratio <= TARGETS["memory_ratio"]})
    if settings["dtype"] == "float32" and n_params > 1e9 and settings["device"] == "cpu":
        gb = ours["load_peak_rss_mb"] * 2**20 / 1e9
        out.append({"target": f"ours: peak RSS loading the 1B shape in fp32 < {TARGETS['fp32_1b_load_gb']} GB",
                    "value": gb, "met": gb < TARGETS["fp32_1b_load_gb"]})
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


def markdown(report: dict) -> str:
    """The results as Markdown: settings, one table (ours, HF, ratio), the targets."""
    s, o, h = report["settings"], report["ours"], report["hf"]
    lines = [f"Benchmark: llama_scratch vs Hugging Face transformers {report['machine']['transformers']} "
             f"({report['date']})", "",
             f"- checkpoint `{report['checkpoint']}`: {report['n_params']:,} parameters"
             f"{', random demo weights' if report['is_demo'] else ''}",
             f"- {s['device']} ({report['machine']['device_name']}{cpu_features(report['machine'], s)}), "
             f"{s['dtype']}, torch "
             f"{report['machine']['torch']}; median of {s['repeats']} run(s) each, ours and HF alternating",
             f"- decode: {s['new_tokens']} greedy tokens after a {report['prompt_tokens']}-token prompt; tokens/s "
             f"over the tokens after the first; without cache "
             f"{'only ' if s['no_cache_tokens'] < s['new_tokens'] else ''}{s['no_cache_tokens']} tokens",
             f"- same greedy tokens, ours vs HF: **{'yes' if report['same_tokens'] else 'no'}** "
             f"({report['matching_prefix']}/{s['new_tokens']} identical from the start)", "",
             "| measurement | ours | HF | ours / HF |", "|---|---:|---:|---:|"]

    def row(name, a, b, fmt="{:.2f}"):
        ratio = f"{a / b:.2f}" if (a is not None and b) else "–"
        lines.append(f"| {name} | {fmt.format(a) if a is not None else '–'} | "
                     f"{fmt.format(b) if b is not None else '–'} | {ratio} |")

    row("load time (s)", o["load_s"], h["load_s"])
    row("peak RSS after loading (MiB)", o["load_peak_rss_mb"], h["load_peak_rss_mb"], "{:.0f}")
    row("peak RSS, whole run (MiB)", o["peak_rss_mb"], h["peak_rss_mb"], "{:.0f}")
    row("peak RSS minus RSS after imports (MiB)", o["peak_rss_over_imports_mb"], h["peak_rss_over_imports_mb"],
        "{:.0f}")
    if "peak_gpu_mb" in o:
        row("peak GPU memory allocated (MiB)", o["peak_gpu_mb"], h["peak_gpu_mb"], "{:.0f}")
    for n in o["prefill_s"]:
        row(f"prefill {n} tokens (s)", o["prefill_s"][n], h["prefill_s"][n], "{:.3f}")
    row("first token after the prompt (s)", o["first_token_s"], h["first_token_s"], "{:.3f}")
    row(f"decode with KV cache, {s['new_tokens']} tokens (tokens/s)", o["decode_tokens_per_s"],
        h["decode_tokens_per_s"])
    only = "only " if s["no_cache_tokens"] < s["new_tokens"] else ""
    row(f"decode without cache, {only}{s['no_cache_tokens']} tokens (tokens/s)", o["no_cache_tokens_per_s"], None)
    lines += ["", "| target | measured | result |", "|---|---:|---|"]
    for t in report["targets"]:
        met = {True: "met", False: "**not met**", None: "not determined"}[t["met"]]
        lines.append(f"| {t['target']} | {t['value']:.3f} | {met}{t.get('note', '')} |")
    return "\n".join(lines) + "\n"


def machine(settings: dict) -> dict:
    """CPU / GPU, cores, RAM and library versions, for the report."""
    import psutil
    import torch
    import transformers

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
            "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "ram_gb": round(psutil.virtual_memory().total / 1e9, 1), "torch": torch.__version__,
            "transformers": transformers.__version__, "python": platform.python_version(),
            "platform": platform.platform()}


# --- The command --------------------------------------------------------------------------------------------
def run(args) -> int:
    settings = check_args(args)
    from .checkpoint import check_checkpoint_dir, count_parameters, is_demo_checkpoint, load_tokenizer
    from .config import load_config
    from .demo import ensure_demo_checkpoint

    checkpoint = check_checkpoint_dir(args.checkpoint if args.checkpoint else ensure_demo_checkpoint("1b"))
    config = load_config(checkpoint)
    prompt_ids = load_tokenizer(checkpoint).encode(settings["prompt"], bos=True)
    longest = max(settings["prefill"] + [len(prompt_ids) + settings["new_tokens"]])
    if longest > config.max_seq_len:
        raise ValueError(f"a sequence of {longest} tokens exceeds the model's context of {config.max_seq_len}; "
                         "use shorter --prefill lengths or fewer --new-tokens")
    hf_dir = ensure_hf_copy(checkpoint)
    spec = {"checkpoint": str(checkpoint), "hf_dir": str(hf_dir), "device": settings["device"],
            "dtype": settings["dtype"], "prefill": settings["prefill"], "prompt_ids": prompt_ids,
            "new_tokens": settings["new_tokens"], "no_cache_tokens": settings["no_cache_tokens"],
            "vocab_size": config.vocab_size}
    runs = {impl: [] for impl in IMPLS}
    for r in range(settings["repeats"]):
        for impl in (IMPLS if r % 2 == 0 else IMPLS[::-1]):  # alternate who goes first
            print(f"run {r + 1}/{settings['repeats']}: {impl} ...", file=sys.stderr, flush=True)
            runs[impl].append(_run_worker({**spec, "impl": impl}))
    ours, hf = summarise(runs["ours"], settings), summarise(runs["hf"], settings)
    a, b = ours["greedy_tokens"], hf["greedy_tokens"]
    matching = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    n_params = count_parameters(config, tied="output.weight" not in expected_keys(checkpoint))
    report = {
        "checkpoint": str(checkpoint), "hf_dir": str(hf_dir), "is_demo": is_demo_checkpoint(checkpoint),
        "n_params": n_params, "settings": settings, "prompt_tokens": len(prompt_ids),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(settings),
        "ours": ours, "hf": hf, "same_tokens": a == b, "matching_prefix": matching, "raw_runs": runs,
    }
    report["targets"] = check_targets(ours, hf, settings, n_params)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    table = markdown(report)
    (out / "bench.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"wrote {out / 'bench.json'} and {out / 'bench.md'}", file=sys.stderr)
    return 0


def expected_keys(checkpoint) -> set:
    """The tensor names stored in a checkpoint (read lazily from the memory map)."""
    from .checkpoint import WEIGHTS_FILE, read_state_dict

    return set(read_state_dict(Path(checkpoint) / WEIGHTS_FILE))
