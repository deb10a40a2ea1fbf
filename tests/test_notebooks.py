"""Every notebook of both editions and their solutions runs headless from a fresh kernel on the trained demo (what
`make run` uses without the real weights), makes its figures, and is stored clean; every exercise check of a
solutions notebook says "correct"; and the English series runs on a random checkpoint of other shapes too (every
size comes from params.json, none is assumed)."""

import json
import re
import sys

import pytest

import llama_scratch as ls
from conftest import ROOT
from llama_scratch.checkpoints import DEMO_PARAMS, ENV_CHECKPOINT
from llama_scratch.tools import i18n
from llama_scratch.tools.notebooks import execute_notebook, notebook_paths, relative_folder

NOTEBOOKS = notebook_paths(ROOT)  # both editions and their solutions
ORIGINALS = notebook_paths(ROOT, ("notebooks",))  # the English series: the code cells every edition shares
IDS = [str(relative_folder(p, ROOT) / p.stem).removeprefix("./") for p in NOTEBOOKS]


def test_the_series_exists():
    assert len(ORIGINALS) >= 1, "notebooks/ holds the numbered series"
    assert {relative_folder(p, ROOT).as_posix() for p in NOTEBOOKS} <= {".", "solutions", "zh", "zh/solutions"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run `make strip`"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_executes_and_makes_figures(path, tmp_path, monkeypatch, trained_dir):
    monkeypatch.setenv(ENV_CHECKPOINT, str(trained_dir))  # what `make run` uses without the real weights
    figures = tmp_path / "figures"
    run = execute_notebook(path, out_dir=None, figures_dir=figures, timeout=600)
    nb = run.nb
    # make run reports each kernel's peak memory: it must be read (on Linux) and, on the tiny demo, stay small.
    if sys.platform == "linux":
        assert run.peak_rss_bytes is not None and run.peak_rss_bytes < 4e9, run.peak_rss_bytes
    made = sorted(p.name for p in figures.glob("*.png"))
    assert made, f"{path.name} saved no figure"
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "TRAINED DEMO CHECKPOINT" in text, f"{path.name} does not announce that it runs on the trained demo"
    assert not said(text, "exercise.wrong") and not said(text, "exercise.raised"), f"{path.name}: a check failed"
    if relative_folder(path, ROOT).name == "solutions":  # every exercise answered, and answered right
        assert not said(text, "exercise.not_answered") and said(text, "exercise.correct"), path.name


def said(text: str, key: str) -> bool:
    """Whether the exercise message ``key`` (tools/i18n.py, either language, any exercise id) is in ``text``."""
    for template in i18n.STRINGS[key].values():
        before, after = template.split("{id}")
        if re.search(re.escape(before) + r"\d+\.\d+" + re.escape(after.split("{")[0]), text):
            return True
    return False


@pytest.fixture(scope="module")
def other_shapes_dir(tmp_path_factory):
    """Unlike the tiny demo and the 1B: an output matrix of its own (as Llama 3.x 8B), no RoPE scaling (as Llama 3.0),
    two query heads per kv head instead of four."""
    params = {**DEMO_PARAMS["tiny"], "n_kv_heads": DEMO_PARAMS["tiny"]["n_heads"] // 2, "use_scaled_rope": False}
    return ls.make_demo_checkpoint(tmp_path_factory.mktemp("other") / "original", params=params, tie_output=False)


@pytest.mark.slow
@pytest.mark.parametrize("path", ORIGINALS, ids=[p.stem for p in ORIGINALS])
def test_notebook_runs_on_other_shapes(path, tmp_path, monkeypatch, other_shapes_dir):
    monkeypatch.setenv(ENV_CHECKPOINT, str(other_shapes_dir))
    execute_notebook(path, out_dir=None, figures_dir=tmp_path / "figures", timeout=600, html=False)  # raises on error
    assert any(p.suffix == ".png" for p in (tmp_path / "figures").iterdir())
