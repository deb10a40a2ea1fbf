"""``python -m llama_scratch figures``: export attention and RoPE figures for slides (PNG, SVG, PDF), and the
interactive views as standalone pages (HTML: attention_explorer, rope_explorer, logit_lens, sampling).

With ``--lesson NN`` it writes that lesson's slide figures instead, named in lecture order (tools/lessons.py).
``--lang zh`` draws every title, axis label and legend in Chinese (default: the default language, see tools.i18n),
with a Chinese default prompt, into build/figures/zh/... unless ``--out`` is given.

File names say what they show: attention_L{layer}_H{head}, attention_L{layer}_all_heads, attention_H{head}_all_layers,
attention_stages_L{layer}_H{head}, rope_frequencies, rope_spokes, rope_relative_distance — one file per format.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from ..checkpoints import checkpoint_from_arg, load_model, load_tokenizer
from ..core import load_config
from . import i18n, lessons, plots
from .labels import default_prompt, model_title  # noqa: F401  (model_title: part of this module's interface)
from .views import make_views
from .views.attention import fits_on_page

FORMATS = ("png", "svg", "pdf", "html")


def add_arguments(parser) -> None:
    parser.add_argument("--prompt", default=None, help="text whose attention is drawn (default: a short sentence "
                        "in the figures' language)")
    parser.add_argument("--out", default=None, help="output folder (default: build/figures/default, or "
                        "build/figures/lesson-NN; under build/figures/zh/ for --lang zh)")
    parser.add_argument("--lang", default=None, help=f"language of titles and labels: {', '.join(i18n.LANGUAGES)} "
                        f"(default: {i18n.LANG_ENV}, else zh in a folder named zh, else en)")
    parser.add_argument("--lesson", default=None,
                        help="write lesson NN's slide figures (00-10), named in lecture order")
    parser.add_argument("--layers", default="0,last", help="comma-separated layer indices, 'last' allowed (the "
                        "HTML attention explorer holds every layer when they fit in one page, else these)")
    parser.add_argument("--heads", default="0", help="comma-separated head indices, 'last' allowed")
    parser.add_argument("--format", default="png", help="comma-separated: png, svg, pdf, html")
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--checkpoint", default=None, help="checkpoint directory (default: see README)")
    parser.add_argument("--device", default="cpu")


def parse_indices(text: str, n: int, what: str) -> list[int]:
    """'0,3,last' -> [0, 3, n-1]; raises ValueError naming the valid range."""
    out = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            i = n - 1 if part == "last" else int(part)
        except ValueError:
            raise ValueError(f"--{what}s: {part!r} is not an integer (use e.g. 0,1,last)") from None
        if not 0 <= i < n:
            raise ValueError(f"--{what}s: {what} {i} is out of range; this model has {what}s 0..{n - 1}")
        out.append(i)
    if not out:
        raise ValueError(f"--{what}s: give at least one {what} index (0..{n - 1})")
    return sorted(set(out))


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in str(text).split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"--format: unknown format {bad[0] if bad else text!r}; choose from {', '.join(FORMATS)}")
    return formats


def make_figures(model, tokenizer, prompt: str, layers, heads, model_name: str, lang: str | None = None) -> dict:
    """name -> matplotlib Figure for the given prompt, layers and heads (see the module docstring for names), with
    words in ``lang``."""
    ids = tokenizer.encode(prompt, bos=True)
    labels = plots.token_labels(tokenizer, ids)
    tokens = torch.tensor([ids], device=model.device)
    with torch.inference_mode():
        _, maps = model(tokens, return_attention=True)  # n_layers x [1, h, s, s]
    figs, kw = {}, dict(model_name=model_name, prompt=prompt, lang=lang)
    for layer in layers:
        figs[f"attention_L{layer:02d}_all_heads"] = plots.attention_grid(maps[layer][0], labels, layer=layer, **kw)
        for head in heads:
            figs[f"attention_L{layer:02d}_H{head:02d}"] = plots.attention_heatmap(
                maps[layer][0, head], labels, layer=layer, head=head, **kw)
            figs[f"attention_stages_L{layer:02d}_H{head:02d}"] = _stages(model, tokens, layer, head, labels, **kw)
    for head in heads:
        stacked = torch.stack([m[0, head] for m in maps])  # [L, s, s]
        figs[f"attention_H{head:02d}_all_layers"] = plots.attention_across_layers(stacked, labels, head=head, **kw)
    kw.pop("prompt")
    figs["rope_frequencies"] = plots.rope_frequencies_figure(model.config, **kw)
    figs["rope_spokes"] = plots.rope_spokes_figure(model.config, **kw)
    figs["rope_relative_distance"] = plots.rope_relative_distance_figure(model.config, **kw)
    return figs


def _stages(model, tokens, layer, head, labels, **kw):
    """Raw scores, masked scores and weights of one head, computed by the model itself (Llama.attention_stages)."""
    with torch.inference_mode():
        scores, masked, weights = (t[0, head] for t in model.attention_stages(tokens, layer))  # [s, s] each
    return plots.attention_stages(scores, masked, weights, labels, layer=layer, head=head, **kw)


def check_lang(args, default_out: str) -> None:
    """Resolve --lang (ValueError naming it when unknown), then the defaults that follow from it: --prompt (a
    sentence in that language) and --out (``default_out`` under build/figures/, or build/figures/zh/)."""
    lang = None if args.lang is None else str(args.lang).strip().lower()
    if lang is not None and lang not in i18n.LANGUAGES:
        raise ValueError(f"--lang {args.lang!r}: unknown language; use one of {', '.join(i18n.LANGUAGES)}")
    args.lang = i18n.resolve(lang)
    args.prompt = default_prompt(args.lang) if args.prompt is None else args.prompt
    args.out = args.out or str(Path("build/figures", *(["zh"] if args.lang == "zh" else []), default_out))


def check_output_args(args) -> tuple[list[str], Path]:
    """(formats, output folder) from --format, --dpi, --prompt and --out; ValueError naming the bad one."""
    formats = parse_formats(args.format)
    if not 0 < args.dpi <= 1200:
        raise ValueError(f"--dpi must be between 1 and 1200, got {args.dpi}")
    if not args.prompt.strip():
        raise ValueError("--prompt is empty: give some text whose attention to draw")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder: choose a folder for the figures")
    return formats, out


def run(args) -> int:
    """Validate every argument (formats, dpi, prompt, output folder, layers and heads against params.json), then
    load the model, draw the figures and write them; print each path written."""
    if args.lesson is not None:
        return run_lesson(args)
    check_lang(args, "default")
    formats, out = check_output_args(args)
    info = checkpoint_from_arg(args.checkpoint)
    config = load_config(info.path)
    layers = parse_indices(args.layers, config.n_layers, "layer")
    heads = parse_indices(args.heads, config.n_heads, "head")
    print(info.banner(), file=sys.stderr)
    model = load_model(info.path, device=args.device)
    tokenizer = load_tokenizer(info.path)
    pictures = [f for f in formats if f != "html"]
    name = model_title(info, args.lang)
    figs = make_figures(model, tokenizer, args.prompt, layers, heads, name, args.lang) if pictures else {}
    for fig_name, fig in figs.items():
        for path in plots.save_figure(fig, fig_name, out, formats=pictures, dpi=args.dpi):
            print(path)
        plt.close(fig)
    if "html" in formats:
        every = fits_on_page(config, len(tokenizer.encode(args.prompt, bos=True)))
        for view_name, view in make_views(model, tokenizer, args.prompt, name, layers=None if every else layers,
                                          lang=args.lang).items():
            print(view.save(out / f"{view_name}.html"))
    return 0


def run_lesson(args) -> int:
    """The --lesson form: lesson NN's slide figures (tools/lessons.py) into one folder; print each path written."""
    lesson = lessons.parse_lesson(args.lesson)
    check_lang(args, f"lesson-{lesson:02d}")
    formats, out = check_output_args(args)
    if "html" in formats:
        raise ValueError("--format html saves the interactive views, not a lesson's slides: use png, svg or pdf "
                         "with --lesson")
    sources = lessons.Sources(args.checkpoint, args.prompt, args.device, args.lang)
    if lesson in lessons.NEEDS_CHECKPOINT:
        sources.attention()  # a bad --checkpoint fails here, before anything is drawn
    for path in lessons.write_lesson(lesson, out, formats, args.dpi, sources):
        print(path)
    return 0
