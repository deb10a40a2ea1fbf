"""The first code cell of every notebook, written once here (scripts/set_setup_cell.py copies it into them).

It works in a clone (the package installed by ``make run``, or not installed at all) and in a hosted notebook
service whose Python has torch but not this package: it then finds the repository (a clone around the working
directory, else $LLAMA_SCRATCH_REPO: a path to a clone or a git URL, cloned once into ./llama-scratch), installs
it with pip (editable, so weights/ stays inside the clone) and imports it. Then it finds the weights: the real ones
under weights/ when present, else the tiny demo checkpoint, generated on first use. docs/hosted.md explains it.
At most 25 lines of at most 100 characters, valid from notebooks/, notebooks/zh/ and notebooks/solutions/.
"""

from __future__ import annotations

SETUP_CELL = '''\
import importlib.util, os, subprocess, sys                  # setup: the same cell in every notebook
from pathlib import Path
if importlib.util.find_spec("llama_scratch") is None:      # not installed: see docs/hosted.md
    up = [d for d in (Path.cwd(), *Path.cwd().parents) if (d / "llama_scratch").is_dir()]
    repo = str(up[0]) if up else os.environ.get("LLAMA_SCRATCH_REPO", "")
    if not repo:
        raise SystemExit("llama_scratch is not installed and this is no clone of its repository: "
                         "set LLAMA_SCRATCH_REPO to a clone or a git URL (docs/hosted.md)")
    if not Path(repo).expanduser().is_dir():               # a git URL: clone it here, once
        if not Path("llama-scratch").is_dir():
            subprocess.check_call(["git", "clone", "-q", "--depth", "1",
                                   repo.removeprefix("git+"), "llama-scratch"])
        repo = "llama-scratch"
    repo = str(Path(repo).expanduser().resolve())
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "-e", repo])
    sys.path.insert(0, repo)                               # importable in this kernel at once
import torch
import llama_scratch as ls
from llama_scratch import plots

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
info = ls.find_checkpoint()       # prints REAL WEIGHTS or DEMO CHECKPOINT — RANDOM WEIGHTS
config = ls.load_config(info.path)'''

MAX_LINES, MAX_COLUMNS = 25, 100
