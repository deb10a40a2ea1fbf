"""``python -m llama_scratch download``: fetch the three files of Meta's original/ folder, safely.

Each file is downloaded into a private temporary folder inside the target directory and renamed into place only when
complete; files already present are never overwritten or deleted; the result is verified (verify_checkpoint).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

from .checkpoint import CHECKPOINT_FILES, verify_checkpoint, weights_dir
from .errors import CheckpointError

REPOS = {
    "modelscope": {"instruct": "LLM-Research/Llama-3.2-1B-Instruct", "base": "LLM-Research/Llama-3.2-1B"},
    "hf": {"instruct": "meta-llama/Llama-3.2-1B-Instruct", "base": "meta-llama/Llama-3.2-1B"},
}
HOSTS = {"modelscope": "www.modelscope.cn", "hf": "huggingface.co"}
LOCAL_NAMES = {"instruct": "Llama-3.2-1B-Instruct", "base": "Llama-3.2-1B"}
# Smallest first: a refused licence or a wrong token shows up before the 2.5 GB file.
ORDER = ("params.json", "tokenizer.model", "consolidated.00.pth")
CONNECT_TIMEOUT_S = 15


class DownloadError(RuntimeError):
    """The download failed (offline, refused, interrupted); nothing half-written was left behind."""


def add_arguments(parser) -> None:
    parser.add_argument("--model", choices=["instruct", "base"], default="instruct",
                        help="Llama-3.2-1B-Instruct (default) or the base Llama-3.2-1B")
    parser.add_argument("--source", choices=["modelscope", "hf"], default="modelscope",
                        help="modelscope (default, no login) or hf: Hugging Face, which needs the licence accepted "
                             "on the model page and a token (huggingface-cli login, or HF_TOKEN)")
    parser.add_argument("--dir", default=None,
                        help="target directory (default: weights/Llama-3.2-1B-Instruct/original or "
                             "weights/Llama-3.2-1B/original)")
    parser.add_argument("--verify-only", action="store_true", help="only verify the files already there")


def default_dir(model: str) -> Path:
    return weights_dir() / LOCAL_NAMES[model] / "original"


def check_reachable(source: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast (seconds, not minutes of retries) when the source's host cannot be reached."""
    host = HOSTS[source]
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError as e:
        raise DownloadError(f"cannot reach {host} ({type(e).__name__}: {e}); offline or blocked") from None


def fetch_modelscope(repo_id: str, filename: str, tmp_dir: Path) -> Path:
    """Download original/<filename> of a ModelScope repo into tmp_dir; return the file's path."""
    from modelscope.hub.file_download import model_file_download

    return Path(model_file_download(repo_id, f"original/{filename}", local_dir=str(tmp_dir)))


def fetch_hf(repo_id: str, filename: str, tmp_dir: Path) -> Path:
    """Download original/<filename> of a Hugging Face repo into tmp_dir (needs licence + token); return its path."""
    from huggingface_hub import hf_hub_download

    return Path(hf_hub_download(repo_id, f"original/{filename}", local_dir=str(tmp_dir)))


FETCHERS = {"modelscope": fetch_modelscope, "hf": fetch_hf}


def download(model: str = "instruct", source: str = "modelscope", target=None, fetch=None, log=print) -> Path:
    """Fetch the missing original/ files into ``target``; verify; return ``target``. See the module docstring."""
    target = Path(target) if target else default_dir(model)
    repo_id = REPOS[source][model]
    missing = [name for name in ORDER if not (target / name).is_file()]
    if not missing:
        verify_checkpoint(target)
        log(f"{target} already holds a complete, verified checkpoint: nothing to do")
        return target
    if fetch is None:
        check_reachable(source)
        fetch = FETCHERS[source]
    target.mkdir(parents=True, exist_ok=True)
    tmp_dir = target / f".download-{os.getpid()}"
    written = []
    try:
        for name in missing:
            log(f"downloading {repo_id} original/{name} -> {target / name}")
            try:
                got = fetch(repo_id, name, tmp_dir)
            except Exception as e:  # network, auth, missing repo: one message, no traceback
                hint = (" Hugging Face needs the licence accepted on the model page and a token "
                        "(huggingface-cli login or HF_TOKEN)." if source == "hf" else "")
                raise DownloadError(f"{source} refused or failed on {repo_id} original/{name}: "
                                    f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}.{hint}"
                                    ) from None
            os.replace(got, target / name)  # complete: only now does it get its real name
            written.append(target / name)
        verify_checkpoint(target)
    except CheckpointError as e:
        for path in written:  # never leave a broken checkpoint that looks complete
            path.unlink(missing_ok=True)
        raise DownloadError(f"the downloaded files failed verification and were removed: {e}") from None
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    log(f"done: {target} verified ({', '.join(CHECKPOINT_FILES)})")
    return target


def run(args) -> int:
    target = Path(args.dir) if args.dir else default_dir(args.model)
    if args.verify_only:
        config = verify_checkpoint(target)
        print(f"{target}: verified ({config.n_layers} layers, dim {config.dim}, vocab {config.vocab_size})")
        return 0
    try:
        download(args.model, args.source, target)
    except DownloadError as e:
        print(f"error: {e}. To place the files by hand, put {', '.join(CHECKPOINT_FILES)} from the original/ "
              f"folder of {REPOS[args.source][args.model]} into {target}/ (see docs/weights.md).", file=sys.stderr)
        return 2
    return 0
