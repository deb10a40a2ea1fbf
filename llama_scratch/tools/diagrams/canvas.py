"""A tiny drawing surface for the diagrams: boxes, text, lines and arrows in pixel coordinates, written out as SVG
text (deterministic: the same input gives the same bytes) or drawn with matplotlib for PNG and PDF.

Every item may belong to a named part of a diagram (``part``) and be highlighted; in the SVG each run of items of
one part is a ``<g data-part="...">`` group whose class holds ``hl`` when highlighted, so tests and stylesheets can
find them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ...checkpoints.paths import write_atomically

INK = "#1f2933"
BOX_FILL, BOX_STROKE = "#eef2f7", "#5b6b7f"
HL_FILL, HL_STROKE, HL_TINT = "#ffd8a8", "#d9480f", "#fff4e6"
MUTED = "#5b6b7f"
PX_TO_PT = 0.72  # matplotlib draws the canvas at 100 px per inch; 1 px = 0.72 pt there


def text_width(text: str, size: float) -> float:
    """Rough width in pixels of text at font size ``size``: wide (CJK) characters 1 em, others 0.6 em."""
    return sum(size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6) for ch in text)


def font_stack() -> str:
    """The CSS font-family list: the font matplotlib uses for Latin text, then CJK fonts, then generic sans-serif."""
    from ..labels import BASE_FONT, CJK_FONTS  # labels imports matplotlib: only when a page or picture is made

    names = [BASE_FONT, "Helvetica", "Arial", *CJK_FONTS]
    return ", ".join(f"'{n}'" for n in names) + ", sans-serif"


def _num(x: float) -> str:
    """A coordinate as SVG text: an integer when it is one, else one decimal (deterministic)."""
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


@dataclass
class Item:
    """One drawn thing. kind: rect | text | line | circle; geometry and style in ``a``."""

    kind: str
    a: dict
    part: str | None = None
    hl: bool = False


@dataclass
class Canvas:
    """Items in drawing order, on a surface whose size grows to hold them."""

    title: str
    items: list[Item] = field(default_factory=list)
    margin: int = 16

    def rect(self, x, y, w, h, *, part=None, hl=False, fill=BOX_FILL, stroke=BOX_STROKE, dash=False, rx=6):
        if hl:  # an unfilled frame gets a pale tint, so the boxes inside it stay readable
            fill = HL_TINT if fill == "none" else HL_FILL
        self.items.append(Item("rect", dict(x=x, y=y, w=w, h=h, fill=fill,
                                            stroke=HL_STROKE if hl else stroke, sw=3 if hl else 1.5, dash=dash,
                                            rx=rx), part, hl))

    def text(self, x, y, s, *, size=14, anchor="middle", bold=False, color=INK, part=None, hl=False):
        self.items.append(Item("text", dict(x=x, y=y, s=str(s), size=size, anchor=anchor, bold=bold, color=color),
                               part, hl))

    def line(self, points, *, arrow=False, color=INK, width=1.5, dash=False, part=None, hl=False):
        self.items.append(Item("line", dict(points=[tuple(p) for p in points], arrow=arrow,
                                            color=HL_STROKE if hl else color, width=3 if hl else width, dash=dash),
                               part, hl))

    def circle(self, cx, cy, r, *, part=None, hl=False, fill="#ffffff"):
        self.items.append(Item("circle", dict(cx=cx, cy=cy, r=r, fill=HL_FILL if hl else fill,
                                              stroke=HL_STROKE if hl else BOX_STROKE, sw=3 if hl else 1.5),
                               part, hl))

    def box(self, cx, y, lines, *, min_w=200, size=14, part=None, hl=False, pad=12, line_gap=6, **kw):
        """A rounded box centred on cx with one or more lines of text (the first bold); returns (x, y, w, h)."""
        sizes = [size] + [size - 2] * (len(lines) - 1)
        w = max(min_w, max(text_width(t, s) for t, s in zip(lines, sizes)) + 2 * pad)
        h = sum(sizes) + line_gap * (len(lines) - 1) + 2 * pad
        self.rect(cx - w / 2, y, w, h, part=part, hl=hl, **kw)
        ty = y + pad
        for i, (t, s) in enumerate(zip(lines, sizes)):
            ty += s
            self.text(cx, ty - 3, t, size=s, bold=i == 0, part=part, hl=hl)
            ty += line_gap
        return cx - w / 2, y, w, h

    # --- size and output ------------------------------------------------------------------------------------
    def extent(self) -> tuple[float, float]:
        """(width, height) holding every item plus the margin."""
        right = bottom = 0.0
        for it in self.items:
            a = it.a
            if it.kind == "rect":
                right, bottom = max(right, a["x"] + a["w"]), max(bottom, a["y"] + a["h"])
            elif it.kind == "text":
                w = text_width(a["s"], a["size"])
                x_end = a["x"] + {"start": w, "middle": w / 2, "end": 0}[a["anchor"]]
                right, bottom = max(right, x_end), max(bottom, a["y"] + a["size"] * 0.3)
            elif it.kind == "line":
                right = max([right] + [p[0] for p in a["points"]])
                bottom = max([bottom] + [p[1] for p in a["points"]])
            else:
                right, bottom = max(right, a["cx"] + a["r"]), max(bottom, a["cy"] + a["r"])
        return float(round(right + self.margin)), float(round(bottom + self.margin))

    def svg(self) -> str:
        """The canvas as a standalone SVG document (UTF-8 text)."""
        w, h = self.extent()
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(w)}" height="{_num(h)}" '
               f'viewBox="0 0 {_num(w)} {_num(h)}" role="img">',
               f"<title>{escape(self.title)}</title>",
               f"<style>text {{ font-family: {escape(font_stack())}; }}</style>",
               "<defs>" + "".join(_marker(c) for c in sorted({it.a["color"] for it in self.items
                                                             if it.kind == "line" and it.a["arrow"]})) + "</defs>",
               f'<rect x="0" y="0" width="{_num(w)}" height="{_num(h)}" fill="#ffffff"/>']
        current = None  # (part, hl) of the open group
        for it in self.items:
            key = (it.part, it.hl) if it.part else None
            if key != current:
                if current:
                    out.append("</g>")
                if key:
                    out.append(f'<g data-part={quoteattr(it.part)} class="part{" hl" if it.hl else ""}">')
                current = key
            out.append(_svg_item(it))
        if current:
            out.append("</g>")
        out.append("</svg>")
        return "\n".join(out) + "\n"

    def figure(self):
        """The canvas drawn with matplotlib (a Figure, not registered with pyplot), for PNG and PDF."""
        from matplotlib.figure import Figure  # matplotlib only for PNG and PDF: SVG needs none

        from ..labels import cjk_font

        cjk_font()  # CJK glyphs fall back to an installed CJK font
        w, h = self.extent()
        fig = Figure(figsize=(w / 100, h / 100), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, w), ax.set_ylim(h, 0), ax.axis("off")
        for it in self.items:
            _mpl_item(ax, it)
        return fig


def _marker(color: str) -> str:
    """An arrowhead in one colour (markers cannot take the colour of the line in SVG 1.1)."""
    return (f'<marker id="arrow-{color.lstrip("#")}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="{color}"/></marker>')


def _svg_item(it: Item) -> str:
    a = it.a
    if it.kind == "rect":
        dash = ' stroke-dasharray="6 4"' if a["dash"] else ""
        return (f'<rect x="{_num(a["x"])}" y="{_num(a["y"])}" width="{_num(a["w"])}" height="{_num(a["h"])}" '
                f'rx="{a["rx"]}" fill="{a["fill"]}" stroke="{a["stroke"]}" stroke-width="{_num(a["sw"])}"{dash}/>')
    if it.kind == "text":
        weight = ' font-weight="bold"' if a["bold"] else ""
        return (f'<text x="{_num(a["x"])}" y="{_num(a["y"])}" font-size="{_num(a["size"])}" '
                f'text-anchor="{a["anchor"]}" fill="{a["color"]}"{weight}>{escape(a["s"])}</text>')
    if it.kind == "line":
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in a["points"])
        extra = f' marker-end="url(#arrow-{a["color"].lstrip("#")})"' if a["arrow"] else ""
        extra += ' stroke-dasharray="5 4"' if a["dash"] else ""
        return (f'<polyline points="{pts}" fill="none" stroke="{a["color"]}" stroke-width="{_num(a["width"])}"'
                f"{extra}/>")
    return (f'<circle cx="{_num(a["cx"])}" cy="{_num(a["cy"])}" r="{_num(a["r"])}" fill="{a["fill"]}" '
            f'stroke="{a["stroke"]}" stroke-width="{_num(a["sw"])}"/>')


def _mpl_item(ax, it: Item) -> None:
    from matplotlib.patches import Circle, FancyBboxPatch  # see Diagram.figure

    a = it.a
    if it.kind == "rect":
        ax.add_patch(FancyBboxPatch((a["x"], a["y"]), a["w"], a["h"], boxstyle=f"round,pad=0,rounding_size={a['rx']}",
                                    facecolor=a["fill"], edgecolor=a["stroke"], linewidth=a["sw"] * PX_TO_PT,
                                    linestyle="--" if a["dash"] else "-"))
    elif it.kind == "text":
        ax.text(a["x"], a["y"], a["s"], fontsize=a["size"] * PX_TO_PT, ha={"start": "left", "end": "right"}.get(
            a["anchor"], "center"), va="baseline", color=a["color"], fontweight="bold" if a["bold"] else "normal")
    elif it.kind == "line":
        xs, ys = zip(*a["points"])
        style = dict(color=a["color"], linewidth=a["width"] * PX_TO_PT, linestyle="--" if a["dash"] else "-")
        ax.plot(xs, ys, **style)
        if a["arrow"]:
            ax.annotate("", xy=a["points"][-1], xytext=a["points"][-2],
                        arrowprops=dict(arrowstyle="-|>", color=a["color"], lw=style["linewidth"]))
    else:
        ax.add_patch(Circle((a["cx"], a["cy"]), a["r"], facecolor=a["fill"], edgecolor=a["stroke"],
                            linewidth=a["sw"] * PX_TO_PT))


class Diagram:
    """A drawn diagram: shows itself inline in Jupyter (``_repr_svg_``) and saves as SVG, PNG or PDF."""

    FORMATS = ("svg", "png", "pdf")

    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.title = canvas.title
        self.svg = canvas.svg()

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg

    def figure(self):
        """A matplotlib Figure of the same drawing (what PNG and PDF are written from)."""
        return self.canvas.figure()

    def save(self, path, dpi: int = 150) -> Path:
        """Write the diagram to ``path``; the format comes from its suffix (.svg, .png or .pdf). Returns the path.

        Written under a temporary name and renamed, so a failed write leaves nothing behind.
        """
        path = Path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in self.FORMATS:
            raise ValueError(f"{path}: unknown diagram format {path.suffix!r}; use .svg, .png or .pdf")
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "svg":
            return write_atomically(path, lambda tmp: tmp.write_text(self.svg, encoding="utf-8"))
        return write_atomically(path, lambda tmp: self.figure().savefig(tmp, format=fmt, dpi=dpi))
