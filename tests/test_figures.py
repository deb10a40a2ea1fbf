"""Figures for slides: the figures command writes the expected files, each valid; the attention heatmap shows the
model's real attention weights (recomputed here by hand from the raw tensors); bad arguments fail cleanly."""

import math
import xml.etree.ElementTree as ET

import matplotlib.image as mpimg
import pytest
import torch

import llama_scratch as ls
from llama_scratch import plots
from llama_scratch.figures import make_figures
from test_cli import cli

PROMPT = "Llamas eat grass. 羊驼吃草。"


def test_figures_command_writes_every_format(tiny_dir, tmp_path):
    out = tmp_path / "figs"
    r = cli("figures", "--checkpoint", str(tiny_dir), "--prompt", PROMPT, "--out", str(out), "--layers", "0,last",
            "--heads", "0,7", "--format", "png,svg,pdf", "--dpi", "80")
    assert r.returncode == 0, r.stderr
    names = {"attention_L00_all_heads", "attention_L03_all_heads", "attention_H00_all_layers",
             "attention_H07_all_layers", "rope_frequencies", "rope_spokes", "rope_relative_distance"}
    names |= {f"{kind}_L{layer:02d}_H{head:02d}" for kind in ("attention", "attention_stages")
              for layer in (0, 3) for head in (0, 7)}
    expected = {f"{n}.{fmt}" for n in names for fmt in ("png", "svg", "pdf")}
    assert {p.name for p in out.iterdir()} == expected
    assert sorted(r.stdout.split()) == sorted(str(out / n) for n in expected)  # prints what it wrote
    for name in names:
        img = mpimg.imread(out / f"{name}.png")
        assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100
        assert img[..., :3].std() > 0.01, f"{name}.png looks blank"
        assert ET.parse(out / f"{name}.svg").getroot().tag.endswith("svg")
        pdf = (out / f"{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")


def test_png_size_follows_dpi(tiny_model, tokenizer, tmp_path):
    fig = plots.rope_frequencies_figure(tiny_model.config)
    (p1,) = plots.save_figure(fig, "a", tmp_path, dpi=50)
    (p2,) = plots.save_figure(fig, "b", tmp_path, dpi=100)
    h1, w1 = mpimg.imread(p1).shape[:2]
    h2, w2 = mpimg.imread(p2).shape[:2]
    assert abs(w2 / w1 - 2) < 0.05 and abs(h2 / h1 - 2) < 0.05


def hand_attention(sd, config, ids, layer0_head):
    """Layer-0 attention weights of one head from the raw state dict: no llama_scratch model code involved."""
    x = sd["tok_embeddings.weight"].float()[ids]  # [s, d]
    w_norm = sd["layers.0.attention_norm.weight"].float()
    x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + config.norm_eps) * w_norm
    e, head = config.head_dim, layer0_head
    kv = head // (config.n_heads // config.n_kv_heads)
    q = x @ sd["layers.0.attention.wq.weight"].float()[head * e:(head + 1) * e].T  # [s, e]
    k = x @ sd["layers.0.attention.wk.weight"].float()[kv * e:(kv + 1) * e].T
    s = len(ids)
    freqs = ls.rope_frequencies(config)  # the scaling itself is tested against Meta in test_layers.py
    angle = torch.arange(s).float()[:, None] * freqs[None]  # [s, e/2]

    def rotate(t):
        c = torch.view_as_complex(t.reshape(s, e // 2, 2).contiguous()) * torch.polar(torch.ones_like(angle), angle)
        return torch.view_as_real(c).reshape(s, e)

    scores = rotate(q) @ rotate(k).T / math.sqrt(e)
    scores = scores.masked_fill(torch.ones(s, s).triu(1).bool(), float("-inf"))
    return torch.softmax(scores, -1)


@pytest.mark.parametrize("head", [0, 5])
def test_attention_figure_shows_the_models_weights(tiny_dir, tiny_model, tokenizer, head):
    ids = tokenizer.encode(PROMPT, bos=True)
    figs = make_figures(tiny_model, tokenizer, PROMPT, [0], [head], "demo")
    shown = torch.tensor(figs[f"attention_L00_H{head:02d}"].axes[0].images[0].get_array().data)
    expected = hand_attention(ls.read_state_dict(tiny_dir / "consolidated.00.pth"), tiny_model.config, ids, head)
    assert shown.shape == (len(ids), len(ids))
    assert torch.allclose(shown, expected, atol=1e-5)
    stages = figs[f"attention_stages_L00_H{head:02d}"].axes[2].images[0].get_array().data
    assert torch.allclose(torch.tensor(stages), expected, atol=1e-5)


def test_token_labels_are_readable(tokenizer):
    ids = tokenizer.encode("羊驼 eats\n grass", bos=True) + [128009]
    labels = plots.token_labels(tokenizer, ids)
    assert len(labels) == len(ids) and all(labels)
    assert labels[0] == "<|begin_of_text|>" and labels[-1] == "<|eot_id|>"
    assert any("↵" in lab for lab in labels) and any("␣" in lab for lab in labels)
    cjk = "".join(labels[1:3])
    assert ("羊" in cjk) if plots.cjk_font() else ("U+7F8A" in cjk or "\\x" in cjk)


@pytest.mark.parametrize("args,match", [
    (["--layers", "99"], "layers 0..3"),
    (["--heads", "-1"], "heads 0..7"),
    (["--format", "png,gif"], "gif"),
    (["--dpi", "0"], "dpi"),
    (["--prompt", "  "], "empty"),
])
def test_bad_arguments_exit_2_and_write_nothing(tiny_dir, tmp_path, args, match):
    out = tmp_path / "figs"
    r = cli("figures", "--checkpoint", str(tiny_dir), "--out", str(out), *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert match in r.stderr.strip().splitlines()[-1]
    assert not out.exists()
