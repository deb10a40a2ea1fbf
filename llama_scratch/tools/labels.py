"""Readable text on figures: the project's CJK font for matplotlib, token labels with visible whitespace, escapes
for glyphs no font in use can draw, and titles naming the model, layer, head and prompt in the figure's language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager, ft2font, rcParams

from . import i18n
from .fonts import FAMILY, cjk_font_path

# What a browser may have for CJK (the diagrams' SVG names these in CSS); matplotlib uses the committed font.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "PingFang SC",
             "Microsoft YaHei", "Droid Sans Fallback")
BASE_FONT = "DejaVu Sans"  # matplotlib's bundled default: Latin, Greek, Cyrillic, arrows, symbols; no CJK
DEFAULT_PROMPT = i18n.STRINGS["plot.default_prompt"]["en"]  # what figures draw when given no prompt


def cjk_font() -> str:
    """Make matplotlib draw CJK with the committed font (tools/fonts, a subset of Noto Sans CJK SC): register the
    file once and put its family last in rcParams["font.family"], after DejaVu Sans. matplotlib falls back glyph
    by glyph along that list, so Latin keeps its look, CJK comes from the committed file whatever CJK fonts the
    machine has, and every machine draws the same figure. Cheap to call again (rcParams may have been reset).
    Returns the family name."""
    path = str(cjk_font_path())
    manager = font_manager.fontManager
    if not any(f.fname == path for f in manager.ttflist):
        manager.addfont(path)
    family = list(rcParams["font.family"])
    if family[-1:] != [FAMILY]:
        # A generic "sans-serif" resolves to one font, so name DejaVu Sans (the default) there instead.
        rcParams["font.family"] = [BASE_FONT if f == "sans-serif" else f for f in family if f != FAMILY] + [FAMILY]
    return FAMILY


def font_files() -> list[str]:
    """The font files matplotlib draws text from, in fallback order (one per family of rcParams["font.family"])."""
    cjk_font()
    paths = []
    for family in rcParams["font.family"]:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:  # a family that is not installed: matplotlib skips it too
            continue
        if str(path) not in paths:
            paths.append(str(path))
    return paths


@lru_cache(maxsize=16)
def _charmap(path: str) -> frozenset:
    """The code points the font file at ``path`` has glyphs for (empty when it cannot be read)."""
    try:
        return frozenset(ft2font.FT2Font(path).get_charmap())
    except (RuntimeError, OSError):
        return frozenset()


@lru_cache(maxsize=8)
def _covered(paths: tuple) -> frozenset:
    return frozenset().union(*(_charmap(p) for p in paths))


def covered() -> frozenset:
    """Code points that the fonts in use (font_files: DejaVu Sans, then the committed CJK font) can draw."""
    return _covered(tuple(font_files()))


def can_draw(ch: str) -> bool:
    """Whether the fonts in use have a glyph for the character ch (printable characters only)."""
    return ch.isprintable() and ord(ch) in covered()


def _can_draw_now():
    """can_draw with the fonts in use read once (for a whole string or a list of labels)."""
    have = covered()
    return lambda ch: ch.isprintable() and ord(ch) in have


def escape_undrawable(text: str, drawable=None) -> str:
    """text with every character no available font can draw written as U+XXXX, escapes in a row separated by a
    space (no 'Glyph missing' warnings, no empty boxes). ``drawable(ch)``: default can_draw (matplotlib's fonts)."""
    drawable = drawable or _can_draw_now()
    out, prev_escaped = [], False
    for ch in text:
        escaped = not drawable(ch)
        out.append((" " if escaped and prev_escaped else "") + (f"U+{ord(ch):04X}" if escaped else ch))
        prev_escaped = escaped
    return "".join(out)


WHITESPACE_SYMBOLS = {" ": "␣", "\n": "↵", "\t": "→", "\r": "\\r"}


def readable(text: str, drawable=None) -> str:
    """A label matplotlib can draw: whitespace made visible (␣ ↵ →), undrawable glyphs escaped as U+XXXX."""
    return escape_undrawable("".join(WHITESPACE_SYMBOLS.get(ch, ch) for ch in text), drawable)


def token_labels(tokenizer, ids, drawable=None) -> list[str]:
    """One non-empty readable label per token id: special tokens keep their names ('<|eot_id|>'), CJK characters
    are kept (the committed font draws GB2312; others become U+XXXX), bytes of a partial UTF-8 character (one CJK
    character can span tokens) are \\xNN.
    ``drawable(ch)`` says which characters the labels' font draws (default: matplotlib's fonts, see can_draw)."""
    drawable = drawable or _can_draw_now()
    labels = []
    for raw in tokenizer.decode_token_bytes([int(i) for i in ids]):
        text = raw.decode("utf-8", errors="backslashreplace")  # b"\xe7\xbe" -> "\\xe7\\xbe"
        labels.append(readable(text, drawable) or "∅")
    return labels


def figure_title(title, model=None, *, layer=None, head=None, lang=None) -> str:
    """'Title — model, layer 0, head 3' from the parts that are given (model name first, as given), in ``lang``."""
    parts = [str(model)] if model else []
    parts += [i18n.text(key, lang, n=n) for key, n in (("plot.layer_n", layer), ("plot.head_n", head)) if n is not None]
    joined = i18n.text("plot.separator", lang).join(parts)
    return escape_undrawable(f"{title} — {joined}" if parts else str(title))


def prompt_line(prompt, max_chars: int = 80, lang=None) -> str:
    """'\\nprompt: "..."' for a title (shortened, newlines shown as ↵, undrawable glyphs escaped), or ''."""
    if not prompt:
        return ""
    text = " ".join(str(prompt).replace("\r", "").replace("\n", " ↵ ").split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return "\n" + escape_undrawable(i18n.text("plot.prompt", lang, prompt=text))


def default_prompt(lang=None) -> str:
    """The prompt figures draw when given none, in ``lang`` (English: DEFAULT_PROMPT)."""
    return i18n.text("plot.default_prompt", lang)


def model_title(info, lang=None) -> str:
    """The model as titles name it: the checkpoint folder (Meta's files sit in <name>/original/), plus
    '(demo: random weights)' or '(trained demo)' for a demo checkpoint so no slide passes it off as the real model."""
    path = Path(info.path)
    name = path.parent.name if path.name == "original" and path.parent.name else path.name
    if info.kind == "real":
        return name
    return i18n.text("model.trained_title" if info.kind == "trained-demo" else "model.demo_title", lang, name=name)
