"""``python -m llama_scratch figures``: export attention and RoPE figures for slides (PNG, SVG, PDF), and the
interactive views as standalone pages (HTML: attention_explorer, rope_explorer, logit_lens, sampling).

File names say what they show: attention_L{layer}_H{head}, attention_L{layer}_all_heads, attention_H{head}_all_layers,
attention_stages_L{layer}_H{head}, rope_frequencies, rope_spokes, rope_relative_distance — one file per format.
"""

from __future__ import annotations

import sys
from pathlib import Path

FORMATS = ("png", "svg", "pdf", "html")
DEFAULT_PROMPT = "The llama looked at the alpaca, and it smiled."


def add_arguments(parser) -> None:
    parser.add_argument("--prompt", default=DEFAULT_PROMPT, help="text whose attention is drawn")
    parser.add_argument("--out", default="build/figures/default", help="output folder")
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


def make_figures(model, tokenizer, prompt: str, layers, heads, model_name: str) -> dict:
    """name -> matplotlib Figure for the given prompt, layers and heads (see the module docstring for names)."""
    import torch

    from . import plots

    ids = tokenizer.encode(prompt, bos=True)
    labels = plots.token_labels(tokenizer, ids)
    tokens = torch.tensor([ids], device=model.device)
    with torch.inference_mode():
        _, maps = model(tokens, return_attention=True)  # n_layers x [1, h, s, s]
    figs = {}
    for layer in layers:
        figs[f"attention_L{layer:02d}_all_heads"] = plots.attention_grid(maps[layer][0], labels, layer=layer,
                                                                         model_name=model_name, prompt=prompt)
        for head in heads:
            figs[f"attention_L{layer:02d}_H{head:02d}"] = plots.attention_heatmap(
                maps[layer][0, head], labels, layer=layer, head=head, model_name=model_name, prompt=prompt)
            figs[f"attention_stages_L{layer:02d}_H{head:02d}"] = _stages(model, tokens, layer, head, labels,
                                                                          model_name, prompt)
    for head in heads:
        stacked = torch.stack([m[0, head] for m in maps])  # [L, s, s]
        figs[f"attention_H{head:02d}_all_layers"] = plots.attention_across_layers(stacked, labels, head=head,
                                                                                 model_name=model_name, prompt=prompt)
    figs["rope_frequencies"] = plots.rope_frequencies_figure(model.config, model_name=model_name)
    figs["rope_spokes"] = plots.rope_spokes_figure(model.config, model_name=model_name)
    figs["rope_relative_distance"] = plots.rope_relative_distance_figure(model.config, model_name=model_name)
    return figs


def _stages(model, tokens, layer, head, labels, model_name, prompt=None):
    """Raw scores, masked scores and weights of one head (analysis.attention_stages)."""
    from . import plots
    from .analysis.attention import attention_stages

    stages = attention_stages(model, tokens, layers=[layer])[layer]  # [1, h, s, s] each
    return plots.attention_stages(stages.scores[0, head], stages.masked[0, head], stages.weights[0, head], labels,
                                  layer=layer, head=head, model_name=model_name, prompt=prompt)


def model_title(info, lang=None) -> str:
    """The model as titles name it: the checkpoint folder (Meta's files sit in <name>/original/), plus
    '(demo: random weights)' for a demo checkpoint so no slide passes noise off as the real model."""
    from .tools.i18n import text

    path = Path(info.path)
    name = path.parent.name if path.name == "original" and path.parent.name else path.name
    return text("model.demo_title", lang, name=name) if info.is_demo else name


def run(args) -> int:
    """Validate every argument (formats, dpi, prompt, output folder, layers and heads against params.json), then
    load the model, draw the figures and write them; print each path written."""
    from .checkpoint import checkpoint_from_arg, load_config, load_model, load_tokenizer

    formats = parse_formats(args.format)
    if not 0 < args.dpi <= 1200:
        raise ValueError(f"--dpi must be between 1 and 1200, got {args.dpi}")
    if not args.prompt.strip():
        raise ValueError("--prompt is empty: give some text whose attention to draw")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder: choose a folder for the figures")
    info = checkpoint_from_arg(args.checkpoint)
    config = load_config(info.path)
    layers = parse_indices(args.layers, config.n_layers, "layer")
    heads = parse_indices(args.heads, config.n_heads, "head")
    print(info.banner(), file=sys.stderr)
    model = load_model(info.path, device=args.device)
    import matplotlib.pyplot as plt

    from .plots import save_figure

    tokenizer = load_tokenizer(info.path)
    pictures = [f for f in formats if f != "html"]
    figs = make_figures(model, tokenizer, args.prompt, layers, heads, model_title(info)) if pictures else {}
    for fig_name, fig in figs.items():
        for path in save_figure(fig, fig_name, out, formats=pictures, dpi=args.dpi):
            print(path)
        plt.close(fig)
    if "html" in formats:
        from .tools.views import make_views
        from .tools.views.attention import fits_on_page

        every = fits_on_page(config, len(tokenizer.encode(args.prompt, bos=True)))
        for name, view in make_views(model, tokenizer, args.prompt, model_title(info),
                                     layers=None if every else layers).items():
            print(view.save(out / f"{name}.html"))
    return 0
