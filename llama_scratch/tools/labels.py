"""Readable text on figures: a CJK font when one is installed, token labels with visible whitespace, escapes for
glyphs no font can draw, and titles naming the model, layer, head and prompt."""

from __future__ import annotations

from pathlib import Path

from matplotlib import font_manager, ft2font, rcParams

from . import i18n

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "PingFang SC",
             "Microsoft YaHei", "Droid Sans Fallback")
BASE_FONT = "DejaVu Sans"  # matplotlib's bundled default: Latin, Greek, Cyrillic, arrows, symbols; no CJK
_CJK_FONT: list = []  # cached: [name or None]
_COVERED: list = []  # cached: [set of code points the fonts in use can draw]
DEFAULT_PROMPT = "The llama looked at the alpaca, and it smiled."  # what figures draw when given no prompt


def cjk_font() -> str | None:
    """The first installed CJK-capable font (added as a fallback after DejaVu Sans to matplotlib's sans-serif
    list, so Latin text keeps the default look and CJK glyphs come from it), or None when there is none."""
    if not _CJK_FONT:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        name = next((f for f in CJK_FONTS if f in installed), None)
        if name:
            rest = [f for f in rcParams["font.sans-serif"] if f not in (BASE_FONT, name)]
            rcParams["font.sans-serif"] = [BASE_FONT, name] + rest
            # matplotlib falls back glyph by glyph only across the names in font.family (a generic "sans-serif"
            # resolves to one font), so name the fonts there: DejaVu Sans first (it is the default), then CJK.
            family = [BASE_FONT if f == "sans-serif" else f for f in rcParams["font.family"] if f != name]
            rcParams["font.family"] = family + [name]
        _CJK_FONT.append(name)
    return _CJK_FONT[0]


def _covered() -> set:
    """Code points that DejaVu Sans (plus the CJK font, when there is one) has glyphs for, read from the fonts."""
    if not _COVERED:
        points: set = set()
        for family in (BASE_FONT, cjk_font()):
            if family is None:
                continue
            try:
                path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
                points |= set(ft2font.FT2Font(path).get_charmap())
            except (ValueError, RuntimeError, OSError):  # font listed but unreadable: treat as absent
                continue
        _COVERED.append(points)
    return _COVERED[0]


def can_draw(ch: str) -> bool:
    """Whether the fonts in use have a glyph for the character ch (printable characters only)."""
    return ch.isprintable() and ord(ch) in _covered()


def escape_undrawable(text: str, drawable=None) -> str:
    """text with every character no available font can draw written as U+XXXX, escapes in a row separated by a
    space (no 'Glyph missing' warnings, no empty boxes). ``drawable(ch)``: default can_draw (matplotlib's fonts)."""
    out, prev_escaped = [], False
    for ch in text:
        escaped = not (drawable or can_draw)(ch)
        out.append((" " if escaped and prev_escaped else "") + (f"U+{ord(ch):04X}" if escaped else ch))
        prev_escaped = escaped
    return "".join(out)


WHITESPACE_SYMBOLS = {" ": "␣", "\n": "↵", "\t": "→", "\r": "\\r"}


def readable(text: str, drawable=None) -> str:
    """A label matplotlib can draw: whitespace made visible (␣ ↵ →), undrawable glyphs escaped as U+XXXX."""
    return escape_undrawable("".join(WHITESPACE_SYMBOLS.get(ch, ch) for ch in text), drawable)


def token_labels(tokenizer, ids, drawable=None) -> list[str]:
    """One non-empty readable label per token id: special tokens keep their names ('<|eot_id|>'), CJK is kept when
    a CJK font exists (else U+XXXX), bytes of a partial UTF-8 character (one CJK char can span tokens) are \\xNN.
    ``drawable(ch)`` says which characters the labels' font draws (default: matplotlib's fonts, see can_draw)."""
    cjk_font()
    labels = []
    for raw in tokenizer.decode_token_bytes([int(i) for i in ids]):
        text = raw.decode("utf-8", errors="backslashreplace")  # b"\xe7\xbe" -> "\\xe7\\xbe"
        labels.append(readable(text, drawable) or "∅")
    return labels


def figure_title(title, model=None, **parts) -> str:
    """'Title — model, layer 0, head 3' from the parts that are given (model name first, as given)."""
    extra = ([str(model)] if model else []) + [f"{k} {v}" for k, v in parts.items() if v is not None]
    return escape_undrawable(f"{title} — {', '.join(extra)}" if extra else str(title))


def prompt_line(prompt, max_chars: int = 80) -> str:
    """'\\nprompt: "..."' for a title (shortened, newlines shown as ↵, undrawable glyphs escaped), or ''."""
    if not prompt:
        return ""
    text = " ".join(str(prompt).replace("\r", "").replace("\n", " ↵ ").split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return "\nprompt: " + escape_undrawable(f'"{text}"')


def model_title(info, lang=None) -> str:
    """The model as titles name it: the checkpoint folder (Meta's files sit in <name>/original/), plus
    '(demo: random weights)' for a demo checkpoint so no slide passes noise off as the real model."""
    path = Path(info.path)
    name = path.parent.name if path.name == "original" and path.parent.name else path.name
    return i18n.text("model.demo_title", lang, name=name) if info.is_demo else name
