"""The project's CJK font: a subset of Noto Sans CJK SC (SIL OFL 1.1) that draws Chinese labels on any machine.

The committed file (ASCII, Latin-1, punctuation, CJK punctuation, full-width forms and all of GB2312, made by
scripts/make_cjk_font_subset.py) is subset again when a view is made, to the few characters its labels use, and
embedded in the view's HTML, so a browser with no CJK font still draws the glyphs.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONT_FILE = "NotoSansCJKsc-Regular-subset.otf"
FAMILY = "Llama Scratch CJK"  # the family name inside the subset (a modified font does not reuse the original's)


def cjk_font_path() -> Path:
    """The committed CJK font file (OpenType/CFF), for browsers (via views) and matplotlib alike."""
    return Path(__file__).with_name(FONT_FILE)


@lru_cache(maxsize=1)
def covered() -> frozenset:
    """The code points the committed font has a glyph for."""
    with TTFont(cjk_font_path(), lazy=True) as font:
        return frozenset(font.getBestCmap())


def subset_font(font, unicodes, flavor: str | None = None, family: str | None = None) -> bytes:
    """The glyphs of ``unicodes`` from ``font`` (a fontTools TTFont, changed in place) as font file bytes.

    ``flavor``: None for a plain OpenType file, "woff" for the compressed web format (zlib, no extra package).
    ``family``: rename the font (name IDs 1, 4, 6, 16), as the OFL asks of a modified version.
    """
    options = subset.Options()
    options.flavor = flavor
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]  # vertical writing only: labels run horizontally
    options.layout_features = ["kern"]  # no locl: its glyphs are the Japanese/Korean/Traditional forms
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)
    if family:
        _rename(font, family)
    out = io.BytesIO()
    font.flavor = flavor
    font.save(out)
    return out.getvalue()


def _rename(font, family: str) -> None:
    """Set the family, full and PostScript names of ``font`` to ``family`` (style Regular)."""
    postscript = family.replace(" ", "") + "-Regular"
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = postscript
        elif record.nameID == 3:
            record.string = f"{postscript};subset"
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = family, family


@lru_cache(maxsize=32)
def _web_font(chars: frozenset) -> bytes:
    return subset_font(TTFont(cjk_font_path()), {ord(c) for c in chars}, flavor="woff")


def web_font(text: str) -> bytes:
    """A WOFF subset of the committed font holding the glyphs of the characters of ``text`` that it covers."""
    have = covered()
    return _web_font(frozenset(c for c in text if ord(c) in have and not c.isspace()) | {" "})
