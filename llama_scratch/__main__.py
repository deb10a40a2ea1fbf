"""Command line: ``python -m llama_scratch {generate,download,figures,bench,demo} ...``.

Every error becomes one line on stderr and exit code 2 (no traceback); set LLAMA_SCRATCH_DEBUG=1 to see it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Subcommands living in their own modules: each module has add_arguments(parser) and run(args) -> int.
SUBCOMMANDS = {
    "generate": ("llama_scratch.__main__", "Generate text, streaming tokens as they come."),
    "demo": ("llama_scratch.__main__", "Write a random demo checkpoint in Meta's format."),
    "download": ("llama_scratch.download", "Download the real Llama-3.2-1B(-Instruct) original/ files."),
    "figures": ("llama_scratch.figures", "Export attention and RoPE figures (PNG, SVG, PDF)."),
    "bench": ("llama_scratch.bench", "Benchmark against Hugging Face transformers."),
}


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of the subcommands implemented in this file (generate, demo)."""
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
        parser.add_argument("--dtype", default="float32", help="float32 (default), bfloat16 or float16")
        parser.add_argument("--no-cache", action="store_true", help="recompute everything at every step")
    elif name == "demo":
        parser.add_argument("--size", default="tiny", choices=["tiny", "1b"])
        parser.add_argument("--out", default=None, help="directory (default: weights/demo-<size>/original)")
        parser.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    if args.command == "demo":
        from .demo import demo_checkpoint_dir, make_demo_checkpoint

        out = make_demo_checkpoint(args.out or demo_checkpoint_dir(args.size), size=args.size, seed=args.seed)
        print(f"wrote a {args.size} demo checkpoint (random weights) to {out}")
        return 0
    return run_generate(args)


def run_generate(args) -> int:
    from .checkpoint import checkpoint_from_arg, load_model, load_tokenizer

    info = checkpoint_from_arg(args.checkpoint)
    tokenizer = load_tokenizer(info.path)
    model = load_model(info.path, device=args.device, dtype=args.dtype)
    print(info.banner(), file=sys.stderr)  # after loading: a broken checkpoint gives only the one error line
    if args.chat:
        messages = ([{"role": "system", "content": args.system}] if args.system else []) + \
                   [{"role": "user", "content": args.prompt}]
        prompt_ids = tokenizer.encode_dialog(messages)
    else:
        prompt_ids = tokenizer.encode(args.prompt, bos=True)
    from .generate import generate_stream

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
    parser = argparse.ArgumentParser(prog="python -m llama_scratch", description="Llama 3.2 from scratch: generate text, download weights, export figures, benchmark.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name != chosen:
            continue  # import only the module of the command asked for
        module = None if module_name == "llama_scratch.__main__" else importlib.import_module(module_name)
        add_arguments(p, name) if module is None else module.add_arguments(p)
    args = parser.parse_args(argv)
    module_name = SUBCOMMANDS[args.command][0]
    command = run if module_name == "llama_scratch.__main__" else importlib.import_module(module_name).run
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


if __name__ == "__main__":
    sys.exit(main())
