"""``python -m llama_scratch bench``: our model against Hugging Face transformers on the same weights.

For each implementation, in its own subprocess (so peak memories do not mix): load time, peak resident memory
(and peak GPU memory on CUDA), prefill time at each prompt length, decode tokens/s over N greedy tokens with the
KV cache, and (ours) tokens/s without the cache. Repeats alternate ours / HF so that a noisy neighbour on a shared
machine slows both alike; every number reported is the median over the repeats. Results go to bench.json and
bench.md (a Markdown table) in --out.

HF loads the weights the way a user would, ``LlamaForCausalLM.from_pretrained(dir)``, from an HF-format copy of
the checkpoint (config.json + model.safetensors) converted once with checkpoints.hf and cached beside the
checkpoint in ``<checkpoint>/../hf/``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ...checkpoints import check_checkpoint_dir, ensure_demo_checkpoint, is_demo_checkpoint, load_tokenizer, \
    open_checkpoint, resolve_device
from ...core import count_parameters, is_tied
from .hf_copy import ensure_hf_copy
from .report import check_targets, machine, markdown, summarise
from .worker import run_worker

DEFAULT_PROMPT = "The history of the printing press begins"
IMPLS = ("ours", "hf")


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
            "dtype": settings["dtype"], "prefill": settings["prefill"], "prompt_ids": prompt_ids,
            "new_tokens": settings["new_tokens"], "no_cache_tokens": settings["no_cache_tokens"],
            "vocab_size": config.vocab_size}
    runs = {impl: [] for impl in IMPLS}
    for r in range(settings["repeats"]):
        for impl in (IMPLS if r % 2 == 0 else IMPLS[::-1]):  # alternate who goes first
            print(f"run {r + 1}/{settings['repeats']}: {impl} ...", file=sys.stderr, flush=True)
            runs[impl].append(run_worker({**spec, "impl": impl}))
    ours, hf = summarise(runs["ours"], settings), summarise(runs["hf"], settings)
    a, b = ours["greedy_tokens"], hf["greedy_tokens"]
    matching = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
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
