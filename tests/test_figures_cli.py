"""``python -m llama_scratch figures``: writes exactly the expected files, each a valid PNG / SVG / PDF of the size the
dpi asks for and not blank; titles say the weights are random; bad arguments exit 2 with one line and write nothing."""

import argparse
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import llama_scratch as ls
from conftest import cli
from llama_scratch.tools import figures
from llama_scratch.tools.cli import main

PROMPT = "The llama looked at the alpaca. 羊驼看着它。"
RAW_NAMES = ("rope_frequencies", "rope_spokes", "rope_relative_distance")


def expected_names(layers, heads):
    names = {f"attention_L{layer:02d}_all_heads" for layer in layers}
    names |= {f"attention_H{head:02d}_all_layers" for head in heads}
    names |= {f"{kind}_L{layer:02d}_H{head:02d}" for kind in ("attention", "attention_stages")
              for layer in layers for head in heads}
    return names | set(RAW_NAMES)


def tight_size_px(fig, dpi, pad_inches=0.1):
    """(height, width) in pixels that savefig(..., dpi, bbox_inches="tight") should produce for fig."""
    fig.set_dpi(dpi)
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(pad_inches)
    return round(bbox.height * dpi), round(bbox.width * dpi)


@pytest.mark.slow
def test_command_writes_every_format_valid_and_sized_by_dpi(tiny_dir, tiny_model, tokenizer, tmp_path):
    config = tiny_model.config
    last_layer, last_head = config.n_layers - 1, config.n_heads - 1
    out, dpi = tmp_path / "slides", 60
    r = cli("figures", "--checkpoint", str(tiny_dir), "--prompt", PROMPT, "--out", str(out), "--layers", "0,last",
            "--heads", f"0,{last_head}", "--format", "png,svg,pdf", "--dpi", str(dpi))
    assert r.returncode == 0, r.stderr
    assert "RANDOM WEIGHTS" in r.stderr
    names = expected_names((0, last_layer), (0, last_head))
    expected = {f"{n}.{fmt}" for n in names for fmt in ("png", "svg", "pdf")}
    assert {p.name for p in out.iterdir()} == expected
    assert sorted(r.stdout.splitlines()) == sorted(str(out / n) for n in expected)  # one line per file written

    # the same figures drawn here give the pixel size each PNG must have at this dpi
    figs = figures.make_figures(tiny_model, tokenizer, PROMPT, [0, last_layer], [0, last_head],
                                figures.model_title(ls.CheckpointInfo(tiny_dir, True, "test")))
    assert set(figs) == names
    for name in sorted(names):
        with Image.open(out / f"{name}.png") as im:
            assert im.format == "PNG"
            assert im.info["dpi"] == pytest.approx((dpi, dpi), abs=0.1)
            pixels = np.asarray(im.convert("RGB"), dtype=float)
        h, w = tight_size_px(figs[name], dpi)
        assert abs(pixels.shape[0] - h) <= 2 and abs(pixels.shape[1] - w) <= 2, (name, pixels.shape, (h, w))
        assert pixels.std() > 5, f"{name}.png looks blank"
        root = ET.parse(out / f"{name}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(list(root.iter())) > 50  # drawn content, not an empty document
        pdf = (out / f"{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    plt.close("all")


def test_titles_name_model_layer_head_prompt_and_random_weights(tiny_dir, tiny_model, tokenizer):
    title = figures.model_title(ls.CheckpointInfo(tiny_dir, True, "test"))
    assert title.endswith("(demo: random weights)")
    assert figures.model_title(ls.CheckpointInfo(tiny_dir.parent / "Llama-3.2-1B" / "original", False, "x")) \
        == "Llama-3.2-1B"
    figs = figures.make_figures(tiny_model, tokenizer, "Hello llama", [1], [2], title)
    for name, fig in figs.items():
        text = " ".join([fig._suptitle.get_text() if fig._suptitle else ""] + [ax.get_title() for ax in fig.axes])
        assert "demo: random weights" in text, name
        if name.startswith("attention"):
            assert "Hello llama" in text, name
        if "L01" in name:
            assert "layer 1" in text, name
        if "H02" in name:
            assert "head 2" in text, name
    plt.close("all")


@pytest.mark.slow
def test_defaults(tiny_dir, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    figures.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.layers, args.heads, args.format, args.dpi) == ("0,last", "0", "png", 150)
    assert args.prompt is None and args.lang is None  # both resolved by figures.check_lang
    figures.check_lang(args, "default")
    assert args.prompt == ls.tools.i18n.STRINGS["plot.default_prompt"][args.lang]
    out = tmp_path / "default"
    assert main(["figures", "--checkpoint", str(tiny_dir), "--out", str(out)]) == 0
    last = ls.load_config(tiny_dir).n_layers - 1
    assert {p.name for p in out.iterdir()} == {f"{n}.png" for n in expected_names((0, last), (0,))}
    assert len(capsys.readouterr().out.splitlines()) == len(list(out.iterdir()))
    with Image.open(out / "rope_spokes.png") as im:
        assert im.info["dpi"] == pytest.approx((150, 150), abs=0.1)
    plt.close("all")


def bad_cases(config):
    n_layers, n_heads = config.n_layers, config.n_heads
    return [
        (["--layers", str(n_layers)], f"layers 0..{n_layers - 1}"),
        (["--layers", "-1"], f"layers 0..{n_layers - 1}"),
        (["--layers", "first"], "not an integer"),
        (["--heads", str(n_heads)], f"heads 0..{n_heads - 1}"),
        (["--heads", ","], f"0..{n_heads - 1}"),
        (["--format", "png,gif"], "gif"),
        (["--format", "jpeg"], "png, svg, pdf"),
        (["--dpi", "0"], "dpi"),
        (["--dpi", "-150"], "dpi"),
        (["--prompt", ""], "empty"),
        (["--prompt", " \n "], "empty"),
    ]


def test_bad_arguments_fail_cleanly_and_write_nothing(tiny_dir, tmp_path, capsys):
    config = ls.load_config(tiny_dir)
    for i, (args, match) in enumerate(bad_cases(config)):
        out = tmp_path / f"figs{i}"
        assert main(["figures", "--checkpoint", str(tiny_dir), "--out", str(out), *args]) == 2, args
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and match in lines[0], (args, captured.err)
        assert captured.out == "" and not out.exists(), args
    target = tmp_path / "a_file"
    target.write_text("not a folder")
    assert main(["figures", "--checkpoint", str(tiny_dir), "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err and target.read_text() == "not a folder"


@pytest.mark.slow
def test_bad_argument_from_the_shell_has_no_traceback(tiny_dir, tmp_path):
    out = tmp_path / "figs"
    r = cli("figures", "--checkpoint", str(tiny_dir), "--out", str(out), "--heads", "999")
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "999" in r.stderr and not out.exists()
    r = cli("figures", "--checkpoint", str(tmp_path / "missing"), "--out", str(out))
    assert r.returncode == 2 and "does not exist" in r.stderr and not out.exists()


@pytest.mark.slow  # trained_dir trains the demo where make test has not built it
def test_titles_name_the_trained_demo_as_such(trained_dir):
    info = ls.CheckpointInfo(trained_dir, False, "test")
    assert info.kind == "trained-demo"
    assert figures.model_title(info, "en") == "demo-trained (trained demo, not Meta's weights)"
    assert "训练过的演示模型" in figures.model_title(info, "zh")
