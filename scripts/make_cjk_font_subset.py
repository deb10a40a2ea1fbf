"""Make llama_scratch/tools/fonts/NotoSansCJKsc-Regular-subset.otf from Debian's fonts-noto-cjk package.

    apt-get install -y fonts-noto-cjk
    python scripts/make_cjk_font_subset.py [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

Keeps ASCII, Latin-1, Latin Extended-A/B (pinyin), general punctuation, arrows, mathematical operators, control
pictures (␣), geometric shapes, CJK symbols and punctuation, full-width forms and every character of GB2312 (its
6,763 hanzi plus kana, Greek, Cyrillic and symbols), as an OpenType (CFF) file renamed per the OFL. Also writes
OFL.txt (the font's copyright notice and the licence text from Debian's copyright file) beside it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llama_scratch.tools.fonts import FAMILY, cjk_font_path, subset_font  # noqa: E402

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
SOURCE_FAMILY = "Noto Sans CJK SC"
RANGES = ((0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x206F), (0x2070, 0x209F), (0x2100, 0x22FF), (0x2400, 0x243F),
          (0x2500, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


def gb2312_characters() -> set[str]:
    """Every character of GB2312 (rows 0xA1..0xF7, columns 0xA1..0xFE), enumerated with Python's codec."""
    chars = set()
    for row in range(0xA1, 0xF8):
        for col in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, col)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def gb2312_hanzi(chars) -> set[str]:
    return {c for c in chars if 0x4E00 <= ord(c) <= 0x9FFF}


def licence_text(font) -> str:
    """The font's copyright and trademark notices, then the SIL OFL 1.1 text as Debian's copyright file has it."""
    notices = [font["name"].getDebugName(i) for i in (0, 7)]
    blocks, block = [], None
    for line in COPYRIGHT.read_text(encoding="utf-8").splitlines():  # a "License: SIL-1.1" line, then indented text
        if line.strip() == "License: SIL-1.1":
            block = []
            blocks.append(block)
        elif block is not None and line.startswith(" "):
            block.append("" if line.strip() == "." else line[1:])
        else:
            block = None
    lines = max(blocks, key=len, default=[])
    if not lines:
        raise SystemExit(f"{COPYRIGHT}: no 'License: SIL-1.1' paragraph found")
    return "\n".join(n for n in notices if n) + "\n\n" + "\n".join(lines).strip("\n") + "\n"


def main() -> int:
    from fontTools.ttLib import TTCollection

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="NotoSansCJK-Regular.ttc of fonts-noto-cjk")
    args = parser.parse_args()
    if not args.source.is_file():
        print(f"error: {args.source} not found; install it with: apt-get install -y fonts-noto-cjk", file=sys.stderr)
        return 2
    fonts = TTCollection(str(args.source)).fonts
    font = next((f for f in fonts if f["name"].getDebugName(1) == SOURCE_FAMILY), None)
    if font is None:
        print(f"error: {args.source} holds no font named {SOURCE_FAMILY!r}", file=sys.stderr)
        return 2
    gb = gb2312_characters()
    unicodes = {ord(c) for c in gb} | {u for lo, hi in RANGES for u in range(lo, hi + 1)}
    version = font["name"].getDebugName(5)
    licence = licence_text(font)
    out = cjk_font_path()
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    tmp.write_bytes(subset_font(font, unicodes, family=FAMILY))
    os.replace(tmp, out)
    out.with_name("OFL.txt").write_text(licence, encoding="utf-8")
    print(f"{out}: {out.stat().st_size:,} bytes; {len(gb)} GB2312 characters ({len(gb2312_hanzi(gb))} hanzi); "
          f"source {args.source.name}, {SOURCE_FAMILY} {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
