"""The notebooks' setup cell in a fresh Python that has torch and nothing else (a hosted notebook service).

One virtual environment per test session (torch 2.13.0 from pip, as such a service has it); the cell runs as a
script in it, against a copy of this repository, in each way docs/hosted.md describes: a notebook inside the
clone (one folder below notebooks/), LLAMA_SCRATCH_REPO as a path, LLAMA_SCRATCH_REPO as a git URL, and neither
(one clear message). Between the cases the package is uninstalled again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from llama_scratch.tools.setup_cell import MAX_COLUMNS, MAX_LINES, SETUP_CELL

TORCH = "torch==2.13.0"
REPORT = "import json; print(json.dumps({'package': ls.__file__, 'path': str(info.path), 'demo': info.is_demo}))"


def clean_env(**extra) -> dict:
    """This process's environment without what points Python at the repository or a checkpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLAMA_SCRATCH_", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, **extra}


def run(python: Path, cwd: Path, **env_extra) -> subprocess.CompletedProcess:
    """Run the setup cell (then REPORT) as a script with ``python`` in ``cwd``, in a clean environment."""
    env = clean_env(**env_extra)
    script = cwd / ".setup_cell.py"
    script.write_text(SETUP_CELL + "\n" + REPORT + "\n", encoding="utf-8")
    try:
        return subprocess.run([str(python), script.name], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=900)
    finally:
        script.unlink()


def report(r: subprocess.CompletedProcess) -> dict:
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def fresh_python(tmp_path_factory) -> Path:
    """A virtual environment with only torch (and what torch needs): no llama_scratch, no tiktoken."""
    env_dir = tmp_path_factory.mktemp("hosted") / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", TORCH], check=True, capture_output=True)
    missing = subprocess.run([str(python), "-c", "import tiktoken"], capture_output=True)
    assert missing.returncode != 0, "the fresh environment must not have the package's dependencies"
    return python


@pytest.fixture()
def repo_copy(tmp_path) -> Path:
    """The repository's files (tracked and new, not ignored ones: no weights, no venv) copied to a temporary folder."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    dest = tmp_path / "llama-scratch-copy"
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def uninstall(python: Path) -> None:
    subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "llama-scratch"], check=True,
                   capture_output=True)


def test_the_cell_fits_a_projector():
    lines = SETUP_CELL.splitlines()
    assert len(lines) <= MAX_LINES and max(map(len, lines)) <= MAX_COLUMNS
    compile(SETUP_CELL, "setup cell", "exec")


@pytest.mark.slow  # a fresh virtual environment installs the package
def test_without_a_clone_or_LLAMA_SCRATCH_REPO_one_clear_message(fresh_python, tmp_path):
    r = run(fresh_python, tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.strip().splitlines()[-1] == ("llama_scratch is not installed and this is no clone of its "
                                                 "repository: set LLAMA_SCRATCH_REPO to a clone or a git URL "
                                                 "(docs/hosted.md)")


@pytest.mark.slow  # a fresh virtual environment installs the package
def test_notebook_inside_a_clone_one_folder_deeper(fresh_python, repo_copy):
    deeper = repo_copy / "notebooks" / "zh"  # also stands for notebooks/solutions/
    deeper.mkdir(exist_ok=True)
    try:
        out = report(run(fresh_python, deeper))
        assert Path(out["package"]) == repo_copy / "llama_scratch" / "__init__.py"  # installed from the clone
        assert out["demo"] and Path(out["path"]) == repo_copy / "weights" / "demo-tiny" / "original"
        # a new kernel finds the installed package without the cell's help
        code = "import llama_scratch, tiktoken; print(llama_scratch.__file__)"
        check = subprocess.run([str(fresh_python), "-c", code], cwd="/", env=clean_env(), capture_output=True,
                               text=True)
        assert check.returncode == 0 and check.stdout.strip() == out["package"], check.stderr
    finally:
        uninstall(fresh_python)


@pytest.mark.slow  # a fresh virtual environment installs the package
def test_LLAMA_SCRATCH_REPO_as_a_path_finds_the_real_weights(fresh_python, repo_copy, tiny_dir, tmp_path):
    real = repo_copy / "weights" / "Llama-3.2-1B-Instruct" / "original"  # the files of a real checkpoint
    real.mkdir(parents=True)
    for name in ("consolidated.00.pth", "params.json", "tokenizer.model"):  # without the demo marker
        shutil.copy2(tiny_dir / name, real / name)
    hosted = tmp_path / "content"
    hosted.mkdir()
    try:
        out = report(run(fresh_python, hosted, LLAMA_SCRATCH_REPO=str(repo_copy)))
        assert Path(out["package"]).parent == repo_copy / "llama_scratch"
        assert Path(out["path"]) == real and not out["demo"]
    finally:
        uninstall(fresh_python)


@pytest.mark.slow  # a fresh virtual environment installs the package
def test_LLAMA_SCRATCH_REPO_as_a_git_url_is_cloned_once(fresh_python, repo_copy, tmp_path):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=repo_copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo_copy, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "copy"], cwd=repo_copy, check=True)
    hosted = tmp_path / "content"
    hosted.mkdir()
    try:
        out = report(run(fresh_python, hosted, LLAMA_SCRATCH_REPO=f"git+file://{repo_copy}"))
        clone = hosted / "llama-scratch"
        assert Path(out["package"]) == clone / "llama_scratch" / "__init__.py"
        assert out["demo"] and Path(out["path"]).is_relative_to(clone / "weights")
    finally:
        uninstall(fresh_python)


OLD_FIRST_CELL = """import math
import torch
import llama_scratch as ls
from llama_scratch import plots

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
info = ls.find_checkpoint()            # prints which weights are used
config = ls.load_config(info.path)
tok = ls.load_tokenizer(info.path)
print(f"head_dim = {config.head_dim}, theta = {config.rope_theta:g}")"""


def test_set_setup_cell_script_puts_the_cell_first_and_keeps_the_rest(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import set_setup_cell
    finally:
        sys.path.pop(0)
    path = tmp_path / "04_rope.ipynb"
    before = nbformat.read(ROOT / "notebooks" / "04_rope.ipynb", as_version=4)
    first = next(c for c in before.cells if c.cell_type == "code")
    first.source = OLD_FIRST_CELL  # notebook 04 as it was before the setup cell: its own first cell
    nbformat.write(before, path)
    old_first = first.source
    assert set_setup_cell.main([str(path)]) == 0
    after = nbformat.read(path, as_version=4)
    code = [c.source for c in after.cells if c.cell_type == "code"]
    assert code[0] == SETUP_CELL
    rest = code[1].splitlines()  # the notebook's own lines, in their order, without those the setup cell has
    assert "import math" in rest and "tok = ls.load_tokenizer(info.path)" in rest
    assert not any("find_checkpoint" in line or line.startswith(("DEVICE =", "import torch", "config ="))
                   for line in rest)
    assert [line for line in old_first.splitlines() if line.strip() and line in rest] == [x for x in rest if x.strip()]
    assert len(after.cells) == len(before.cells) + 1
    assert set_setup_cell.main(["--check", str(path)]) == 0  # now in place: nothing differs
    assert set_setup_cell.main([str(path)]) == 0 and nbformat.read(path, as_version=4) == after  # idempotent
