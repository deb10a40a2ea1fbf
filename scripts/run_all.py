"""make run: execute every notebook headless into build/ (executed .ipynb, .html, figures) — the English series,
its solutions, and the same two in Chinese (build/notebooks/zh/...) — then export the default figure set in both
languages. Real weights when present, else the tiny demo checkpoint (each notebook says which)."""

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llama_scratch.tools.notebooks import FOLDERS, execute_notebook, notebook_paths, relative_folder  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="build", help="output folder (default: build)")
    parser.add_argument("--only", nargs="*", default=None, help="notebook name prefixes, e.g. 04 05")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    parser.add_argument("--folders", nargs="*", default=list(FOLDERS), choices=FOLDERS,
                        help="which of the series' folders to run (default: all four: both editions and their "
                        "solutions)")
    args = parser.parse_args()
    out = Path(args.out)
    paths = [p for p in notebook_paths(ROOT, args.folders) if not args.only or any(p.name.startswith(o) for o in args.only)]
    if not paths:
        print("no notebooks yet: running the generate CLI on the demo checkpoint instead")
        return subprocess.call([sys.executable, "-m", "llama_scratch", "generate", "--prompt", "Once upon a time",
                                "--max-new-tokens", "24"])
    total = time.perf_counter()

    def run_one(path):
        # Several kernels at once: one thread each, or they fight over the cores (10x slower on 2 cores).
        threads = 1 if args.jobs > 1 else None
        where = relative_folder(path, ROOT)  # build/notebooks/zh/... for the Chinese edition
        return path, execute_notebook(path, out / "notebooks" / where, out / "figures" / where / path.stem,
                                      threads=threads)

    # Two notebooks at a time: each runs in its own kernel process, and these machines have 2 cores.
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, p) for p in paths]
        peaks = []
        for future in futures:
            try:
                path, run = future.result()
            except Exception as e:  # nbclient names the failing cell
                print(f"FAILED:\n{str(e)[-3000:]}", file=sys.stderr)
                return 1
            memory = f", peak memory {run.peak_rss_bytes / 1e9:.2f} GB" if run.peak_rss_bytes else ""
            peaks.append(run.peak_rss_bytes or 0)
            shown = out / "notebooks" / relative_folder(path, ROOT) / path.name
            print(f"{shown.relative_to(out)}: {run.seconds:.1f} s{memory} -> {shown}", flush=True)
    for lang, folder in (("en", "default"), ("zh", "zh/default")):
        code = subprocess.call([sys.executable, "-m", "llama_scratch", "figures", "--lang", lang, "--out",
                                str(out / "figures" / folder)])
        if code:
            return code
    print(f"all {len(paths)} notebooks executed in {time.perf_counter() - total:.1f} s; see {out}/")
    if any(peaks):  # with --jobs N, at most the N largest kernels are alive at once
        print(f"largest kernel: {max(peaks) / 1e9:.2f} GB; {args.jobs} at once need at most "
              f"{sum(sorted(peaks)[-args.jobs:]) / 1e9:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
