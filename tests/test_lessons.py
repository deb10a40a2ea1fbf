"""``python -m llama_scratch figures --lesson NN``: each lesson's slide figures, in lecture order, in one folder;
bad lesson numbers fail with one line and write nothing."""

import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import pytest
from PIL import Image

from llama_scratch.__main__ import main
from llama_scratch.tools import lessons
from test_cli import cli

NO_WEIGHTS = sorted(set(lessons.LESSONS) - lessons.NEEDS_CHECKPOINT)


def written(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("lesson", NO_WEIGHTS)
def test_lesson_writes_its_figures_in_lecture_order(lesson, tmp_path, capsys):
    out = tmp_path / "slides"
    assert main(["figures", "--lesson", f"{lesson:02d}", "--out", str(out), "--format", "svg"]) == 0
    lines = written(capsys)
    names = [p.split("/")[-1] for p in lines]
    assert names == sorted(names) == sorted(p.name for p in out.iterdir())  # printed in order, nothing else
    assert [n[:3] for n in names] == [f"{i:02d}_" for i in range(1, len(names) + 1)]  # 01_, 02_, ...
    assert names[0] == "01_architecture.svg"
    root = ET.parse(out / names[0]).getroot()
    marked = {g.get("data-part") for g in root.iter("{http://www.w3.org/2000/svg}g") if "hl" in g.get("class", "")}
    assert marked, "the lesson's part is highlighted on its first slide"
    for name in names:
        assert ET.parse(out / name).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    plt.close("all")


def test_each_lesson_highlights_its_own_part():
    parts = {n: lessons.HIGHLIGHT[n] for n in lessons.LESSONS}
    assert len({str(p) for p in parts.values()}) == len(parts)  # no two lessons show the same slide
    assert set(lessons.LESSONS) == set(range(11))


def test_rope_lesson_in_every_format_uses_the_real_1b(tmp_path, capsys, tiny_dir):
    out = tmp_path / "rope"
    # a tiny checkpoint is installed, but RoPE needs no weights: the figures are those of the real 1B
    assert main(["figures", "--lesson", "4", "--out", str(out), "--format", "png,svg,pdf", "--dpi", "50",
                 "--checkpoint", str(tiny_dir)]) == 0
    assert [p.split("/")[-1] for p in written(capsys)] == lessons.file_names(4, ("png", "svg", "pdf"))
    for path in sorted(out.glob("*.png")):
        with Image.open(path) as im:
            assert im.format == "PNG"
    assert all((out / n).read_bytes().startswith(b"%PDF-") for n in lessons.file_names(4, ("pdf",)))
    figs = [make(lessons.Sources()) for _, make in lessons.LESSONS[4][1:]]
    titles = " ".join(fig._suptitle.get_text() if fig._suptitle else fig.axes[0].get_title() for fig in figs)
    assert "head_dim 64" in titles and "head_dim 16" not in titles
    plt.close("all")


def test_attention_lesson_uses_the_checkpoint_and_says_it_is_random(tmp_path, capsys, tiny_dir):
    out = tmp_path / "attention"
    assert main(["figures", "--lesson", "05", "--out", str(out), "--checkpoint", str(tiny_dir)]) == 0
    names = [p.split("/")[-1] for p in written(capsys)]
    assert names == lessons.file_names(5, ("png",)) == sorted(p.name for p in out.iterdir())
    assert names[1] == "02_gqa_head_sharing.png" and names[2].startswith("03_attention_stages")
    _, _, maps, _, title = lessons.Sources(tiny_dir).attention()
    assert "random weights" in title and len(maps) == 4  # the tiny demo's 4 layers
    plt.close("all")


@pytest.mark.parametrize("bad", ["11", "-1", "abc", "4.5", " "])
def test_bad_lesson_is_one_line_and_writes_nothing(bad, tmp_path, capsys):
    out = tmp_path / "slides"
    assert main(["figures", "--lesson", bad, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --lesson") and "00–10" in err[0]
    assert not out.exists()


def test_bad_checkpoint_for_the_attention_lesson_writes_nothing(tmp_path):
    out = tmp_path / "slides"
    r = cli("figures", "--lesson", "05", "--out", str(out), "--checkpoint", str(tmp_path / "missing"))
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_lesson_with_html_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "slides"
    assert main(["figures", "--lesson", "04", "--format", "png,html", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--format html" in err[0] and "--lesson" in err[0]
    assert not out.exists()
