"""The diagrams: well-formed SVG, the numbers of the config they are drawn for, exactly the highlighted part in
colour, Chinese words under lang="zh", the same bytes every time, and PNG/PDF copies that are real files."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch
from PIL import Image

import llama_scratch as ls
from llama_scratch.tools import diagrams
from llama_scratch.tools.diagrams.architecture import ELEMENTS

NS = {"svg": "http://www.w3.org/2000/svg"}
REAL = ls.config_from_params(ls.LLAMA_3_2_1B_PARAMS)
TINY = ls.config_from_params(ls.DEMO_PARAMS["tiny"])
# What each highlight name must mark (the notebook it is for in the comment).
EXPECTED = {
    "forward": {"embedding", "rmsnorm", "rope", "attention", "swiglu", "block", "output"},  # 07
    "generation": {"sampling", "kv_cache"},  # 08
    "weights": {"embedding", "rmsnorm", "attention", "swiglu", "output"},  # 00: every tensor of the checkpoint
    "speed": {"embedding", "rmsnorm", "attention", "swiglu", "output", "kv_cache"},  # 09: read per token
    "training": {"loss"},  # 10
    **{name: {name} for name in ELEMENTS},
}


def parse(diagram):
    root = ET.fromstring(diagram.svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def groups(root):
    """[(part, highlighted)] for every <g data-part> of the drawing."""
    return [(g.get("data-part"), "hl" in g.get("class", "").split())
            for g in root.iter("{http://www.w3.org/2000/svg}g")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_diagram_is_well_formed_and_deterministic(lang):
    for config in (REAL, TINY):
        for make in (lambda: diagrams.architecture(config, "rope", lang=lang), lambda: diagrams.gqa(config, lang=lang),
                     lambda: diagrams.kv_cache(config, lang=lang)):
            d = make()
            parse(d)
            assert d._repr_svg_() == d.svg == str(d) == make().svg


def test_output_does_not_depend_on_the_process():
    code = ("import llama_scratch as ls; from llama_scratch.tools import diagrams; "
            "c = ls.config_from_params(ls.LLAMA_3_2_1B_PARAMS); "
            "print(diagrams.architecture(c, ('swiglu', 'block'), lang='zh').svg + diagrams.kv_cache(c, lang='en').svg "
            "+ diagrams.gqa(c, lang='en').svg, end='')")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out == (diagrams.architecture(REAL, ("swiglu", "block"), lang="zh").svg
                   + diagrams.kv_cache(REAL, lang="en").svg + diagrams.gqa(REAL, lang="en").svg)


def test_architecture_numbers_come_from_the_config():
    words = " ".join(texts(parse(diagrams.architecture(REAL, lang="en"))))
    for fact in ("16 × transformer block", "h = 32 query heads, k = 8 kv heads, e = 64", "2048 → 8192 → 2048",
                 "[128256, 2048]", "θ = 500000", "× 32"):
        assert fact in words, fact
    words = " ".join(texts(parse(diagrams.architecture(TINY, lang="en"))))
    for fact in ("4 × transformer block", "h = 8 query heads, k = 2 kv heads, e = 16", "[128256, 128]"):
        assert fact in words, fact
    assert "16 ×" not in words
    unscaled = " ".join(texts(parse(diagrams.architecture(TINY.replace(use_scaled_rope=False), lang="en"))))
    assert "unscaled" in unscaled and "scaling" not in unscaled


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_highlight_marks_exactly_the_named_part(name):
    marked = groups(parse(diagrams.architecture(REAL, highlight=name, lang="en")))
    assert {part for part, hl in marked if hl} == EXPECTED[name]
    assert all(hl for part, hl in marked if part in EXPECTED[name])  # every copy (the three RMSNorms)
    assert {part for part, _ in marked} == set(ELEMENTS)  # every part is drawn


def test_highlight_of_several_parts_and_of_none():
    marked = groups(parse(diagrams.architecture(REAL, highlight=("swiglu", "block"))))
    assert {part for part, hl in marked if hl} == {"swiglu", "block"}
    root = parse(diagrams.architecture(REAL))
    assert not any(hl for _, hl in groups(root))
    assert not any(t.startswith("highlighted") for t in texts(root))
    with pytest.raises(ValueError, match="'attn' is not a part.*rope"):
        diagrams.architecture(REAL, highlight="attn")


CHINESE = ("词元", "嵌入", "均方根归一化", "旋转位置编码", "分组查询注意力", "键值缓存", "注意力", "前馈网络", "残差",
           "输出", "logits", "查询头", "KV 头")
# Latin words that stay as they are in the Chinese edition: names, formats and units.
KEPT = {"logits", "Llama", "params", "json", "RMSNorm", "RoPE", "GQA", "SwiGLU", "BPE", "KV", "cache",
        "Transformer", "top", "bfloat16", "KiB", "GiB", "rep"}  # rep: the symbol n_rep


def test_chinese_labels_under_lang_zh(monkeypatch, tmp_path):
    zh = [diagrams.architecture(REAL, "generation", lang="zh"), diagrams.gqa(REAL, lang="zh"),
          diagrams.kv_cache(REAL, lang="zh")]
    words = " ".join(t for d in zh for t in texts(parse(d)))
    for term in CHINESE:
        assert term in words, term
    leftover = {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", words)} - KEPT
    assert not leftover, f"untranslated words in the Chinese diagrams: {sorted(leftover)}"
    # no language argument: a kernel running in a folder named zh draws Chinese
    (tmp_path / "zh").mkdir()
    monkeypatch.delenv("LLAMA_SCRATCH_LANG", raising=False)
    monkeypatch.chdir(tmp_path / "zh")
    assert diagrams.architecture(REAL, "generation").svg == zh[0].svg
    assert "font-family" in zh[0].svg and "Noto Sans CJK SC" in zh[0].svg  # a CJK font in the stack


def _rects(root, prefix):
    """{part: (x, x + width)} of the rectangles in groups whose data-part starts with prefix."""
    out = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        part = g.get("data-part", "")
        if part.startswith(prefix):
            r = g.find("svg:rect", NS)
            if r is not None:
                out[part] = (float(r.get("x")), float(r.get("x")) + float(r.get("width")))
    return out


@pytest.mark.parametrize("config", [REAL, TINY], ids=["1b", "tiny"])
def test_gqa_joins_each_query_head_to_the_kv_head_repeat_kv_gives_it(config):
    root = parse(diagrams.gqa(config, lang="en"))
    kv_boxes = _rects(root, "kv-head-")
    assert len(kv_boxes) == config.n_kv_heads and len(_rects(root, "query-head-")) == config.n_heads
    owner = ls.repeat_kv(torch.arange(config.n_kv_heads).view(1, -1, 1, 1), config.n_rep).flatten().tolist()
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        part = g.get("data-part", "")
        if part.startswith("query-head-"):
            j = int(part.rsplit("-", 1)[1])
            end_x = float(g.find("svg:polyline", NS).get("points").split()[-1].split(",")[0])
            lo, hi = kv_boxes[f"kv-head-{owner[j]}"]
            assert lo <= end_x <= hi, (j, owner[j])
    words = " ".join(texts(root))
    assert f"{config.n_heads} query heads share {config.n_kv_heads} kv heads" in words
    assert f"j // {config.n_rep}" in words


def test_kv_cache_grid_and_bytes():
    root = parse(diagrams.kv_cache(REAL, prompt_len=5, new_tokens=2, lang="en"))
    cells = [part for part, _ in groups(root)]
    n_rects = {p: sum(1 for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("data-part") == p
                      for _ in g.iter("{http://www.w3.org/2000/svg}rect")) for p in set(cells)}
    assert n_rects == {"prefill": 16 * 5, "decode-1": 16, "decode-2": 16}  # every layer, every position
    words = " ".join(texts(root))
    # Llama-3.2-1B in bf16: 2 (K, V) x 16 layers x 8 kv heads x 64 x 2 bytes = 32 KiB per token; 4 GiB for 128K
    assert "= 32,768 bytes (32 KiB)" in words and "131,072 tokens: 4.00 GiB" in words
    assert "[b, 8, t, 64]" in words and "decode step 2: writes position 6 in every layer, reads 0 … 6" in words
    tiny = " ".join(texts(parse(diagrams.kv_cache(TINY, dtype=torch.float32, lang="en"))))
    per_token = 2 * TINY.n_layers * TINY.n_kv_heads * TINY.head_dim * 4
    assert f"= {per_token:,} bytes" in tiny and "float32" in tiny
    with pytest.raises(ValueError, match="prompt_len"):
        diagrams.kv_cache(REAL, prompt_len=0)


def test_save_svg_png_pdf(tmp_path):
    d = diagrams.architecture(TINY, "attention", lang="en")
    assert d.save(tmp_path / "a.svg").read_text(encoding="utf-8") == d.svg
    with Image.open(d.save(tmp_path / "a.png")) as im:
        assert im.format == "PNG" and im.width > 500 and im.height > 500
        assert np.asarray(im.convert("RGB"), dtype=float).std() > 5  # drawn, not blank
    assert d.save(tmp_path / "a.pdf").read_bytes().startswith(b"%PDF-")
    with pytest.raises(ValueError, match=r"\.gif"):
        d.save(tmp_path / "a.gif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "a.png", "a.svg"]  # nothing half-written
