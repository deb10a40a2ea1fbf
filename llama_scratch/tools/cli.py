"""Command line: ``python -m llama_scratch {generate,demo,train,download,figures,bench} ...``.

Every error becomes one line on stderr and exit code 2 (no traceback); set LLAMA_SCRATCH_DEBUG=1 to see it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from pathlib import Path

from ..checkpoints import RELEASES, checkpoint_from_arg, demo_checkpoint_dir, load_model, load_tokenizer, \
    make_demo_checkpoint, verify_checkpoint
from ..checkpoints.download import default_dir, download
from ..checkpoints.hubs import SOURCES, DownloadError
from ..checkpoints.models import DEFAULT_RELEASE, release_bytes
from ..core import generate_stream
from ..core.tokenizer import NUM_BASE_TOKENS
from ..training import TrainConfig, read_text_file, summary, train_demo
from ..training.write import check_output_dir
from .memory import peak_rss_bytes

# name -> (module with add_arguments(parser) and run(args) -> int, help). figures and bench live in their own
# modules, imported only when asked for: they pull in matplotlib and transformers, which the rest does not need.
SUBCOMMANDS = {
    "generate": (__name__, "Generate text, streaming tokens as they come."),
    "demo": (__name__, "Write a random demo checkpoint in Meta's format."),
    "train": (__name__, "Train a tiny Llama on the CPU and write it as the trained demo checkpoint."),
    "download": (__name__, "Download the real Llama original/ files (Llama-3.2-1B-Instruct by default)."),
    "figures": ("llama_scratch.tools.figures", "Export attention and RoPE figures (PNG, SVG, PDF)."),
    "bench": ("llama_scratch.tools.bench.command", "Benchmark against Hugging Face transformers."),
}


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of the subcommands implemented in this file (generate, demo, download)."""
    if name == "generate":
        parser.add_argument("--prompt", required=True, help="the prompt text (with --chat: the user message)")
        parser.add_argument("--chat", action="store_true",
                            help="wrap the prompt in the Instruct chat format and stop at <|eot_id|>")
        parser.add_argument("--system", default=None, help="with --chat: a system message")
        parser.add_argument("--checkpoint", default=None,
                            help="directory with Meta's original/ files (default: see README, 'Which weights')")
        parser.add_argument("--max-new-tokens", type=int, default=64)
        parser.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
        parser.add_argument("--top-p", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--device", default="cpu")
        parser.add_argument("--dtype", default=None,
                            help="float32 (the default), bfloat16 or float16; bfloat16 with --quantize int8")
        parser.add_argument("--quantize", default=None,
                            help="int8: int8 weights with one scale per output channel (CPU, bfloat16 activations)")
        parser.add_argument("--prepack", action="store_true",
                            help="CPU, float32/bfloat16: lay the weights out once for oneDNN (faster decoding)")
        parser.add_argument("--no-cache", action="store_true", help="recompute everything at every step")
    elif name == "demo":
        parser.add_argument("--size", default="tiny", choices=["tiny", "1b"])
        parser.add_argument("--out", default=None, help="directory (default: weights/demo-<size>/original)")
        parser.add_argument("--seed", type=int, default=0)
    elif name == "train":
        add_train_arguments(parser)
    elif name == "download":
        add_download_arguments(parser)


def add_train_arguments(parser) -> None:
    """Options of `train`, read as text and checked by run_train (one clear error line for a bad value)."""
    parser.add_argument("--out", default=None, help="output directory (default: weights/demo-trained/original)")
    parser.add_argument("--seed", default="0", help="seed of the corpus, the initial weights and the batches (0)")
    parser.add_argument("--steps", default=str(TrainConfig.steps), help=f"optimizer steps ({TrainConfig.steps})")
    parser.add_argument("--text", default=None, help="train on this UTF-8 text file instead of the generated corpus")
    parser.add_argument("--time-budget", default=str(TrainConfig.time_budget),
                        help="seconds of training: a slow machine runs the same schedule in fewer steps, learning "
                             "less (default 0: no budget, the exact result of the seed)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def parse_number(value, name: str, kind=int, minimum=0):
    """int(value) or float(value) >= minimum, else ValueError naming the option."""
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum or (kind is float and number != number):
        what = "an integer" if kind is int else "a number"
        raise ValueError(f"{name} must be {what} >= {minimum}, got {value!r}")
    return number


def run_train(args) -> int:
    """Check every option before anything is written, train, and print a summary of what was learned."""
    seed = parse_number(args.seed, "--seed")
    steps = parse_number(args.steps, "--steps", minimum=1)
    budget = parse_number(args.time_budget, "--time-budget", float)
    out = check_output_dir(args.out) if args.out is not None else None
    text = read_text_file(args.text) if args.text else None
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` cleans up like Ctrl-C: no half checkpoint
    try:
        path = train_demo(out, seed=seed, steps=steps, text=text, text_source=str(args.text), time_budget=budget,
                          progress=not args.quiet, peak_memory=peak_rss_bytes)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(summary(path))
    return 0


def _interrupt(signum, frame):
    """SIGTERM handler: raise KeyboardInterrupt, so temporary files are removed on the way out."""
    raise KeyboardInterrupt


def add_download_arguments(parser) -> None:
    models = ", ".join(f"{key} ({release.name}, {release_bytes(release) / 1e9:.1f} GB)"
                       for key, release in RELEASES.items())
    parser.add_argument("--model", choices=list(RELEASES), default=DEFAULT_RELEASE,
                        help=f"which model: {models}; default {DEFAULT_RELEASE}")
    parser.add_argument("--source", choices=list(SOURCES), default="modelscope",
                        help="modelscope (default; no login needed) or hf: Hugging Face, which needs the licence "
                             "accepted on the model page and a token (`huggingface-cli login`, or HF_TOKEN)")
    parser.add_argument("--dir", default=None,
                        help="target directory (default: weights/<model name>/original, e.g. "
                             "weights/Llama-3.2-1B-Instruct/original)")
    parser.add_argument("--verify-only", action="store_true",
                        help="download nothing: check the files already in the target directory")
    parser.epilog = ("Fetches only original/{params.json,tokenizer.model,consolidated.00.pth}. Files already there "
                     "are never overwritten; a complete checkpoint is left alone. To place the files by hand, copy "
                     "those three files into the target directory and run with --verify-only. See docs/weights.md.")


def run(args) -> int:
    if args.command == "demo":
        out = make_demo_checkpoint(args.out or demo_checkpoint_dir(args.size), size=args.size, seed=args.seed)
        print(f"wrote a {args.size} demo checkpoint (random weights) to {out}")
        return 0
    if args.command == "download":
        return run_download(args)
    if args.command == "train":
        return run_train(args)
    return run_generate(args)


def run_download(args) -> int:
    target = Path(args.dir).expanduser() if args.dir else default_dir(args.model)
    if args.verify_only:
        config = verify_checkpoint(target)  # CheckpointError: one line and exit 2 (see main)
        print(f"{target}: verified ({config.n_layers} layers, dim {config.dim}, vocab {config.vocab_size}; "
              f"keys and shapes match params.json, tokenizer.model has {NUM_BASE_TOKENS} ranks)")
        return 0
    try:
        download(args.model, args.source, target)
    except DownloadError as e:
        message = " ".join(str(e).split())  # one line, whatever the libraries put in their messages
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0


def run_generate(args) -> int:
    info = checkpoint_from_arg(args.checkpoint)
    tokenizer = load_tokenizer(info.path)
    dtype = args.dtype or ("bfloat16" if args.quantize else "float32")
    model = load_model(info.path, device=args.device, dtype=dtype, quantize=args.quantize, prepack=args.prepack)
    print(info.banner(), file=sys.stderr)  # after loading: a broken checkpoint gives only the one error line
    if args.chat:
        messages = ([{"role": "system", "content": args.system}] if args.system else []) + \
                   [{"role": "user", "content": args.prompt}]
        prompt_ids = tokenizer.encode_dialog(messages)
    else:
        prompt_ids = tokenizer.encode(args.prompt, bos=True)
    stream = generate_stream(model, prompt_ids, args.max_new_tokens, temperature=args.temperature,
                             top_p=args.top_p, stop_tokens=tokenizer.stop_tokens, seed=args.seed,
                             use_cache=not args.no_cache)
    print(args.prompt if not args.chat else "", end="", flush=True)
    pending: list[int] = []  # tokens of a multi-byte character that is not complete yet
    for token in stream:
        pending.append(token)
        text = tokenizer.decode(pending)
        if not text.endswith("\ufffd"):
            print(text, end="", flush=True)
            pending = []
    if pending:
        print(tokenizer.decode(pending), end="")
    print()
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m llama_scratch", description="Llama 3.2 from scratch: generate "
                                     "text, train a tiny one, download weights, export figures, benchmark.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name != chosen:
            continue  # import only the module of the command asked for
        if module_name == __name__:
            add_arguments(p, name)
        else:
            importlib.import_module(module_name).add_arguments(p)
    args = parser.parse_args(argv)
    module_name = SUBCOMMANDS[args.command][0]
    command = run if module_name == __name__ else importlib.import_module(module_name).run
    try:
        return command(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError, RuntimeError) as e:  # CheckpointError is a ValueError
        if os.environ.get("LLAMA_SCRATCH_DEBUG"):
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
