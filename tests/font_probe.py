"""Run by test_plots_lang in a fresh process: draw Chinese figures and report, as JSON on stdout, which font file
matplotlib uses for every character of every text, every warning and log record, and the PNG's pixels' digest.

    python tests/font_probe.py CHECKPOINT_DIR hide|show

``hide`` removes every font but matplotlib's own from the font list before the package is imported: the machine
then looks like a fresh one with no system font at all (no CJK font in particular). Run it with a fresh
MPLCONFIGDIR so that no font cache of this machine is read either.
"""

import hashlib
import io
import json
import logging
import sys
import warnings
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.text import Text

PROMPT = "美洲驼看着羊驼，它笑了。한"  # the last character (Hangul) is in neither DejaVu Sans nor GB2312


def hide_system_fonts() -> None:
    """Leave matplotlib only its own fonts (DejaVu, STIX, ...): the fonts a machine with no font package has."""
    ours = str(Path(matplotlib.get_data_path()) / "fonts")
    font_manager.fontManager.ttflist[:] = [f for f in font_manager.fontManager.ttflist if f.fname.startswith(ours)]


def fonts_of(text: Text) -> dict:
    """{character: font file} as matplotlib's own glyph-by-glyph fallback picks it for this Text."""
    prop = text.get_fontproperties()
    font = font_manager.get_font(font_manager.fontManager._find_fonts_by_props(prop))
    font.set_size(prop.get_size_in_points(), 72)
    used = {}
    for line in text.get_text().split("\n"):
        try:
            from matplotlib._text_helpers import layout  # matplotlib >= 3.11
            used.update({item.char: item.ft_object.fname for item in layout(line, font)})
        except ImportError:
            used.update({ch: f.fname for ch, f in font._get_fontmap(line).items()})
    return used


class Records(logging.Handler):
    """Keeps every log record it is given."""

    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def main() -> None:
    matplotlib.use("Agg")
    if sys.argv[2] == "hide":
        hide_system_fonts()  # before the package registers its font and draws anything
    cjk_fonts = sorted({f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name or "Hei" in f.name})
    from matplotlib.image import imread
    import numpy as np
    import torch

    import llama_scratch as ls
    from llama_scratch import plots

    path = Path(sys.argv[1])
    model, tok = ls.load_model(path), ls.load_tokenizer(path)
    ids = tok.encode(PROMPT, bos=True)
    with torch.inference_mode():
        _, maps = model(torch.tensor([ids]), return_attention=True)  # n_layers x [1, h, s, s]
    name = plots.model_title(ls.CheckpointInfo(path, True, "test"), "zh")
    logs = Records()
    logging.getLogger("matplotlib").addHandler(logs)
    report = {"cjk_fonts": cjk_fonts, "fonts": [f.fname for f in font_manager.fontManager.ttflist],
              "figures": {}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figs = {"heatmap": plots.attention_heatmap(maps[0][0, 0], plots.token_labels(tok, ids), layer=0, head=0,
                                                   model_name=name, prompt=PROMPT, lang="zh"),
                "rope": plots.rope_frequencies_figure(model.config, model_name=name, lang="zh")}
        for key, fig in figs.items():
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=60)
            for fmt in ("svg", "pdf"):
                fig.savefig(io.BytesIO(), format=fmt)
            texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
            pixels = np.asarray(imread(io.BytesIO(png.getvalue())))
            report["figures"][key] = {"texts": [t.get_text() for t in texts],
                                      "fonts": [fonts_of(t) for t in texts],
                                      "pixels": hashlib.sha256(pixels.tobytes()).hexdigest()}
    report["warnings"] = [str(w.message) for w in caught]
    report["logs"] = [f"{r.levelname}: {r.getMessage()}" for r in logs.records if r.levelno >= logging.WARNING]
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
