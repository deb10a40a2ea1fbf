"""``python -m llama_scratch bench``: ours versus Hugging Face transformers on the same weights, in the same run.

Each implementation is measured in its own subprocess (so peak memory is its own): load time, peak resident memory
(and peak GPU memory on CUDA), prefill time per prompt length, greedy decode tokens/s with the KV cache, and ours
without the cache. Every time is the median of --repeats runs. Writes bench.json and bench.md into --out.
"""

from __future__ import annotations

import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = "decode with KV cache >= 1.0x HF tokens/s; peak memory <= 1.0x HF; KV cache >= 5x faster than no cache"


def add_arguments(parser) -> None:
    parser.add_argument("--checkpoint", default=None,
                        help="Meta original/ directory (default: the 1B-shape demo checkpoint, generated if missing)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--new-tokens", type=int, default=128, help="greedy tokens decoded with the KV cache")
    parser.add_argument("--no-cache-tokens", type=int, default=16,
                        help="tokens decoded without the cache (recomputation is slow: fewer by default)")
    parser.add_argument("--prefill", default="128,512", help="prompt lengths to time the prefill at")
    parser.add_argument("--out", default="build/bench")
    parser.add_argument("--quick", action="store_true", help="tiny settings, for tests")
    parser.add_argument("--worker", choices=["ours", "hf"], help=argparse_suppress())


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _sync(device):
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _median_time(fn, repeats, device) -> float:
    times = []
    for _ in range(repeats):
        _sync(device)
        t0 = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def hf_dir_for(ckpt: Path) -> Path:
    """Where the Hugging Face copy of a Meta checkpoint is cached: <checkpoint>/../hf (made once by convert_to_hf)."""
    return ckpt.parent / "hf"


def convert_to_hf(ckpt: Path) -> Path:
    """Write config.json + model.safetensors (bf16, wq/wk permuted) next to the checkpoint, once."""
    from safetensors.torch import save_file

    from .checkpoint import load_config, read_state_dict
    from .hf import hf_config, to_hf_state_dict

    out = hf_dir_for(ckpt)
    if (out / "model.safetensors").is_file():
        return out
    config = load_config(ckpt)
    sd = read_state_dict(ckpt / "consolidated.00.pth")
    tied = "output.weight" not in sd
    hf_sd = {k: v.contiguous() for k, v in to_hf_state_dict(sd, config).items()}
    if tied:
        del hf_sd["lm_head.weight"]
    tmp = out.with_name(out.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    hf_config(config, tie_word_embeddings=tied).save_pretrained(tmp)
    save_file(hf_sd, tmp / "model.safetensors", metadata={"format": "pt"})
    tmp.rename(out)
    return out


def worker(args) -> dict:
    """Measure one implementation in this process; returns a dict of results."""
    import torch

    from .checkpoint import load_model
    from .generate import generate

    dtype = getattr(torch, args.dtype)
    ckpt = Path(args.checkpoint)
    t0 = time.perf_counter()
    if args.worker == "ours":
        model = load_model(ckpt, device=args.device, dtype=dtype)
    else:
        from transformers import LlamaForCausalLM

        model = LlamaForCausalLM.from_pretrained(hf_dir_for(ckpt), dtype=dtype).to(args.device).eval()
    _sync(args.device)
    result = {"load_s": time.perf_counter() - t0, "rss_after_load_mb": peak_rss_mb()}
    vocab = model.config.vocab_size
    g = torch.Generator().manual_seed(0)
    prefill = {}
    for n in args.prefill_lengths:
        tokens = torch.randint(0, vocab, (1, n), generator=g).to(args.device)
        with torch.inference_mode():
            run = (lambda: model(tokens)) if args.worker == "ours" else (lambda: model(tokens, use_cache=False))
            run()  # warm-up
            prefill[str(n)] = _median_time(run, args.repeats, args.device)
    result["prefill_s"] = prefill
    prompt = torch.randint(0, vocab, (1, 32), generator=g)
    if args.worker == "ours":
        decode = lambda: generate(model, prompt[0].tolist(), args.new_tokens, stop_tokens=())  # noqa: E731
    else:
        ids = prompt.to(args.device)

        def decode():
            with torch.inference_mode():
                out = model.generate(ids, max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens,
                                     do_sample=False, pad_token_id=128004)
            return out[0, ids.shape[1]:].tolist()
    tokens = decode()  # warm-up, and the tokens to compare
    result["greedy_tokens"] = [int(t) for t in tokens]
    result["decode_tokens_per_s"] = args.new_tokens / _median_time(decode, args.repeats, args.device)
    if args.worker == "ours":
        n = args.no_cache_tokens
        no_cache = lambda: generate(model, prompt[0].tolist(), n, stop_tokens=(), use_cache=False)  # noqa: E731
        result["no_cache_tokens_per_s"] = n / _median_time(no_cache, max(1, min(args.repeats, 2)), args.device)
    result["peak_rss_mb"] = peak_rss_mb()
    if args.device.startswith("cuda"):
        result["peak_gpu_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return result


def machine() -> dict:
    import torch
    import transformers

    cpu = platform.processor()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import os

    import psutil

    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
            "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
            "torch": torch.__version__, "transformers": transformers.__version__, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d")}


def markdown(report: dict) -> str:
    o, h = report["ours"], report["hf"]
    rows = [("load time (s)", o["load_s"], h["load_s"], False),
            ("peak resident memory (MB)", o["peak_rss_mb"], h["peak_rss_mb"], False)]
    if "peak_gpu_mb" in o:
        rows.append(("peak GPU memory (MB)", o["peak_gpu_mb"], h["peak_gpu_mb"], False))
    rows += [(f"prefill {n} tokens (s)", o["prefill_s"][n], h["prefill_s"][n], False) for n in o["prefill_s"]]
    rows.append((f"decode {report['settings']['new_tokens']} tokens, KV cache (tokens/s)", o["decode_tokens_per_s"],
                 h["decode_tokens_per_s"], True))
    s = report["settings"]
    lines = [f"Checkpoint `{s['checkpoint']}`, {s['device']}, {s['dtype']}, median of {s['repeats']} runs.", "",
             "| measure | ours | HF transformers | ours / HF |", "|---|---:|---:|---:|"]
    for name, a, b, _ in rows:
        lines.append(f"| {name} | {a:,.3f} | {b:,.3f} | {a / b:.2f} |")
    lines.append(f"| decode {s['no_cache_tokens']} tokens, no cache (tokens/s) | {o['no_cache_tokens_per_s']:,.3f} | "
                 "— | — |")
    t = report["targets"]
    lines += ["", f"Greedy tokens identical: **{report['greedy_tokens_agree']}**.",
              f"- decode with cache ≥ 1.0× HF: {t['decode_vs_hf']:.2f}× — {'met' if t['decode_vs_hf'] >= 1 else 'NOT met'}",
              f"- peak memory ≤ 1.0× HF: {t['memory_vs_hf']:.2f}× — {'met' if t['memory_vs_hf'] <= 1 else 'NOT met'}",
              f"- KV cache vs no cache: {t['cache_speedup']:.1f}× (no-cache measured over {s['no_cache_tokens']} tokens; "
              f"target ≥ 5× at 256) — {'met' if t['cache_speedup'] >= 5 else 'NOT met'}"]
    return "\n".join(lines) + "\n"


def run(args) -> int:
    import torch

    if args.worker:
        args.prefill_lengths = [int(x) for x in args.prefill.split(",")]
        print(json.dumps(worker(args)))
        return 0
    if args.quick:
        args.repeats, args.new_tokens, args.no_cache_tokens, args.prefill = 1, 8, 4, "16,32"
    if args.repeats < 1 or args.new_tokens < 1 or args.no_cache_tokens < 1:
        raise ValueError("--repeats, --new-tokens and --no-cache-tokens must be at least 1")
    try:
        lengths = [int(x) for x in args.prefill.split(",")]
        assert lengths and all(n > 0 for n in lengths)
    except (ValueError, AssertionError):
        raise ValueError(f"--prefill must be positive integers separated by commas, got {args.prefill!r}") from None
    if args.device == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda but PyTorch sees no CUDA GPU; use --device cpu")
    if args.checkpoint:
        ckpt = Path(args.checkpoint)
        from .checkpoint import check_checkpoint_dir

        check_checkpoint_dir(ckpt)
    else:
        from .demo import ensure_demo_checkpoint

        ckpt = ensure_demo_checkpoint("1b")
    convert_to_hf(ckpt)
    report = {"settings": {"checkpoint": str(ckpt), "device": args.device, "dtype": args.dtype,
                           "repeats": args.repeats, "new_tokens": args.new_tokens,
                           "no_cache_tokens": args.no_cache_tokens, "prefill": lengths},
              "machine": machine()}
    for impl in ("ours", "hf"):
        cmd = [sys.executable, "-m", "llama_scratch", "bench", "--worker", impl, "--checkpoint", str(ckpt),
               "--device", args.device, "--dtype", args.dtype, "--repeats", str(args.repeats),
               "--new-tokens", str(args.new_tokens), "--no-cache-tokens", str(args.no_cache_tokens),
               "--prefill", ",".join(map(str, lengths))]
        print(f"measuring {impl} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"the {impl} benchmark failed: {proc.stderr.strip().splitlines()[-1:]}")
        report[impl] = json.loads(proc.stdout.strip().splitlines()[-1])
    o, h = report["ours"], report["hf"]
    report["greedy_tokens_agree"] = o["greedy_tokens"] == h["greedy_tokens"]
    report["targets"] = {"decode_vs_hf": o["decode_tokens_per_s"] / h["decode_tokens_per_s"],
                         "memory_vs_hf": o["peak_rss_mb"] / h["peak_rss_mb"],
                         "cache_speedup": o["decode_tokens_per_s"] / o["no_cache_tokens_per_s"]}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    table = markdown(report)
    (out / "bench.md").write_text(table)
    print(table)
    return 0
