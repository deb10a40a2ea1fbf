"""The course checker itself (tests/course_report.py): a notebook that follows every rule passes every check, and
breaking one rule fails that check, with a message saying what is wrong."""

import nbformat
import pytest

import course_report as cr
from llama_scratch.tools import exercises
from llama_scratch.tools.setup_cell import SETUP_CELL

EXERCISES = {"4.1": "answer = ...  # your answer\nls.check(\"4.1\", answer)",
             "4.2": "def rotate(x):\n    ...  # your code\n\nanswer = ...  # then: answer = rotate\n"
                    "ls.check(\"4.2\", answer, config=config)",
             "4.3": "answer = ...\nls.check(\"4.3\", answer)"}
ZH = {"Exercise": "练习", "## Summary": "## 小结", "## Pitfalls": "## 易错点", "## Next": "## 下一步",
      "# 04 — RoPE": "# 04 — 旋转位置编码（RoPE）", "## Rotations": "## 旋转",
      "a question\n\nWhat is it?": "一个问题\n\n它是多少？",
      "We built RoPE.": "我们实现了 RoPE。", "Factor 8.": "把因子写成 8。", "Attention.": "注意力。"}


def cells(solution=False, zh=False, **replace):
    """The cells of a notebook 04 that follows every rule; ``replace`` swaps one cell's text by its key."""
    parts = [("title", "md", "# 04 — RoPE"), ("setup", "code", SETUP_CELL),
             ("second", "code", 'import math\n\nls.diagrams.architecture(config, highlight="rope")'),
             ("section", "md", "## Rotations"), ("work", "code", "angle = math.pi / 2\nangle")]
    for ex_id, code in EXERCISES.items():
        parts.append((f"head{ex_id}", "md", f"### Exercise {ex_id} — a question\n\nWhat is it?"))
        parts.append((f"cell{ex_id}", "code", code.replace("answer = ...", "answer = 42") if solution else code))
    parts += [("summary", "md", "## Summary\n\nWe built RoPE."), ("pitfalls", "md", "## Pitfalls\n\nFactor 8."),
              ("next", "md", "## Next\n\nAttention.")]
    out = []
    for key, kind, text in parts:
        text = replace.get(key, text)
        if zh and kind == "md":
            for en, translated in ZH.items():
                text = text.replace(en, translated)
        out.append(nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text))
    return out


def write(path, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = cells(**kw)
    nbformat.write(nb, path)
    return path


@pytest.fixture()
def course(tmp_path, monkeypatch):
    exercises.lookup("4.1")  # notebook 04's own exercises first, so that a lookup does not register them again
    for ex_id in EXERCISES:  # registered for this test only
        monkeypatch.setitem(exercises.REGISTRY, ex_id, exercises.Exercise(ex_id, lambda a: a == 42, {}))
    root = tmp_path / "notebooks"
    write(root / "solutions" / "04_rope.ipynb", solution=True)
    write(root / "zh" / "04_rope.ipynb", zh=True)
    write(root / "zh" / "solutions" / "04_rope.ipynb", solution=True, zh=True)
    return root


def failing(path):
    return {name: found for name, found in cr.check_notebook(path).items() if found}


def test_a_notebook_following_every_rule_passes(course):
    for path in (write(course / "04_rope.ipynb"), course / "solutions" / "04_rope.ipynb",
                 course / "zh" / "04_rope.ipynb", course / "zh" / "solutions" / "04_rope.ipynb"):
        assert failing(path) == {}, path


BROKEN = {  # cell key -> (new text, the check that must fail, words of its message)
    "setup": (SETUP_CELL + "\nx = 1", "setup", "setup cell"),
    "second": ('import math\n\nls.diagrams.architecture(config, highlight="attention")', "diagram", "'rope'"),
    "head4.3": ("### Exercise 4.4 — a question", "exercises", "['4.1', '4.2', '4.4']"),
    "cell4.1": ("answer = 42\nls.check(\"4.1\", answer)", "exercises", "no blank"),
    "cell4.3": ("answer = ...\nls.check(\"4.1\", answer)", "exercises", "ls.check(\"4.3\""),
    "pitfalls": ("## Next\n\nAttention.", "sections", "['Summary', 'Pitfalls', 'Next']"),
    "work": ("angle = 1" + " " * 100, "cells", "longer than 100"),
    "section": ("## Rotations\n\nsee below", None, None),  # prose may be long or short: no check on it
    "next": ("## Next\n\n" + "x" * 300, None, None),
}
BROKEN_CODE = {
    "imports": "import os\nangle = 1",
    "plotting": "plots.save_figure(plt.gcf(), 'x')",
    "files": "open('../shared/golden_outputs.json')",
    "names": "h_ = config.n_heads",
}


@pytest.mark.parametrize("key", sorted(BROKEN))
def test_breaking_one_rule_fails_that_check(course, key):
    text, check, words = BROKEN[key]
    found = failing(write(course / "04_rope.ipynb", **{key: text}))
    if check is None:
        assert found == {}
        return
    assert check in found and any(words in p for p in found[check]), found
    assert set(found) <= {check, "solutions"}  # renaming an exercise also makes the solutions disagree


@pytest.mark.parametrize("check", sorted(BROKEN_CODE))
def test_forbidden_code_fails_its_check(course, check):
    found = failing(write(course / "04_rope.ipynb", work=BROKEN_CODE[check]))
    assert set(found) == {check}, found


def test_long_code_cell_and_unregistered_exercise(course, monkeypatch):
    found = failing(write(course / "04_rope.ipynb", work="\n".join(f"x{i} = {i}" for i in range(26))))
    assert set(found) == {"cells"} and "26 lines" in found["cells"][0]
    monkeypatch.delitem(exercises.REGISTRY, "4.2")
    found = failing(course / "04_rope.ipynb")
    assert any("4.2: not registered in llama_scratch/tools/exercises/nb04.py" in p for p in found["exercises"])


def test_solutions_must_exist_and_fill_every_blank(course):
    (course / "solutions" / "04_rope.ipynb").unlink()
    assert "no solutions notebook" in failing(write(course / "04_rope.ipynb"))["solutions"][0]
    (course / "zh" / "solutions" / "04_rope.ipynb").unlink()
    assert "no solutions notebook" in failing(course / "zh" / "04_rope.ipynb")["solutions"][0]
    unfilled = write(course / "solutions" / "04_rope.ipynb")  # the student's version, blanks and all
    assert any("does not fill the blank" in p for p in failing(unfilled)["exercises"])


def test_chinese_edition_keeps_the_code_and_translates_the_headings(course):
    write(course / "04_rope.ipynb")
    assert failing(write(course / "zh" / "04_rope.ipynb", zh=True, work="angle = 2")) == {
        "zh": ["code cells differ from the English original"]}
    found = failing(write(course / "zh" / "04_rope.ipynb"))  # English headings in the Chinese edition
    assert {"exercises", "sections", "zh"} <= set(found)
    assert "markdown cell 4 is 0% Chinese" in " ".join(found["zh"])  # "## Rotations" left in English
    english_prose = "## 旋转\n\nThe rotation turns each pair of `q` by an angle, $m\\theta_i$."
    zh_nb = course / "zh" / "04_rope.ipynb"
    assert "markdown cell 4 is" in failing(write(zh_nb, zh=True, section=english_prose))["zh"][0]
    code_and_formula = ("## 旋转\n\n用 `ls.apply_rope(q, cos, sin)` 旋转：$q_m = R_{m\\theta} q$，"
                        "见 [RoPE](https://arxiv.org/abs/2104.09864)。")
    assert "zh" not in failing(write(course / "zh" / "04_rope.ipynb", zh=True, section=code_and_formula))
    nb = nbformat.read(write(course / "zh" / "04_rope.ipynb", zh=True), as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("多出来的一段说明。"))
    nbformat.write(nb, course / "zh" / "04_rope.ipynb")
    assert "another order" in failing(course / "zh" / "04_rope.ipynb")["zh"][0]


def test_report_prints_each_failing_check(course, capsys):
    good = write(course / "04_rope.ipynb")
    bad = write(course / "zh" / "04_rope.ipynb", zh=True, work="h_ = 1")
    assert cr.main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{good}: ok" in out and "fails names, zh" in out and "1 of 2 notebooks fail a check" in out
