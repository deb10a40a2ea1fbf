"""Running the notebook series headless (make run, and the tests): execute, save, export HTML, collect figures."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbclient import NotebookClient

from .memory import process_peak_rss
from .plots import FIGURES_ENV
from .views.export import offline_html_exporter


# The series' folders: the English notebooks, their solutions, and the same two in the Chinese edition.
FOLDERS = ("notebooks", "notebooks/solutions", "notebooks/zh", "notebooks/zh/solutions")


def notebook_paths(root: Path, folders=FOLDERS) -> list[Path]:
    """The numbered notebooks (00_*.ipynb, 01_*.ipynb, ...) of each folder in ``folders``, folder by folder."""
    return [p for folder in folders for p in sorted((Path(root) / folder).glob("[0-9][0-9]_*.ipynb"))]


def relative_folder(path: Path, root: Path) -> Path:
    """Where a notebook sits under notebooks/: "." for the English series, "zh", "solutions", "zh/solutions"."""
    return Path(path).parent.relative_to(Path(root) / "notebooks")


class NotebookRun(NamedTuple):
    """One executed notebook: the notebook with its outputs, wall-clock seconds, and the kernel's peak resident
    memory in bytes (VmHWM on Linux; the largest resident size seen after a cell elsewhere; None if unknown)."""
    nb: object
    seconds: float
    peak_rss_bytes: int | None


def execute_notebook(path: Path, out_dir: Path | None = None, figures_dir: Path | None = None,
                     timeout: int = 900, html: bool = True, threads: int | None = None) -> NotebookRun:
    """Execute one notebook from a fresh kernel in its own folder; return a NotebookRun (nb, seconds, peak memory).

    Figures saved with plots.save_figure go to ``figures_dir``; the executed .ipynb (and .html) to ``out_dir``.
    ``threads`` caps the kernel's CPU threads (OMP_NUM_THREADS), for running several notebooks at once.
    Raises nbclient's CellExecutionError, naming the failing cell, on any error.
    """
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, "MPLBACKEND": os.environ.get("MPLBACKEND", "Agg")}
    if figures_dir is not None:
        Path(figures_dir).mkdir(parents=True, exist_ok=True)
        env[FIGURES_ENV] = str(Path(figures_dir).resolve())
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    peak = [None]

    def measure(**_):  # after every cell, while the kernel is alive (it is gone once execute() returns)
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        value = process_peak_rss(pid) if pid else None
        if value is not None:
            peak[0] = max(peak[0] or 0, value)

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", on_cell_executed=measure,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute(env=env)
    seconds = time.perf_counter() - start
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / path.name)
        if html:
            body, _ = offline_html_exporter().from_notebook_node(nb)  # no request to a CDN
            (out_dir / path.with_suffix(".html").name).write_text(body, encoding="utf-8")
    return NotebookRun(nb, seconds, peak[0])


def strip_outputs(nb) -> bool:
    """Remove outputs and execution counts in place; return True when anything changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            cell.outputs, cell.execution_count = [], None
            changed = True
    return changed
