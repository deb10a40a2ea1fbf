"""The mechanical rules of the course, checked on every notebook (notebooks/, notebooks/zh/, notebooks/solutions/,
notebooks/zh/solutions/).

    python tests/course_report.py                       # every notebook: which checks fail, and why
    python tests/course_report.py notebooks/04_rope.ipynb

The rules (tests/test_course.py enforces them):
- setup: the first code cell is exactly llama_scratch/tools/setup_cell.py's SETUP_CELL.
- diagram: one of the first three code cells ends with ``ls.diagrams.architecture(config, highlight=...)`` whose
  highlight is the notebook's part (llama_scratch/tools/lessons.py, HIGHLIGHT).
- exercises: 3 to 5 headings "### Exercise N.k — title" (zh: "### 练习 N.k — title"), N the notebook's number,
  k = 1, 2, ... in order; after each, before the next heading, a code cell with the blank ``answer = ...`` on a line
  of its own (a solution fills it) and ``ls.check("N.k", answer ...)``; each N.k registered in
  llama_scratch/tools/exercises/nbNN.py; at least one exercise is a coding exercise (its cell defines a function).
- solutions: solutions/<same name> beside it exists (notebooks/solutions/, notebooks/zh/solutions/), has the
  same exercises and fills every blank.
- sections: the last three level-2 headings are "## Summary", "## Pitfalls", "## Next" (zh: 小结, 易错点, 下一步).
- cells: code cells of at most 25 lines, every line at most 100 characters.
- imports: import statements only in the setup cell and the code cell right after it.
- plotting: no matplotlib in a notebook (``import matplotlib``, ``plt.``): figures come from llama_scratch.plots.
- files: no path leaving the repository: no string with "../" (or "..\\"), none starting with "/" or "~", no
  "shared/" (repository files are reached through the package).
- names: no variable named like a shape letter with an underscore (``h_``, ``k_``, ...).
- zh: a notebook of the Chinese edition has the cells of its English original (a Chinese solutions notebook: those
  of notebooks/solutions/) in the same order, the same code cells, and every markdown cell mostly Chinese (at
  least 30 % of its letters outside code, formulas and links are Chinese characters).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llama_scratch.tools.setup_cell import MAX_COLUMNS, MAX_LINES, SETUP_CELL  # noqa: E402

HEADINGS = {"en": {"exercise": "Exercise", "sections": ("Summary", "Pitfalls", "Next")},
            "zh": {"exercise": "练习", "sections": ("小结", "易错点", "下一步")}}
SHAPE_LETTERS = "bstdhkefv"
BLANK = re.compile(r"^answer = \.\.\.[ \t]*(#.*)?$", re.M)
CHECKS = ("setup", "diagram", "exercises", "solutions", "sections", "cells", "imports", "plotting", "files", "names",
          "zh")


def notebook_paths(root: Path = ROOT) -> list[Path]:
    """Every numbered notebook: notebooks/, notebooks/solutions/, notebooks/zh/, notebooks/zh/solutions/."""
    from llama_scratch.tools.notebooks import notebook_paths as series

    return series(root)


def read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def _kind(path: Path) -> tuple[int, str, bool]:
    """(notebook number, language, is a solution)."""
    solution = path.parent.name == "solutions"
    folder = path.parent.parent if solution else path.parent
    return int(path.name[:2]), "zh" if folder.name == "zh" else "en", solution


def code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def exercises(nb, number: int, lang: str) -> list[tuple[str, str | None]]:
    """[(exercise id, the source of the code cell after its heading or None)] in notebook order."""
    pattern = re.compile(rf"^### {HEADINGS[lang]['exercise']} (\d+\.\d+) — \S", re.M)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for ex_id in pattern.findall(cell.source):
            code = None
            for nxt in nb.cells[i + 1:]:
                if nxt.cell_type == "markdown" and re.search(r"^#{1,3} ", nxt.source, re.M):
                    break
                if nxt.cell_type == "code":
                    code = nxt.source
                    break
            found.append((ex_id, code))
    return found


def check_setup(path, nb) -> list[str]:
    code = code_cells(nb)
    return [] if code and code[0] == SETUP_CELL else ["the first code cell is not the setup cell "
                                                      "(python scripts/set_setup_cell.py writes it)"]


def check_diagram(path, nb) -> list[str]:
    from llama_scratch.tools.lessons import HIGHLIGHT

    number = _kind(path)[0]
    if number not in HIGHLIGHT:
        return [f"no part of the architecture is known for notebook {number:02d} (tools/lessons.py, HIGHLIGHT)"]
    want = HIGHLIGHT[number]
    for source in code_cells(nb)[:3]:
        try:
            last = ast.parse(source).body[-1:]
        except SyntaxError:
            continue
        call = last[0].value if last and isinstance(last[0], ast.Expr) else None
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "ls.diagrams.architecture":
            given = {kw.arg: kw.value for kw in call.keywords}.get("highlight")
            try:
                value = ast.literal_eval(given) if given is not None else None
            except ValueError:
                value = None
            if value == want:
                return []
            return [f"the architecture diagram highlights {value!r}; this notebook's part is {want!r}"]
    return [f"none of the first three code cells ends with ls.diagrams.architecture(config, highlight={want!r})"]


def check_exercises(path, nb) -> list[str]:
    from llama_scratch.tools.exercises import lookup

    number, lang, solution = _kind(path)
    found = exercises(nb, number, lang)
    problems = [] if 3 <= len(found) <= 5 else [f"{len(found)} exercise headings; 3 to 5 wanted"]
    wanted = [f"{number}.{k}" for k in range(1, len(found) + 1)]
    if [ex_id for ex_id, _ in found] != wanted:
        problems.append(f"exercises {[ex_id for ex_id, _ in found]}; wanted {wanted} in that order")
    for ex_id, code in found:
        if code is None:
            problems.append(f"exercise {ex_id}: no code cell after its heading")
            continue
        if not re.search(rf"ls\.check\(\s*[\"']{re.escape(ex_id)}[\"']\s*,\s*answer\b", code):
            problems.append(f"exercise {ex_id}: its cell does not call ls.check(\"{ex_id}\", answer, ...)")
        blank = bool(BLANK.search(code))
        if solution and (blank or not re.search(r"^answer = ", code, re.M)):
            problems.append(f"exercise {ex_id}: the solution does not fill the blank (answer = ...)")
        if not solution and not blank:
            problems.append(f"exercise {ex_id}: no blank line 'answer = ...' for the student")
        try:
            lookup(ex_id)
        except KeyError:
            problems.append(f"exercise {ex_id}: not registered in llama_scratch/tools/exercises/nb{number:02d}.py")
    if found and not any(code and re.search(r"^\s*def ", code, re.M) for _, code in found):
        problems.append("no coding exercise (no exercise cell defines a function)")
    return problems


def check_solutions(path, nb) -> list[str]:
    number, lang, solution = _kind(path)
    if solution:
        return []
    other = path.parent / "solutions" / path.name
    if not other.is_file():
        return [f"no solutions notebook {other.relative_to(path.parent.parent)}"]
    ids = [ex_id for ex_id, _ in exercises(nb, number, lang)]
    theirs = [ex_id for ex_id, _ in exercises(read(other), number, lang)]
    return [] if ids == theirs else [f"the solutions have exercises {theirs}, the notebook {ids}"]


def check_sections(path, nb) -> list[str]:
    want = HEADINGS[_kind(path)[1]]["sections"]
    level2 = [m.strip() for c in nb.cells if c.cell_type == "markdown"
              for m in re.findall(r"^## (.+)$", c.source, re.M)]
    got = tuple(level2[-3:])
    return [] if got == want else [f"the last level-2 headings are {list(got)}; wanted {list(want)}"]


def check_cells(path, nb) -> list[str]:
    problems = []
    for i, source in enumerate(code_cells(nb), 1):
        lines = source.splitlines()
        if len(lines) > MAX_LINES:
            problems.append(f"code cell {i}: {len(lines)} lines (at most {MAX_LINES})")
        wide = [n for n, line in enumerate(lines, 1) if len(line) > MAX_COLUMNS]
        if wide:
            problems.append(f"code cell {i}: line(s) {wide} longer than {MAX_COLUMNS} characters")
    return problems


def _trees(nb):
    for i, source in enumerate(code_cells(nb), 1):
        try:
            yield i, ast.parse(source)
        except SyntaxError:  # IPython syntax (%magic): nothing to inspect with ast
            continue


def check_imports(path, nb) -> list[str]:
    return [f"code cell {i} imports (imports belong in the setup cell and the cell after it)"
            for i, tree in _trees(nb) if i > 2 and any(isinstance(n, (ast.Import, ast.ImportFrom))
                                                        for n in ast.walk(tree))]


def check_plotting(path, nb) -> list[str]:
    return [f"code cell {i} plots inline with matplotlib (use llama_scratch.plots)"
            for i, source in enumerate(code_cells(nb), 1) if re.search(r"\bmatplotlib\b|\bplt\.", source)]


def check_files(path, nb) -> list[str]:
    problems = []
    for i, tree in _trees(nb):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                s = node.value
                if "../" in s or "..\\" in s or s.startswith(("/", "~")) or "shared/" in s:
                    problems.append(f"code cell {i}: path {s!r} leaves the repository")
    return problems


def check_names(path, nb) -> list[str]:
    clash = re.compile(rf"^[{SHAPE_LETTERS}]_$")
    return [f"code cell {i}: variable {node.id!r} looks like a shape letter" for i, tree in _trees(nb)
            for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
            and clash.match(node.id)]


# What a Chinese markdown cell may keep in Latin letters without counting: code, LaTeX, links, HTML tags.
NOT_PROSE = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|https?://\S+|<[^>]+>", re.S)
CJK = re.compile(r"[\u3400-\u9fff]")
MIN_CHINESE = 0.3  # of the letters left: Chinese characters (technical Chinese keeps many English names)


def chinese_share(markdown: str) -> float | None:
    """Chinese characters / (Chinese characters + Latin letters) of a markdown text outside code, formulas and
    links; None when nothing is left (a cell holding only a formula)."""
    prose = NOT_PROSE.sub(" ", markdown)
    chinese, latin = len(CJK.findall(prose)), len(re.findall(r"[A-Za-z]", prose))
    return None if chinese + latin == 0 else chinese / (chinese + latin)


def check_zh(path, nb) -> list[str]:
    number, lang, solution = _kind(path)
    if lang != "zh":
        return []
    original = (path.parents[2] / "solutions" if solution else path.parent.parent) / path.name
    if not original.is_file():
        return [f"no English original {original.name} beside the Chinese edition"]
    english = read(original)
    problems = []
    if [c.cell_type for c in english.cells] != [c.cell_type for c in nb.cells]:
        problems.append(f"{len(nb.cells)} cells; the English original has {len(english.cells)} (or another order)")
    if code_cells(english) != code_cells(nb):
        problems.append("code cells differ from the English original")
    for i, cell in enumerate(nb.cells, 1):
        share = chinese_share(cell.source) if cell.cell_type == "markdown" else None
        if share is not None and share < MIN_CHINESE:
            problems.append(f"markdown cell {i} is {share:.0%} Chinese (at least {MIN_CHINESE:.0%} wanted)")
    return problems


def check_notebook(path: Path) -> dict[str, list[str]]:
    """{check name: problems} for one notebook (an empty list: the check passes)."""
    nb = read(path)
    return {name: globals()[f"check_{name}"](path, nb) for name in CHECKS}


def main(argv=None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or notebook_paths()
    failing = 0
    for path in paths:
        problems = {name: found for name, found in check_notebook(path).items() if found}
        shown = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        print(f"{shown}: {'ok' if not problems else 'fails ' + ', '.join(problems)}")
        for name, found in problems.items():
            for problem in found:
                print(f"    {name}: {problem}")
        failing += bool(problems)
    print(f"{failing} of {len(paths)} notebooks fail a check")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
