"""The views' pages are self-contained and fall back to a picture; the CJK font and its subsets; where figures go.

Browser behaviour (drawing, hovering, JupyterLab) is in test_browser.py; the numbers in test_views_data.py.
"""

import base64
import io
import json
import re
import sys
from pathlib import Path

import pytest

import llama_scratch as ls
from conftest import ROOT
from llama_scratch.tools import fonts, i18n, views
from llama_scratch.tools.views.base import JS_DIR
from test_views_data import payload

PROMPT = "The llama looked at the alpaca, 羊驼笑了。"


@pytest.fixture(scope="module")
def all_views(tiny_model, tokenizer):
    return views.make_views(tiny_model, tokenizer, PROMPT, "tiny demo")


def test_pages_load_nothing_from_anywhere(all_views, tmp_path):
    for name, view in all_views.items():
        page = view.save(tmp_path / f"{name}.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
        assert not re.search(r"(?i)\b(?:https?|ftp|wss?):", page), f"{name}: a URL in the page"
        assert all(v.startswith("data:") for v in re.findall(r'(?:src|href)="([^"]*)"', page)), name
        assert "@import" not in page and "url(" not in page, name
    with pytest.raises(ValueError, match=r"\.html"):
        all_views["rope_explorer"].save(tmp_path / "rope.png")
    assert not list(tmp_path.glob(".*partial*"))


def test_every_rendering_has_its_own_ids_and_no_globals(all_views):
    view = all_views["attention_explorer"]
    first, second = view.html(), view.html()
    ids = re.findall(r'<div class="lsv lsv-attention" id="([^"]+)"', first + second)
    assert len(ids) == 2 and ids[0] != ids[1] and ids[0] in first and ids[1] in second
    script = re.findall(r"<script>(.*?)</script>", first, re.S)
    assert len(script) == 1 and script[0].startswith("(function () {") and script[0].rstrip().endswith("})();")
    for js in JS_DIR.glob("*.js"):  # code pasted inside the function: it may not touch window or globalThis
        text = js.read_text(encoding="utf-8")
        assert not re.search(r"\bwindow\.\w+\s*=|globalThis|document\.write", text), js.name


def test_every_string_a_script_shows_comes_from_i18n(all_views):
    for name, view in all_views.items():
        used = set(re.findall(r'\bT\("([\w.]+)"', (JS_DIR / f"{view.kind}.js").read_text(encoding="utf-8")))
        text = payload(view.html())["text"]
        assert used and used <= set(text), f"{name}: {sorted(used - set(text))} missing from text_keys"
        assert all(text[k] == i18n.STRINGS[k][view.lang] for k in text)


def test_chinese_edition_and_its_font(tiny_model, tokenizer, monkeypatch):
    monkeypatch.setenv(i18n.LANG_ENV, "zh")
    view = views.attention_explorer(tiny_model, tokenizer, PROMPT, checkpoint=ls.CheckpointInfo(
        ROOT / "weights" / "demo-tiny" / "original", True, "test"))
    data = payload(view.html())
    assert view.lang == "zh" and data["text"]["view.attention.title"] == "注意力探索器"
    assert data["data"]["model"] == "demo-tiny（演示：随机权重）"
    labels = data["data"]["tokens"]
    assert "笑" in labels and "了" in labels and "。" in labels  # CJK kept as text
    assert any(re.fullmatch(r"(␣)?(\\x[0-9a-f]{2})+", t) for t in labels)  # partial UTF-8 bytes as \xNN
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(base64.b64decode(data["font"])))
    assert font.flavor == "woff"
    cjk = {c for c in json.dumps(data["text"], ensure_ascii=False) + "".join(labels) if ord(c) >= 0x3000}
    assert cjk and cjk <= {chr(u) for u in font.getBestCmap()}
    assert len(font.getGlyphOrder()) < len(cjk) + 80  # only what the page shows, not the committed 8,047
    assert len(data["font"]) < 60_000


def test_static_picture_for_untrusted_notebooks_and_pdf(all_views):
    from IPython.core.formatters import DisplayFormatter

    view = all_views["logit_lens"]
    bundle, _ = DisplayFormatter().format(view)
    assert {"text/html", "image/png", "text/plain"} <= set(bundle)
    png = base64.b64decode(bundle["image/png"]) if isinstance(bundle["image/png"], str) else bundle["image/png"]
    assert png.startswith(b"\x89PNG") and png == view.png()
    # the HTML shows the same picture until its script runs (JupyterLab drops scripts when a notebook is untrusted)
    img = re.search(r'<img class="lsv-static"[^>]* src="data:image/png;base64,([^"]+)"', bundle["text/html"])
    assert img and base64.b64decode(img.group(1)) == png
    import nbformat
    from nbconvert import LatexExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("view", outputs=[nbformat.v4.new_output(
        "display_data", data={k: (base64.b64encode(v).decode() if isinstance(v, bytes) else v)
                              for k, v in bundle.items()})])])
    tex, resources = LatexExporter().from_notebook_node(nb)  # what nbconvert --to pdf compiles
    pngs = [name for name in resources["outputs"] if name.endswith(".png")]
    assert len(pngs) == 1 and "\\includegraphics" in tex and pngs[0] in tex and "lsv-data" not in tex


def test_committed_font_covers_gb2312_and_is_renamed():
    from fontTools.ttLib import TTFont

    sys.path.insert(0, str(ROOT / "scripts"))
    from make_cjk_font_subset import gb2312_characters, gb2312_hanzi

    path = fonts.cjk_font_path()
    hanzi = gb2312_hanzi(gb2312_characters())
    assert len(hanzi) == 6763
    with TTFont(path) as font:
        cmap = {chr(u) for u in font.getBestCmap()}
        assert font["name"].getDebugName(1) == fonts.FAMILY and "CFF " in font
    assert hanzi <= cmap and {chr(c) for c in range(0x20, 0x7F)} <= cmap and {"，", "。", "␣", "→"} <= cmap
    assert 1_000_000 < path.stat().st_size < 2_500_000  # 1.89 MB when made
    licence = path.with_name("OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    assert fonts.covered() == frozenset(ord(c) for c in cmap)


def test_figures_cli_saves_the_views_as_html(tiny_dir, tokenizer, tmp_path, capsys):
    from llama_scratch.__main__ import main

    out = tmp_path / "views"
    assert main(["figures", "--checkpoint", str(tiny_dir), "--format", "html", "--out", str(out),
                 "--prompt", "Hello llama"]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == ["attention_explorer.html", "logit_lens.html", "rope_explorer.html", "sampling.html"]
    assert sorted(capsys.readouterr().out.split()) == [str(out / name) for name in written]
    data = payload((out / "attention_explorer.html").read_text(encoding="utf-8"))["data"]
    assert data["layers"] == [0, 1, 2, 3] and data["model"].endswith("(demo: random weights)")
    config = ls.load_config(tiny_dir)
    long_prompt = " ".join(["llama"] * 180)  # every layer's maps for these tokens: more numbers than a page holds
    n = len(tokenizer.encode(long_prompt, bos=True))
    assert not views.attention.fits_on_page(config, n) and views.attention.fits_on_page(config, n, 2)
    assert main(["figures", "--checkpoint", str(tiny_dir), "--format", "html", "--out", str(out),
                 "--layers", "1,last", "--prompt", long_prompt]) == 0
    data = payload((out / "attention_explorer.html").read_text(encoding="utf-8"))["data"]
    assert data["layers"] == [1, config.n_layers - 1] and len(data["tokens"]) == n


def test_figures_go_under_build_when_no_folder_is_given(monkeypatch, tmp_path):
    from llama_scratch import plots
    from llama_scratch.tools.plots import FIGURES_ENV

    monkeypatch.delenv(FIGURES_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # a kernel's working directory: notebooks/ of the clone, or anywhere
    assert plots.figures_dir() == ROOT / "build" / "figures"
    assert plots.figures_dir("elsewhere") == Path("elsewhere")
    monkeypatch.setenv(FIGURES_ENV, str(tmp_path / "env"))
    assert plots.figures_dir() == tmp_path / "env"
