"""What every interactive view shares: one HTML fragment holding its data, font and script, a static PNG, save().

The fragment needs no server and no network: the data is JSON in a <script type="application/json">, the code is
vanilla JavaScript in one function (no globals; a fresh element id at every rendering, so several views, or one
view shown twice, share a page), drawing is canvas and DOM, and a WOFF subset of the project's CJK font is added
with the FontFace API. Until the script runs, the view shows a PNG of its static() figure: JupyterLab strips the
scripts of an untrusted notebook's HTML and keeps that picture, and nbconvert --to pdf (LaTeX) ignores text/html
and takes the image/png that _repr_png_ adds to the output.
"""

from __future__ import annotations

import base64
import html
import io
import json
import uuid
from pathlib import Path

import matplotlib.pyplot as plt

from ...checkpoints.paths import write_atomically
from .. import fonts, i18n, plots
from ..labels import WHITESPACE_SYMBOLS

JS_DIR = Path(__file__).with_name("js")
PNG_DPI = 80  # the static picture: small enough to embed twice (in the HTML and as image/png)
NUMBER_CHARS = "−∞…"  # what numbers and axes may show besides the payload's text (and ASCII)
# The embedded font draws everything but Latin-1 and general punctuation, which the browser's own sans-serif font
# draws better (the CJK font's quotes, dashes and middle dot are full-width). CSS unicode-range syntax:
FONT_RANGE = "U+0100-1FFF, U+2070-10FFFF"


def in_font_range(ch: str) -> bool:
    """Whether the embedded font (not the browser's) draws ch; see FONT_RANGE."""
    return 0x100 <= ord(ch) <= 0x1FFF or ord(ch) >= 0x2070


def html_drawable(ch: str) -> bool:
    """Whether a view draws ch: the browser's font (Latin-1, punctuation), the embedded CJK font, or it is one of
    plots' whitespace symbols."""
    return ch.isprintable() and (not in_font_range(ch) or ord(ch) in fonts.covered()
                                 or ch in WHITESPACE_SYMBOLS.values())


def view_labels(tokenizer, ids) -> list[str]:
    """Token labels for a view (plots.token_labels' rules; what the embedded font lacks is written U+XXXX)."""
    return plots.token_labels(tokenizer, ids, drawable=html_drawable)


def rounded(t, decimals: int = 4) -> list:
    """A tensor as nested lists of floats rounded to ``decimals`` (what the page needs, a third of the bytes)."""
    return (t.detach().double().cpu() * 10 ** decimals).round().div(10 ** decimals).tolist()


def significant(t, digits: int = 4) -> list:
    """A tensor as nested lists of floats rounded to ``digits`` significant digits (probabilities of 1e-6 and of
    0.9 both keep their precision)."""
    x = t.detach().double().cpu()
    scale = 10.0 ** (digits - 1 - x.abs().clamp(min=1e-300).log10().floor())
    return ((x * scale).round() / scale).tolist()


def _strings(obj):
    """Every string inside nested dicts and lists."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


class View:
    """Base of the views: ``data`` (JSON-able) is drawn by js/<kind>.js; subclasses define static() (a matplotlib
    Figure of the initial state) and list the i18n keys their script shows in ``text_keys``."""

    kind = ""
    text_keys: tuple = ()

    def __init__(self, data: dict, lang: str | None = None):
        self.lang = i18n.resolve(lang)
        self.data = data
        self._png: bytes | None = None

    def static(self):
        raise NotImplementedError

    def texts(self) -> dict:
        """The script's strings in the view's language, as templates: the script fills their {fields}."""
        return {key: i18n.STRINGS[key][self.lang] for key in ("view.static_note",) + tuple(self.text_keys)}

    def png(self) -> bytes:
        """The static picture as PNG bytes (rendered once)."""
        if self._png is None:
            fig = self.static()
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches="tight")
            plt.close(fig)
            self._png = buf.getvalue()
        return self._png

    def payload(self, family: str) -> dict:
        """What the script reads: kind, data, strings, and the font subset for exactly their characters."""
        payload = {"kind": self.kind, "data": self.data, "text": self.texts(), "family": family,
                   "range": FONT_RANGE}
        chars = "".join(c for c in set("".join(_strings(payload)) + NUMBER_CHARS) if in_font_range(c))
        payload["font"] = base64.b64encode(fonts.web_font(chars)).decode("ascii") if chars else ""
        return payload

    def html(self) -> str:
        """The view as an HTML fragment (static picture, data, script), with an id of its own."""
        uid = "lsv-" + uuid.uuid4().hex[:12]
        data = json.dumps(self.payload(uid + "-font"), ensure_ascii=False, separators=(",", ":"))
        data = data.replace("<", "\\u003c")  # no "</script>" or "<!--" can end the data early
        script = "".join(["(function () {\n\"use strict\";\n",
                          f"var root = document.getElementById({json.dumps(uid)});\n",
                          "if (!root || root.getAttribute(\"data-lsv-live\")) { return; }\n",
                          "root.setAttribute(\"data-lsv-live\", \"1\");\n",
                          "var P = JSON.parse(root.querySelector(\"script.lsv-data\").textContent);\n",
                          (JS_DIR / "common.js").read_text(encoding="utf-8"),
                          (JS_DIR / f"{self.kind}.js").read_text(encoding="utf-8"),
                          "start(build);\n})();\n"])
        note = html.escape(i18n.STRINGS["view.static_note"][self.lang])
        picture = base64.b64encode(self.png()).decode("ascii")
        return (f'<div class="lsv lsv-{self.kind}" id="{uid}">'
                f'<img class="lsv-static" alt="{note}" style="max-width:100%" '
                f'src="data:image/png;base64,{picture}">'
                f'<div class="lsv-note" style="color:#777;font-size:12px">{note}</div>'
                f'<script type="application/json" class="lsv-data">{data}</script>'
                f"<script>{script}</script></div>")

    def page(self) -> str:
        """The view as a standalone HTML page."""
        title = html.escape(i18n.STRINGS[f"view.{self.kind}.title"][self.lang])
        lang = "zh-CN" if self.lang == "zh" else "en"
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n'
                f'</head>\n<body style="margin:16px;background:#fff">\n{self.html()}\n</body>\n</html>\n')

    def save(self, path) -> Path:
        """Write the standalone page to ``path`` (.html; the folder is created); return the path."""
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"{path}: a view is saved as a .html page; give a path ending in .html")
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_atomically(path, lambda tmp: tmp.write_text(self.page(), encoding="utf-8"))

    def _repr_html_(self) -> str:
        return self.html()

    def _repr_png_(self) -> bytes:
        return self.png()

    def __repr__(self) -> str:
        return i18n.text("view.repr", self.lang, name=type(self).__name__)
