"""``python -m llama_scratch bench``: our model against Hugging Face transformers on the same weights.

For each dtype (float32 and bfloat16 by default) and implementation, in its own subprocess (so peak memories do
not mix): load time, peak resident memory (and peak GPU memory on CUDA), prefill time at each prompt length,
decode tokens/s over N greedy tokens with the KV cache, and (ours) tokens/s without the cache; on the CPU also our
model with int8 weights (--quantize). Each repeat first measures the memory bandwidth (bandwidth.py) in a process
of its own; every decode speed is also reported as the fraction of it that the bytes read per token reach.
Repeats alternate ours / HF so that a noisy neighbour on a shared machine slows both alike; every number reported
is the median over the repeats. Results go to bench.json and bench.md (Markdown tables) in --out.

HF loads the weights the way a user would, ``LlamaForCausalLM.from_pretrained(dir)``, from an HF-format copy of
the checkpoint (config.json + model.safetensors) converted once with checkpoints.hf and cached beside the
checkpoint in ``<checkpoint>/../hf/``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch

from ...checkpoints import check_checkpoint_dir, ensure_demo_checkpoint, is_demo_checkpoint, load_tokenizer, \
    open_checkpoint, resolve_device, resolve_dtype
from ...core import count_parameters, is_tied
from ...core.prepack import check_prepack
from ...core.quantize import check_quantize
from .hf_copy import ensure_hf_copy
from .markdown import markdown
from .report import machine, variant_report
from .worker import run_worker

DEFAULT_PROMPT = "The history of the printing press begins"
IMPLS = ("ours", "hf")
DTYPES = ("float32", "bfloat16")


def add_arguments(parser) -> None:
    # Plain strings, validated in run(): a bad value is one "error: ..." line and exit 2 (argparse prints two).
    parser.add_argument("--checkpoint", default=None,
                        help="Meta original/ directory (default: the 1B-shape demo checkpoint "
                             "weights/demo-1b/original, generated if missing)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--dtype", default=",".join(DTYPES),
                        help="comma-separated dtypes to measure, ours and HF: float32, bfloat16 (default both)")
    parser.add_argument("--quantize", default=None,
                        help="int8 (the default on the CPU): also our model with int8 weights and bf16 activations; "
                             "none: skip it")
    parser.add_argument("--prepack", default=None,
                        help="on (the default on the CPU): our float models load with prepack=True (weights laid "
                             "out once for oneDNN); off: plain weights, as F.linear gets them")
    parser.add_argument("--held-out", default=None,
                        help="a text file: also report the held-out loss with bf16 and int8 weights (and fp32)")
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
    parser.epilog = ("Default run at the 1B shape on 2 CPU cores: about 10 minutes (3 repeats of fp32 and bf16, "
                     "ours and HF, and int8). --dtype bfloat16 --repeats 1 is a quick look.")


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
    device = str(args.device)
    if device != "cpu" and device != "cuda" and not device.startswith("cuda:"):
        raise ValueError(f"--device {device!r} is not supported by the benchmark; use cpu or cuda")
    resolve_device(device)  # cuda without a GPU: a clear ValueError
    dtypes = [d.strip() for d in str(args.dtype).split(",")]
    if not dtypes or any(d not in DTYPES for d in dtypes) or len(set(dtypes)) != len(dtypes):
        raise ValueError(f"--dtype {args.dtype!r} is not supported by the benchmark; use float32, bfloat16 or "
                         "float32,bfloat16")
    quantize = args.quantize if args.quantize is not None else ("none" if device.startswith("cuda") else "int8")
    if quantize not in ("int8", "none"):
        raise ValueError(f"--quantize {quantize!r} is not supported; use int8 or none")
    quantize = None if quantize == "none" else quantize
    check_quantize(quantize, torch.device(device), torch.bfloat16)  # int8 on a GPU: a clear ValueError
    prepack = args.prepack if args.prepack is not None else ("off" if device.startswith("cuda") else "on")
    if prepack not in ("on", "off"):
        raise ValueError(f"--prepack {prepack!r}: use on or off")
    if prepack == "on":
        for d in dtypes:
            check_prepack(torch.device(device), resolve_dtype(d))  # on a GPU: a clear ValueError
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
    variants = [{"name": d, "dtype": d, "quantize": None, "prepack": prepack == "on"} for d in dtypes]
    if quantize:
        variants.append({"name": quantize, "dtype": "bfloat16", "quantize": quantize, "prepack": False})
    return {"device": device, "dtypes": dtypes, "quantize": quantize, "prepack": prepack, "variants": variants,
            "quick": quick,
            "repeats": repeats, "new_tokens": new_tokens, "no_cache_tokens": no_cache, "prefill": prefill,
            "prompt": str(args.prompt), "held_out": _held_out(args.held_out)}


def _held_out(path) -> str | None:
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"--held-out {path}: cannot read it as UTF-8 text ({e})") from None
    if not text.strip():
        raise ValueError(f"--held-out {path} is empty; give a text the model was not trained on")
    return text


def run(args) -> int:
    settings = check_args(args)
    checkpoint = check_checkpoint_dir(args.checkpoint if args.checkpoint else ensure_demo_checkpoint("1b"))
    config, sd = open_checkpoint(checkpoint)
    n_params = count_parameters(config, tied=is_tied(sd))
    del sd
    prompt_ids = load_tokenizer(checkpoint).encode(settings["prompt"], bos=True)
    longest = max(settings["prefill"] + [len(prompt_ids) + settings["new_tokens"]])
    if longest > config.max_seq_len:
        raise ValueError(f"a sequence of {longest} tokens exceeds the model's context of {config.max_seq_len}; "
                         "use shorter --prefill lengths or fewer --new-tokens")
    hf_dir = ensure_hf_copy(checkpoint)
    spec = {"checkpoint": str(checkpoint), "hf_dir": str(hf_dir), "device": settings["device"],
            "prefill": settings["prefill"], "prompt_ids": prompt_ids, "new_tokens": settings["new_tokens"],
            "vocab_size": config.vocab_size}
    before = machine(settings)  # with the load average before the runs
    runs = measure_all(spec, settings)
    report = {
        "checkpoint": str(checkpoint), "hf_dir": str(hf_dir), "is_demo": is_demo_checkpoint(checkpoint),
        "n_params": n_params, "settings": settings, "prompt_tokens": len(prompt_ids),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": before, "raw_runs": runs,
    }
    report.update(variant_report(runs, settings, n_params, len(prompt_ids)))
    report["load_average_after"] = os.getloadavg()
    if settings["quantize"] and "bfloat16" in settings["dtypes"]:  # quality: int8 against bf16 (and fp32)
        print("quality: int8 vs bf16 vs fp32 logits ...", file=sys.stderr, flush=True)
        report["quality"] = run_worker({**spec, "impl": "quality", "held_out": settings["held_out"]})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    table = markdown(report)
    (out / "bench.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"wrote {out / 'bench.json'} and {out / 'bench.md'}", file=sys.stderr)
    return 0


def measure_all(spec: dict, settings: dict) -> dict:
    """Every run, each in a fresh process: per repeat the bandwidth, then each variant's implementations (ours
    and HF alternating who goes first). Returns {"bandwidth": [...], "<variant>/<impl>": [...]}."""
    runs = {"bandwidth": []}
    for r in range(settings["repeats"]):
        print(f"run {r + 1}/{settings['repeats']}: memory bandwidth ...", file=sys.stderr, flush=True)
        runs["bandwidth"].append(run_worker({**spec, "impl": "bandwidth"}))
        for v in settings["variants"]:
            impls = IMPLS if v["quantize"] is None else ("ours",)  # HF has no int8 weights of this kind
            for impl in (impls if r % 2 == 0 else impls[::-1]):  # alternate who goes first
                print(f"run {r + 1}/{settings['repeats']}: {v['name']} {impl} ...", file=sys.stderr, flush=True)
                no_cache = settings["no_cache_tokens"] if v["quantize"] is None else 0
                runs.setdefault(f"{v['name']}/{impl}", []).append(run_worker(
                    {**spec, "impl": impl, "dtype": v["dtype"], "quantize": v["quantize"], "prepack": v["prepack"],
                     "no_cache_tokens": no_cache}))
    return runs
