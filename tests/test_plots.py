"""llama_scratch.tools.plots: the figures show the right numbers (attention recomputed by hand from the raw tensors,
RoPE wavelengths from the plain formula and from Meta's own apply_scaling), are legible on a slide (titles, colour
bars, fonts >= 11 pt) and draw CJK token labels or readable escapes without 'Glyph missing' warnings."""

import io
import math
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.text import Text

import llama_scratch as ls
from conftest import meta_model_module
from llama_scratch import plots
from llama_scratch.tools.figures import make_figures

PROMPT = "Llamas eat grass. 羊驼吃草。"
CJK = "羊驼吃草"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def hand_layer0_attention(sd, config, ids) -> torch.Tensor:
    """Layer-0 attention weights [h, s, s] from the raw state dict: rms_norm, the raw wq/wk rows of each head (query
    head j reads kv head j // n_rep), apply_rope, a plain softmax(q k^T / sqrt(e)) with a causal mask.
    No model code (Llama, attention_weights, repeat_kv, transformer_block) is involved."""
    x = sd["tok_embeddings.weight"].float()[torch.tensor(ids)]  # [s, d]
    x = ls.rms_norm(x, sd["layers.0.attention_norm.weight"].float(), config.norm_eps)  # [s, d]
    s, e = len(ids), config.head_dim
    cos, sin = ls.rope_angles(ls.rope_frequencies(config), torch.arange(s))  # [s, e/2]
    wq, wk = sd["layers.0.attention.wq.weight"].float(), sd["layers.0.attention.wk.weight"].float()
    out = []
    for head in range(config.n_heads):
        kv = head * config.n_kv_heads // config.n_heads  # = head // n_rep
        q = (x @ wq[head * e:(head + 1) * e].T)[None, :, None]  # [1, s, 1, e]
        k = (x @ wk[kv * e:(kv + 1) * e].T)[None, :, None]  # [1, s, 1, e]
        q, k = ls.apply_rope(q, cos, sin)[0, :, 0], ls.apply_rope(k, cos, sin)[0, :, 0]  # [s, e]
        scores = q @ k.T / math.sqrt(e)  # [s, s]
        scores = scores.masked_fill(torch.ones(s, s, dtype=torch.bool).triu(1), float("-inf"))
        p = scores.exp()  # plain softmax: exp / row sum (masked entries give exp(-inf) = 0)
        out.append(p / p.sum(-1, keepdim=True))
    return torch.stack(out)  # [h, s, s]


@pytest.fixture(scope="module")
def layer0(tiny_dir, tiny_model, tokenizer):
    ids = tokenizer.encode(PROMPT, bos=True)
    expected = hand_layer0_attention(ls.read_state_dict(tiny_dir / "consolidated.00.pth"), tiny_model.config, ids)
    return ids, expected


def image_data(ax) -> torch.Tensor:
    return torch.tensor(np.ma.getdata(ax.images[0].get_array()), dtype=torch.float32)


def test_hand_attention_is_a_real_peer(layer0, tiny_model):
    """Sanity of the peer itself: every row is a distribution, zero above the diagonal, and not uniform."""
    _, expected = layer0
    h, s, _ = expected.shape
    assert h == tiny_model.config.n_heads and s > 5
    torch.testing.assert_close(expected.sum(-1), torch.ones(h, s))
    assert expected.triu(1).abs().max() == 0
    assert (expected[:, -1] - 1 / s).abs().max() > 1e-3


def test_figures_show_the_models_layer0_attention(layer0, tiny_model, tokenizer):
    ids, expected = layer0
    heads = [0, tiny_model.config.n_heads - 1]  # first and last query head: different kv heads under GQA
    figs = make_figures(tiny_model, tokenizer, PROMPT, [0], heads, "tiny (demo: random weights)")
    for head in heads:
        shown = image_data(figs[f"attention_L00_H{head:02d}"].axes[0])
        assert shown.shape == (len(ids), len(ids))
        torch.testing.assert_close(shown, expected[head], atol=1e-5, rtol=0)
        stages = figs[f"attention_stages_L00_H{head:02d}"]
        torch.testing.assert_close(image_data(stages.axes[2]), expected[head], atol=1e-5, rtol=0)
        masked = image_data(stages.axes[1])  # the masked-scores panel is blank (masked) above the diagonal
        assert np.ma.getmaskarray(stages.axes[1].images[0].get_array()).sum() == len(ids) * (len(ids) - 1) // 2
        assert torch.isfinite(masked.tril()).all()
        across = figs[f"attention_H{head:02d}_all_layers"]
        torch.testing.assert_close(image_data(across.axes[0]), expected[head], atol=1e-5, rtol=0)
    grid = figs["attention_L00_all_heads"]
    for head in range(tiny_model.config.n_heads):
        torch.testing.assert_close(image_data(grid.axes[head]), expected[head], atol=1e-5, rtol=0)


def test_heatmap_accepts_any_dtype_and_labels_the_axes(layer0, tokenizer):
    ids, expected = layer0
    labels = plots.token_labels(tokenizer, ids)
    fig = plots.attention_heatmap(expected[1].to(torch.bfloat16), labels, layer=0, head=1, model_name="m",
                                  prompt=PROMPT)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == labels
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    torch.testing.assert_close(image_data(ax), expected[1].to(torch.bfloat16).float())
    with pytest.raises(ValueError, match=r"\[s, t\]"):
        plots.attention_heatmap(expected, labels)  # [h, s, s]: one head must be picked


def test_titles_colour_bars_and_font_sizes(tiny_model, layer0, tokenizer):
    ids, expected = layer0
    labels = plots.token_labels(tokenizer, ids)
    s = len(ids)
    scores = torch.randn(s, s)
    masked = scores.masked_fill(torch.ones(s, s, dtype=torch.bool).triu(1), float("-inf"))
    config = tiny_model.config
    cases = {
        "heatmap": (plots.attention_heatmap(expected[3], labels, layer=2, head=3, model_name="M", prompt=PROMPT),
                    ["layer 2", "head 3", "M", "Llamas eat grass"], 1),
        "grid": (plots.attention_grid(expected, labels, layer=2, model_name="M", prompt=PROMPT),
                 ["layer 2", "M", "Llamas eat grass", "head 0"], 1),
        "across": (plots.attention_across_layers(expected[:3], labels, head=3, model_name="M", prompt=PROMPT),
                   ["head 3", "M", "layer 0", "layer 2"], 1),
        "stages": (plots.attention_stages(scores, masked, torch.softmax(masked, -1), labels, layer=2, head=3,
                                          model_name="M", prompt=PROMPT),
                   ["layer 2", "head 3", "M", "raw scores", "mask", "softmax"], 3),
        "freq": (plots.rope_frequencies_figure(config), [f"head_dim {config.head_dim}", "wavelength"], 0),
        "spokes": (plots.rope_spokes_figure(config), ["RoPE", "pair 0", "position"], 1),
        "distance": (plots.rope_relative_distance_figure(config), ["RoPE", "distance"], 0),
    }
    for name, (fig, words, n_bars) in cases.items():
        fig.canvas.draw()  # creates the tick labels
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        everything = " ".join(t.get_text() for t in texts)
        for word in words:
            assert word in everything, f"{name}: {word!r} missing from the figure's text"
        small = sorted({(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 11})
        assert not small, f"{name}: text smaller than 11 pt: {small[:5]}"
        bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
        assert len(bars) == n_bars, f"{name}: {len(bars)} colour bars, expected {n_bars}"
        w, h = fig.get_size_inches()
        assert 6 <= w <= 30 and 4 <= h <= 20, f"{name}: figsize {w:.1f} x {h:.1f} in"


def test_rope_frequencies_figure_matches_the_formula_and_meta(golden_free_1b_config):
    """Wavelengths 2π·θ^(2i/e) by hand (unscaled) and from Meta's apply_scaling with factor 32 (scaled)."""
    config = golden_free_1b_config
    fig = plots.rope_frequencies_figure(config)
    unscaled, scaled = (np.asarray(line.get_ydata()) for line in fig.axes[0].lines[:2])
    e = config.head_dim
    by_hand = np.array([2 * math.pi * config.rope_theta ** (2 * i / e) for i in range(e // 2)])
    np.testing.assert_allclose(unscaled, by_hand, rtol=1e-5)
    freqs = torch.tensor([1 / config.rope_theta ** (2 * i / e) for i in range(e // 2)], dtype=torch.float32)
    meta = (2 * math.pi / meta_model_module(32.0).apply_scaling(freqs)).numpy()
    np.testing.assert_allclose(scaled, meta, rtol=1e-5)
    assert scaled[0] == pytest.approx(2 * math.pi, rel=1e-6)  # fastest pair: kept
    assert scaled[-1] == pytest.approx(32 * by_hand[-1], rel=1e-5)  # slowest pair: divided by the factor 32
    assert "factor 32" in " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())


@pytest.fixture(scope="module")
def golden_free_1b_config():
    """The real Llama-3.2-1B config (its params.json is in llama_scratch.checkpoints.models; no weights needed)."""
    return ls.config_from_params(ls.LLAMA_3_2_1B_PARAMS)


def test_rope_spokes_point_where_the_angle_says(golden_free_1b_config):
    config = golden_free_1b_config
    n = 20
    fig = plots.rope_spokes_figure(config, pairs=(0,), n_positions=n)
    spokes = [line for line in fig.axes[0].lines if len(line.get_xdata()) == 2]
    assert len(spokes) == n
    for m, line in enumerate(spokes):  # pair 0 turns at 1 rad per position (θ^0 = 1, kept by the scaling)
        assert line.get_xdata()[1] == pytest.approx(math.cos(m), abs=1e-5)
        assert line.get_ydata()[1] == pytest.approx(math.sin(m), abs=1e-5)
    with pytest.raises(ValueError, match=f"0..{config.head_dim // 2 - 1}"):
        plots.rope_spokes_figure(config, pairs=(config.head_dim // 2,))


def test_rope_score_depends_only_on_distance(golden_free_1b_config):
    fig = plots.rope_relative_distance_figure(golden_free_1b_config, max_distance=5000)
    a, b = (np.asarray(line.get_ydata()) for line in fig.axes[0].lines[:2])
    x = np.asarray(fig.axes[0].lines[0].get_xdata())
    assert x[0] == 1 and x[-1] == 5001  # distance + 1 on a log axis: 0 .. max_distance
    np.testing.assert_allclose(a, b, atol=1e-3 * abs(a).max())
    assert a[0] == pytest.approx(a.max()) and a.min() < 0.9 * a[0]  # aligned at distance 0, decorrelates later


def test_token_labels_keep_specials_and_show_whitespace(tokenizer):
    ids = tokenizer.encode("Hi there\n\tyou", bos=True) + [tokenizer.special_tokens["<|eot_id|>"]]
    labels = plots.token_labels(tokenizer, ids)
    assert len(labels) == len(ids) and all(labels)
    assert labels[0] == "<|begin_of_text|>" and labels[-1] == "<|eot_id|>"
    assert "␣there" in labels and any("↵" in lab for lab in labels) and any("→" in lab for lab in labels)
    assert plots.token_labels(tokenizer, [tokenizer.encode(" ")[0]]) == ["␣"]


def test_cjk_labels_are_characters(tokenizer):
    """The committed CJK font draws the characters, whatever fonts this machine has; split ones show their bytes."""
    ids = tokenizer.encode(CJK)
    labels = plots.token_labels(tokenizer, ids)
    assert len(labels) == len(ids) and all(label.strip() for label in labels)
    whole = [b.decode() for b in tokenizer.decode_token_bytes(ids) if _is_utf8(b)]  # 羊, 吃, 草 (驼 is split)
    assert whole and all(ch in labels for ch in whole) and "U+" not in "".join(labels)
    assert "\\xe9\\xa9" in labels  # 驼's first two bytes: a token of its own
    for label in labels:  # every label can be drawn by the fonts present
        assert all(plots.can_draw(ch) for ch in label), label


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def test_cjk_labels_for_a_font_without_cjk_are_escaped(tokenizer):
    """For a font with no CJK (DejaVu Sans alone) the labels become U+XXXX / \\xNN escapes, never boxes."""
    from matplotlib import font_manager, ft2font

    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    have = set(ft2font.FT2Font(dejavu).get_charmap())
    only_dejavu = lambda ch: ch.isprintable() and ord(ch) in have  # noqa: E731
    ids = tokenizer.encode("中") + tokenizer.encode(" é") + tokenizer.encode(CJK)
    labels = plots.token_labels(tokenizer, ids, drawable=only_dejavu)
    raw = tokenizer.decode_token_bytes(ids)
    expected = [" ".join(f"U+{ord(ch):04X}" for ch in b.decode()) if _is_utf8(b) and ord(b.decode()[-1]) > 0x2E80
                else "".join(f"\\x{x:02x}" for x in b) if not _is_utf8(b) else b.decode().replace(" ", "␣")
                for b in raw]
    assert labels == expected
    assert labels[:2] == ["U+4E2D", "␣é"] or len(tokenizer.encode("中")) != 1
    assert plots.readable("中文", only_dejavu) == "U+4E2D U+6587"
    assert plots.readable("中文") == "中文"  # with the fonts in use (the committed CJK font)
    assert plots.readable("a b\n") == "a␣b↵"
    assert plots.readable("𠀀") == "U+20000"  # outside GB2312: in no font in use


def test_no_glyph_warnings_with_cjk_labels_and_prompt(tokenizer):
    ids = tokenizer.encode(PROMPT, bos=True)
    labels = plots.token_labels(tokenizer, ids)
    weights = torch.softmax(torch.randn(len(ids), len(ids)), -1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.attention_heatmap(weights, labels, layer=0, head=0, model_name="模型", prompt=PROMPT)
        fig.savefig(io.BytesIO(), format="png", dpi=50)
        fig.savefig(io.BytesIO(), format="svg")
    glyph = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert not glyph, glyph[:3]
    title = fig.axes[0].get_title()
    assert "羊驼吃草" in title


def test_backend_is_headless_outside_jupyter():
    assert matplotlib.get_backend().lower() in ("agg", "module://matplotlib_inline.backend_inline")


def test_save_figure_writes_each_format_at_the_dpi(tmp_path):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    paths = plots.save_figure(fig, "line", tmp_path, formats=("png", "svg", "pdf"), dpi=100)
    assert [p.name for p in paths] == ["line.png", "line.svg", "line.pdf"]
    with pytest.raises(ValueError, match="letters, digits"):
        plots.save_figure(fig, "../escape", tmp_path)
