"""Write the setup cell (llama_scratch/tools/setup_cell.py) into notebooks as their first code cell.

    python scripts/set_setup_cell.py                      # every notebook under notebooks/ (zh/, solutions/ too)
    python scripts/set_setup_cell.py notebooks/04_rope.ipynb
    python scripts/set_setup_cell.py --check              # list the notebooks that differ; exit 1 if any

A first code cell that already starts like the setup cell (an older version of it) is replaced. Otherwise the
setup cell is put in front, and the lines it now provides (import torch, DEVICE = ..., info = ..., ...) are taken
out of the notebook's own first cell, which keeps the rest. Outputs are left alone (notebooks are stored clean).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llama_scratch.tools.setup_cell import SETUP_CELL  # noqa: E402

FIRST_LINE = SETUP_CELL.splitlines()[0].split("#")[0].strip()  # how an older version of the cell starts


def _code(line: str) -> str:
    """A line without its comment and surrounding spaces (old setup cells had other comments)."""
    return line.split("  #")[0].strip()


def apply(nb) -> bool:
    """Make the first code cell of nb the setup cell (see the module docstring); return True if nb changed."""
    import nbformat

    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and code[0].source == SETUP_CELL:
        return False
    if code and code[0].source.startswith(FIRST_LINE):
        code[0].source = SETUP_CELL
        return True
    setup = nbformat.v4.new_code_cell(SETUP_CELL)
    setup.pop("id", None)  # like the stored notebooks: no cell ids
    if not code:
        nb.cells.append(setup)
        return True
    provided = {_code(line) for line in SETUP_CELL.splitlines() if _code(line)}
    rest = [line for line in code[0].source.splitlines() if _code(line) not in provided]
    while rest and not rest[0].strip():
        rest.pop(0)
    index = nb.cells.index(code[0])
    if rest:
        code[0].source = "\n".join(rest).rstrip()
    else:
        nb.cells.pop(index)
    nb.cells.insert(index, setup)
    return True


def notebook_files(paths) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    return sorted(p for p in (ROOT / "notebooks").rglob("[0-9][0-9]_*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def main(argv=None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: every numbered notebook under notebooks/)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook differs")
    args = parser.parse_args(argv)
    differ = []
    for path in notebook_files(args.paths):
        nb = nbformat.read(path, as_version=4)
        if apply(nb):
            differ.append(path)
            if not args.check:
                with warnings.catch_warnings():  # the stored notebooks have no cell ids, on purpose
                    warnings.simplefilter("ignore")
                    nbformat.write(nb, path)
    for path in differ:
        print(f"{'differs' if args.check else 'updated'}: {path}")
    return 1 if args.check and differ else 0


if __name__ == "__main__":
    sys.exit(main())
