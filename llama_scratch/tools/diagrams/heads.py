"""Two attention diagrams for a ModelConfig: which kv head each query head reads (grouped-query attention), and
what the KV cache holds through a prefill and a few decode steps, with its size in bytes."""

from __future__ import annotations

import torch

from ...core import KVCache
from ..i18n import text
from .canvas import INK, MUTED, Canvas, Diagram

# Light fill and darker stroke per kv head group (repeats after eight groups).
GROUP_COLOURS = (("#d0ebff", "#1c7ed6"), ("#ffe3e3", "#e03131"), ("#d3f9d8", "#2f9e44"), ("#fff3bf", "#f08c00"),
                 ("#e5dbff", "#7048e8"), ("#c5f6fa", "#0c8599"), ("#ffdeeb", "#c2255c"), ("#e9ecef", "#495057"))
PREFILL_COLOUR = ("#d0ebff", "#1c7ed6")
STEP_COLOURS = (("#ffd8a8", "#e8590c"), ("#d3f9d8", "#2f9e44"), ("#e5dbff", "#7048e8"), ("#ffdeeb", "#c2255c"))


def gqa(config, *, lang: str | None = None) -> Diagram:
    """Query heads (top row) joined to the kv head they read (bottom row): head j reads kv head j // n_rep."""
    h, k, n_rep = config.n_heads, config.n_kv_heads, config.n_rep
    c = Canvas(text("diagram.gqa.title", lang, h=h, k=k, n_rep=n_rep))
    c.text(16, 26, c.title, size=16, bold=True, anchor="start")
    box, gap, x0 = (28, 6, 30) if h > 16 else (48, 10, 30)
    q_y, q_h, kv_y, kv_h = 84, 30, 210, 40
    c.text(x0, q_y - 12, text("diagram.gqa.query_heads", lang, last=h - 1), size=14, anchor="start")
    for g in range(k):
        fill, stroke = GROUP_COLOURS[g % len(GROUP_COLOURS)]
        left = x0 + g * n_rep * (box + gap)
        width = n_rep * (box + gap) - gap
        for j in range(g * n_rep, (g + 1) * n_rep):  # the query heads of this group
            x = x0 + j * (box + gap)
            c.line([(x + box / 2, q_y + q_h), (left + width / 2, kv_y)], color=stroke, part=f"query-head-{j}")
            c.rect(x, q_y, box, q_h, fill=fill, stroke=stroke, rx=4, part=f"query-head-{j}")
            c.text(x + box / 2, q_y + 20, str(j), size=12, part=f"query-head-{j}")
        c.rect(left, kv_y, width, kv_h, fill=fill, stroke=stroke, part=f"kv-head-{g}")
        c.text(left + width / 2, kv_y + 26, str(g), size=15, bold=True, part=f"kv-head-{g}")
    c.text(x0, kv_y + kv_h + 24, text("diagram.gqa.kv_heads", lang, last=k - 1), size=14, anchor="start")
    c.text(x0, kv_y + kv_h + 54, text("diagram.gqa.rule", lang, n_rep=n_rep), size=14, anchor="start", bold=True)
    c.text(x0, kv_y + kv_h + 80, text("diagram.gqa.saving", lang, h=h, k=k, n_rep=n_rep), size=14, anchor="start",
           color=MUTED)
    return Diagram(c)


def _layer_rows(n_layers: int) -> list[int | None]:
    """The layers drawn as rows: all up to 16, else the first three, a gap (None) and the last."""
    return list(range(n_layers)) if n_layers <= 16 else [0, 1, 2, None, n_layers - 1]


def kv_cache(config, prompt_len: int = 6, new_tokens: int = 3, *, dtype=None, lang: str | None = None) -> Diagram:
    """The cache as a grid of layers × positions: the prefill writes positions 0..prompt_len-1 of every layer at
    once, then each decode step writes one more position and reads all before it. Sizes in bytes from ``config``
    for ``dtype`` (default bfloat16, as Meta stores the weights)."""
    if prompt_len < 1 or new_tokens < 0:
        raise ValueError(f"kv_cache diagram: prompt_len must be >= 1 and new_tokens >= 0, got {prompt_len}, "
                         f"{new_tokens}")
    dtype = dtype or torch.bfloat16
    L, k, e = config.n_layers, config.n_kv_heads, config.head_dim
    c = Canvas(text("diagram.kv.title", lang, n_layers=L, s=prompt_len, n=new_tokens))
    c.text(16, 26, c.title, size=16, bold=True, anchor="start")
    cell_w, cell_h, x0, y0 = 40, 18, 130, 76
    positions = prompt_len + new_tokens
    c.text(x0 - 10, y0 - 10, text("diagram.kv.position", lang), size=12, anchor="end", color=MUTED)
    for p in range(positions):
        c.text(x0 + p * cell_w + cell_w / 2, y0 - 10, str(p), size=12, color=MUTED)
    rows = _layer_rows(L)
    for r, layer in enumerate(rows):
        y = y0 + r * cell_h
        if layer is None:
            c.text(x0 + positions * cell_w / 2, y + 13, text("diagram.kv.more_layers", lang, n=L - 4), size=12,
                   color=MUTED)
            continue
        c.text(x0 - 10, y + 13, text("diagram.kv.layer", lang, i=layer), size=12, anchor="end")
        for p in range(positions):
            fill, stroke = PREFILL_COLOUR if p < prompt_len else STEP_COLOURS[(p - prompt_len) % len(STEP_COLOURS)]
            part = "prefill" if p < prompt_len else f"decode-{p - prompt_len + 1}"
            c.rect(x0 + p * cell_w, y, cell_w, cell_h, fill=fill, stroke=stroke, rx=0, part=part)
    y = y0 + len(rows) * cell_h + 14
    if new_tokens:  # the last step reads every position: an arrow over the whole row
        stroke = STEP_COLOURS[(new_tokens - 1) % len(STEP_COLOURS)][1]
        c.line([(x0 + (positions - 0.5) * cell_w, y), (x0 + 4, y)], arrow=True, color=stroke)
        y += 14
    legend = [(PREFILL_COLOUR, text("diagram.kv.prefill", lang, last=prompt_len - 1))]
    legend += [(STEP_COLOURS[i % len(STEP_COLOURS)], text("diagram.kv.decode", lang, i=i + 1, pos=prompt_len + i))
               for i in range(new_tokens)]
    for (fill, stroke), line in legend:
        c.rect(x0, y, 14, 14, fill=fill, stroke=stroke, rx=2)
        c.text(x0 + 22, y + 12, line, size=13, anchor="start")
        y += 22
    per_token = KVCache(config, 1, 1, device="meta", dtype=dtype).nbytes()  # K and V, every layer, one position
    full = KVCache(config, 1, config.max_seq_len, device="meta", dtype=dtype).nbytes()
    nbytes = torch.tensor([], dtype=dtype).element_size()
    facts = [text("diagram.kv.stored", lang, k=k, e=e),
             text("diagram.kv.per_token", lang, n_layers=L, k=k, e=e, nbytes=nbytes, total=f"{per_token:,}",
                  kib=f"{per_token / 1024:g}", dtype=str(dtype).replace("torch.", "")),
             text("diagram.kv.full", lang, t=f"{config.max_seq_len:,}", gib=f"{full / 2**30:.2f}")]
    y += 12
    for i, line in enumerate(facts):
        c.text(16, y + 22 * i, line, size=14, anchor="start", bold=i == 0, color=INK)
    return Diagram(c)
