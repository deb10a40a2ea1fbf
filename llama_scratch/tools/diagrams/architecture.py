"""The whole model as one diagram, with its sizes read from a ModelConfig and one part highlighted:

token ids → embedding → n_layers × [RMSNorm → attention (GQA, RoPE) → + → RMSNorm → SwiGLU → +] → RMSNorm →
output (tied) → logits, plus the KV cache, the generation loop and the training loss around it.
"""

from __future__ import annotations

from ..i18n import text
from .canvas import MUTED, Canvas, Diagram

# The drawn parts (each a <g data-part=...> in the SVG).
ELEMENTS = ("tokenizer", "embedding", "rmsnorm", "rope", "attention", "kv_cache", "swiglu", "block", "output",
            "sampling", "loss")
# Names a notebook may pass as highlight=: every element, plus groups of elements.
GROUPS = {
    "forward": ("embedding", "rmsnorm", "rope", "attention", "swiglu", "block", "output"),
    "generation": ("sampling", "kv_cache"),
    "weights": ("embedding", "rmsnorm", "attention", "swiglu", "output"),  # every tensor of consolidated.00.pth
    "speed": ("embedding", "rmsnorm", "attention", "swiglu", "output", "kv_cache"),  # read for every new token
    "training": ("loss",),
}
PARTS = ELEMENTS + tuple(GROUPS)

STREAM_X = 210  # the residual stream runs down this line
SUB_X = 450  # centre of the sub-layer boxes (norms, attention, SwiGLU) inside the block
SIDE_X = 760  # centre of the RoPE and KV-cache boxes
MAIN_W, SUB_W, SIDE_W = 340, 330, 220


def highlighted_elements(highlight) -> set[str]:
    """The elements that ``highlight`` (None, a part name or several) marks; ValueError names the valid parts."""
    if highlight is None:
        return set()
    names = (highlight,) if isinstance(highlight, str) else tuple(highlight)
    out: set[str] = set()
    for name in names:
        if name not in PARTS:
            raise ValueError(f"highlight={name!r} is not a part of the diagram; choose from {', '.join(PARTS)}")
        out |= set(GROUPS.get(name, (name,)))
    return out


def _arrow_down(c: Canvas, x, y0, y1, label=None, **kw):
    c.line([(x, y0), (x, y1)], arrow=True, **kw)
    if label:
        c.text(x + 10, (y0 + y1) / 2 + 5, label, size=12, anchor="start", color=MUTED)


def _block(c: Canvas, config, lang, hl: set, y0: float) -> tuple[float, float]:
    """The repeated block from y0 down; returns (the y where the stream leaves it, the right edge of its content)."""
    d, h, k, e, f = config.dim, config.n_heads, config.n_kv_heads, config.head_dim, config.ffn_hidden_dim
    in_block = "block" in hl
    y = y0 + 40
    c.line([(STREAM_X, y0), (STREAM_X, y)])
    for sub in ("attention", "swiglu"):
        branch = y
        c.circle(STREAM_X, branch, 4, part="block", hl=in_block, fill=MUTED)
        _, ny, _, nh = c.box(SUB_X, y + 12, [text("diagram.rmsnorm", lang)], min_w=SUB_W, part="rmsnorm",
                             hl="rmsnorm" in hl)
        c.line([(STREAM_X, branch), (SUB_X, branch), (SUB_X, ny)], arrow=True)
        top = ny + nh + 22
        c.line([(SUB_X, ny + nh), (SUB_X, top)], arrow=True)
        if sub == "attention":
            lines = [text("diagram.attention", lang), text("diagram.attention.detail", lang, h=h, k=k, e=e)]
        else:
            lines = [text("diagram.swiglu", lang), text("diagram.swiglu.detail", lang, d=d, f=f)]
        bx, by, bw, bh = c.box(SUB_X, top, lines, min_w=SUB_W, part=sub, hl=sub in hl)
        if sub == "attention":
            right = _side_boxes(c, config, lang, hl, bx + bw, by)
        add_y = by + bh + 30
        c.line([(SUB_X, by + bh), (SUB_X, add_y), (STREAM_X + 13, add_y)], arrow=True)
        c.circle(STREAM_X, add_y, 13, part="block", hl=in_block)
        c.text(STREAM_X, add_y + 6, "+", size=18, bold=True, part="block", hl=in_block)
        c.text(STREAM_X - 20, add_y + 5, text("diagram.residual", lang), size=12, anchor="end", color=MUTED,
               part="block", hl=in_block)
        c.line([(STREAM_X, branch), (STREAM_X, add_y - 13)], arrow=True)
        y = add_y + 13 + 30
        c.line([(STREAM_X, add_y + 13), (STREAM_X, y)])
    return y, right


def _side_boxes(c: Canvas, config, lang, hl: set, attn_right, y) -> float:
    """RoPE (rotating q and k inside attention) and the KV cache (keys and values kept for later tokens), beside
    the attention box whose right edge is attn_right; returns their right edge."""
    if config.use_scaled_rope:
        detail = text("diagram.rope.scaled", lang, theta=f"{config.rope_theta:g}",
                      factor=f"{config.rope_scaling_factor:g}")
    else:
        detail = text("diagram.rope.unscaled", lang, theta=f"{config.rope_theta:g}")
    x, ry, w, rh = c.box(SIDE_X, y - 34, [text("diagram.rope", lang), detail], min_w=SIDE_W, part="rope",
                         hl="rope" in hl, size=13)
    c.line([(x, ry + rh / 2), (attn_right, ry + rh / 2)], arrow=True, color=MUTED)
    right = x + w
    x, ky, w, kh = c.box(SIDE_X, ry + rh + 14, [text("diagram.kv_cache", lang), text("diagram.kv_cache.detail", lang)],
                         min_w=SIDE_W, part="kv_cache", hl="kv_cache" in hl, size=13, dash=True)
    c.line([(attn_right, ky + kh / 2), (x, ky + kh / 2)], color=MUTED, dash=True)
    return max(right, x + w)


def architecture(config, highlight=None, *, tied: bool = True, lang: str | None = None) -> Diagram:
    """The model's architecture for ``config`` (a ModelConfig), with ``highlight`` (a name of PARTS, or several)
    drawn in colour. ``tied``: the output projection is the embedding matrix (Llama 3.2 1B and 3B)."""
    hl = highlighted_elements(highlight)
    d, v = config.dim, config.vocab_size
    c = Canvas(text("diagram.arch.title", lang, n_layers=config.n_layers, d=d, v=v))
    c.text(16, 26, c.title, size=16, bold=True, anchor="start")
    _, y, _, h = c.box(STREAM_X, 46, [text("diagram.tokenizer", lang), text("diagram.tokenizer.detail", lang)],
                       min_w=MAIN_W, part="tokenizer", hl="tokenizer" in hl)
    tokens_y = y + h / 2
    _arrow_down(c, STREAM_X, y + h, y + h + 34, text("diagram.token_ids", lang))
    _, y, _, h = c.box(STREAM_X, y + h + 34, [text("diagram.embedding", lang),
                                              text("diagram.embedding.detail", lang, v=v, d=d)],
                       min_w=MAIN_W, part="embedding", hl="embedding" in hl)
    _arrow_down(c, STREAM_X, y + h, y + h + 30, "[b, s, d]")
    frame_top = y + h + 30
    first = len(c.items)
    bottom, right = _block(c, config, lang, hl, frame_top)
    c.rect(STREAM_X - 150, frame_top, right + 14 - (STREAM_X - 150), bottom - frame_top, part="block",
           hl="block" in hl, fill="none", dash=True, rx=12)
    c.items.insert(first, c.items.pop())  # the frame goes under the block's content
    c.text(SUB_X - SUB_W / 2, frame_top + 24, text("diagram.block", lang, n=config.n_layers), size=15, bold=True,
           anchor="start", part="block", hl="block" in hl)
    _arrow_down(c, STREAM_X, bottom, bottom + 28, "[b, s, d]")
    _, y, _, h = c.box(STREAM_X, bottom + 28, [text("diagram.final_norm", lang)], min_w=MAIN_W, part="rmsnorm",
                       hl="rmsnorm" in hl)
    _arrow_down(c, STREAM_X, y + h, y + h + 26)
    tie = text("diagram.output.tied" if tied else "diagram.output.untied", lang)
    _, y, _, h = c.box(STREAM_X, y + h + 26, [text("diagram.output", lang), tie], min_w=MAIN_W, part="output",
                       hl="output" in hl)
    _arrow_down(c, STREAM_X, y + h, y + h + 30)
    logits_y = y + h + 52
    c.text(STREAM_X, logits_y, text("diagram.logits", lang), size=15, bold=True)
    _loop(c, lang, hl, logits_y, tokens_y)
    _, y, _, h = c.box(STREAM_X, logits_y + 40, [text("diagram.loss", lang), text("diagram.loss.detail", lang)],
                       min_w=MAIN_W, part="loss", hl="loss" in hl)
    c.line([(STREAM_X, logits_y + 8), (STREAM_X, logits_y + 40)], arrow=True)
    if hl:
        names = (highlight,) if isinstance(highlight, str) else tuple(highlight)
        parts = text("diagram.list_separator", lang).join(text(f"diagram.part.{n}", lang) for n in names)
        c.text(16, y + h + 34, text("diagram.highlighted", lang, parts=parts), size=14, anchor="start",
               color="#d9480f", bold=True)
    return Diagram(c)


def _loop(c: Canvas, lang, hl: set, logits_y, tokens_y) -> None:
    """Generation: from the logits pick a token, append it to the token ids, run again (the arrow back up)."""
    on = "sampling" in hl
    x, y, w, h = c.box(SUB_X + 60, logits_y - 26, [text("diagram.sampling", lang),
                                                  text("diagram.sampling.detail", lang)],
                       min_w=SUB_W, part="sampling", hl=on)
    c.line([(STREAM_X + 70, logits_y - 5), (x, logits_y - 5)], arrow=True, part="sampling", hl=on)
    right = c.extent()[0] + 10  # beyond everything drawn so far
    c.line([(x + w, y + h / 2), (right, y + h / 2), (right, tokens_y), (STREAM_X + 170, tokens_y)], arrow=True,
           part="sampling", hl=on, dash=True)
