"""Remove outputs and execution counts from notebooks (make strip). Notebooks are committed without outputs."""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from llama_scratch.tools.notebooks import strip_outputs  # noqa: E402

for name in sys.argv[1:]:
    nb = nbformat.read(name, as_version=4)
    if strip_outputs(nb):
        nbformat.write(nb, name)
        print(f"stripped {name}")
