"""Figures in Chinese and English: every word of a figure comes from i18n in both languages, lang="zh" leaves no
English word behind, English titles are as they were, the default language follows LLAMA_SCRATCH_LANG and a folder
named zh, and Chinese is drawn glyph by glyph from the committed font (tools/fonts) with no missing-glyph warning,
the same with or without a CJK font on the machine (font_probe.py, in a fresh process with a fresh font cache)."""

import io
import json
import logging
import os
import re
import string
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.text import Text

import llama_scratch as ls
from font_probe import PROMPT, Records, fonts_of
from llama_scratch import plots
from llama_scratch.tools import figures, i18n, views
from llama_scratch.tools.fonts import cjk_font_path

HERE = Path(__file__).resolve().parent
SOURCES = sorted((HERE.parent / "llama_scratch" / "tools" / "plots").glob("*.py")) + \
    [HERE.parent / "llama_scratch" / "tools" / "labels.py"]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # CJK punctuation, ideographs, full-width forms
# Latin words a Chinese figure keeps: names, config keys and symbols, the same in both editions
KEPT_LATIN = {"RoPE", "Llama", "head_dim", "theta", "softmax", "rad", "inf"}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def keys_used() -> set:
    """Every i18n key the plotting code names (plot.* and the model title)."""
    found = set()
    for path in SOURCES:
        found |= set(re.findall(r'"((?:plot|model)\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    return found


def fields(template: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_word_of_the_plots_is_in_both_languages():
    used = keys_used()
    assert "plot.attention.heatmap" in used and "plot.rope.frequencies" in used  # the scan finds the keys
    missing = used - set(i18n.STRINGS)
    assert not missing, f"keys used by plots but missing from i18n.STRINGS: {sorted(missing)}"
    unused = {k for k in i18n.STRINGS if k.startswith("plot.")} - used
    assert not unused, f"plot.* keys nothing uses: {sorted(unused)}"
    for key in sorted(used):
        entry = i18n.STRINGS[key]
        assert entry.get("en", "").strip() and entry.get("zh", "").strip(), key
        assert fields(entry["en"]) == fields(entry["zh"]), f"{key}: the two languages fill different fields"
        assert CJK.search(entry["zh"]) and not CJK.search(entry["en"]), key


@pytest.fixture(scope="module")
def chinese(tiny_model, tokenizer):
    """(labels, maps [n_layers x [1, h, s, s]], stages of layer 0) of the Chinese prompt on the tiny demo."""
    ids = tokenizer.encode(PROMPT, bos=True)
    tokens = torch.tensor([ids])
    with torch.inference_mode():
        _, maps = tiny_model(tokens, return_attention=True)
        stages = tiny_model.attention_stages(tokens, 0)  # 3 x [1, h, s, s]
    return plots.token_labels(tokenizer, ids), maps, stages


def all_figures(model, chinese, lang, name="M"):
    labels, maps, stages = chinese
    kw = dict(model_name=name, prompt=PROMPT, lang=lang)
    config = model.config
    return {
        "heatmap": plots.attention_heatmap(maps[0][0, 1], labels, layer=0, head=1, **kw),
        "grid": plots.attention_grid(maps[0][0], labels, layer=0, **kw),
        "across": plots.attention_across_layers(torch.stack([m[0, 1] for m in maps]), labels, head=1, **kw),
        "stages": plots.attention_stages(*(t[0, 1] for t in stages), labels, layer=0, head=1, **kw),
        "freq": plots.rope_frequencies_figure(config, model_name=name, lang=lang),
        "spokes": plots.rope_spokes_figure(config, model_name=name, lang=lang),
        "distance": plots.rope_relative_distance_figure(config, model_name=name, lang=lang),
    }


def words_of(fig, labels) -> list[str]:
    """The visible texts of fig, token labels and plain numbers left out."""
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return [t for t in texts if t not in labels and not re.fullmatch(r"[−\-\d.,e+ ]+|\$.*\$", t)]


def test_chinese_figures_have_chinese_titles_and_labels(tiny_model, chinese):
    labels, name = chinese[0], "小模型"
    expect = {"heatmap": ["注意力权重 — 小模型，第 0 层，头 1", "提示词：“美洲驼", "查询（发出注意）", "键（被注意）"],
              "grid": ["同一层的所有头 — 小模型，第 0 层", "提示词", "头 0", "查询", "键", "注意力权重"],
              "across": ["同一个头在每一层 — 小模型，头 1", "第 0 层", "第 1 层", "注意力权重"],
              "stages": ["从分数到注意力权重 — 小模型，第 0 层，头 1", "原始分数 q·k/√e", "因果掩码", "逐行 softmax", "分数"],
              "freq": ["旋转位置编码（RoPE）", "波长", "维度对", "保留", "混合", "除以", "小模型"],
              "spokes": ["旋转位置编码（RoPE）", "第 0 对", "位置", "维度 2i"],
              "distance": ["相对距离", "键位于位置 0", "同一条曲线", "小模型"]}
    for key, fig in all_figures(tiny_model, chinese, "zh", name).items():
        texts = words_of(fig, labels)
        joined = "\n".join(texts)
        for word in expect[key]:
            assert word in joined, f"{key}: {word!r} missing from {texts}"
        english = set(re.findall(r"[A-Za-z_]{2,}", joined)) - KEPT_LATIN
        assert not english, f"{key}: English words left in the Chinese figure: {sorted(english)}"


def test_english_titles_are_unchanged(tiny_model, chinese):
    figs = all_figures(tiny_model, chinese, "en")
    prompt = '\nprompt: "' + PROMPT.replace("한", "U+D55C") + '"'  # Hangul: in no font in use
    assert figs["heatmap"].axes[0].get_title() == "Attention weights — M, layer 0, head 1" + prompt
    assert figs["grid"]._suptitle.get_text() == "All heads of one layer — M, layer 0" + prompt
    assert figs["across"]._suptitle.get_text() == "One head in every layer — M, head 1" + prompt
    assert figs["stages"]._suptitle.get_text() == "From scores to attention weights — M, layer 0, head 1" + prompt
    assert [ax.get_title() for ax in figs["stages"].axes[:3:2]] == ["raw scores q·k/√e", "softmax per row: weights"]
    e, theta = tiny_model.config.head_dim, f"{tiny_model.config.rope_theta:g}"
    assert figs["freq"].axes[0].get_title() == f"RoPE wavelength per pair (head_dim {e}, theta {theta}; model uses " \
                                               "scaled, M)"
    assert figs["distance"].axes[0].get_title() == "RoPE: the score depends only on the relative distance " \
                                                   f"(head_dim {e}, theta {theta}, M)"
    assert figs["heatmap"].axes[0].get_xlabel() == "key (attended to)"
    # an explicit title is still used as given
    fig = plots.attention_heatmap(chinese[1][0][0, 0], title="Mine", layer=0, lang="zh")
    assert fig.axes[0].get_title() == "Mine — 第 0 层"


def test_the_default_language_follows_the_environment_and_the_folder(tiny_model, monkeypatch, tmp_path):
    weights = torch.softmax(torch.randn(4, 4), -1)
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert plots.attention_heatmap(weights).axes[0].get_title() == "Attention weights"
    monkeypatch.setenv(i18n.LANG_ENV, "zh")
    assert plots.attention_heatmap(weights).axes[0].get_title() == "注意力权重"
    assert plots.rope_spokes_figure(tiny_model.config)._suptitle.get_text().startswith("旋转位置编码")
    monkeypatch.delenv(i18n.LANG_ENV)
    (tmp_path / "zh").mkdir()
    monkeypatch.chdir(tmp_path / "zh")  # a notebook of the Chinese edition runs in notebooks/zh/
    assert plots.attention_heatmap(weights).axes[0].get_title() == "注意力权重"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        plots.attention_heatmap(weights, lang="fr")


def test_chinese_is_drawn_from_the_committed_font_without_warnings(tiny_model, chinese):
    """Each character's font as matplotlib's glyph fallback picks it: CJK from tools/fonts, the rest from DejaVu
    Sans; saving as PNG, SVG and PDF warns about no missing glyph (warnings and matplotlib's log)."""
    labels = chinese[0]
    assert "美" in labels and "看着" in labels and "U+D55C" in labels  # Hangul: in no font in use, escaped
    logs = Records()
    logging.getLogger("matplotlib").addHandler(logs)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            figs = all_figures(tiny_model, chinese, "zh", "小模型")
            for fig in figs.values():
                for fmt in ("png", "svg", "pdf"):
                    fig.savefig(io.BytesIO(), format=fmt, dpi=40)
    finally:
        logging.getLogger("matplotlib").removeHandler(logs)
    assert not [str(w.message) for w in caught]
    assert not [r.getMessage() for r in logs.records if r.levelno >= logging.WARNING]
    cjk_chars = 0
    for key, fig in figs.items():
        for text in fig.findobj(Text):
            for ch, path in fonts_of(text).items():
                if CJK.match(ch):
                    cjk_chars += 1
                    assert Path(path) == cjk_font_path(), (key, ch, path)
                elif ch.isascii() and ch.isalnum():
                    assert Path(path).name == "DejaVuSans.ttf", (key, ch, path)
    assert cjk_chars > 100


@pytest.mark.slow
def test_a_fresh_machine_without_cjk_fonts_draws_the_same_chinese(tiny_dir, tmp_path):
    """font_probe.py in fresh processes, each with a fresh MPLCONFIGDIR (no font cache of this machine): once with
    every system font hidden, once with the system fonts (fonts-noto-cjk here). Both draw each CJK character from
    the committed font, warn about nothing, and give the same pixels."""
    reports = {}
    for mode in ("hide", "show"):
        env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / f"mpl-{mode}"), PYTHONPATH=str(HERE.parent))
        r = subprocess.run([sys.executable, str(HERE / "font_probe.py"), str(tiny_dir), mode], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=300)
        assert r.returncode == 0, r.stderr[-2000:]
        reports[mode] = json.loads(r.stdout)
    hidden, shown = reports["hide"], reports["show"]
    assert hidden["cjk_fonts"] == [] and all("mpl-data" in f or Path(f) == cjk_font_path() for f in hidden["fonts"])
    print("CJK fonts the machine has:", shown["cjk_fonts"])
    for report in (hidden, shown):
        assert report["warnings"] == [] and report["logs"] == []
        for key, fig in report["figures"].items():
            drawn = {ch: path for used in fig["fonts"] for ch, path in used.items()}
            cjk = {ch for ch in drawn if CJK.match(ch)}
            assert {"注", "意", "力", "权", "重", "美", "洲", "看", "着", "，"} <= cjk or key == "rope", key
            assert all(Path(drawn[ch]) == cjk_font_path() for ch in cjk), key
            assert "U+D55C" in "".join(fig["texts"]) or key == "rope"  # the Hangul character, escaped
    for key in hidden["figures"]:
        assert hidden["figures"][key]["texts"] == shown["figures"][key]["texts"]
        assert hidden["figures"][key]["pixels"] == shown["figures"][key]["pixels"], key


def test_the_views_static_pictures_follow_the_views_language(tiny_model, tokenizer):
    rope = views.rope_explorer(lang="zh").static()
    assert rope.axes[0].get_title().startswith("旋转位置编码（RoPE）")
    attention = views.attention_explorer(tiny_model, tokenizer, PROMPT, layers=[0], lang="zh").static()
    assert attention._suptitle.get_text().startswith("注意力探索器 — 第 0 层，头 0\n提示词：")
    assert attention.axes[0].get_xlabel() == "键（被注意）"
    english = views.rope_explorer(lang="en").static()
    assert english.axes[0].get_title().startswith("RoPE wavelength per pair")


def test_figures_in_chinese_from_make_figures(tiny_model, tokenizer, tiny_dir):
    title = figures.model_title(ls.CheckpointInfo(tiny_dir, True, "test"), "zh")
    assert title.endswith("（演示：随机权重）")
    figs = figures.make_figures(tiny_model, tokenizer, PROMPT, [0], [0], title, lang="zh")
    for name, fig in figs.items():
        text = " ".join([fig._suptitle.get_text() if fig._suptitle else ""] + [ax.get_title() for ax in fig.axes])
        assert "演示：随机权重" in text, name
        if name.startswith("attention"):
            assert "提示词：“美洲驼看着羊驼" in text and "第 0 层" in text, name
