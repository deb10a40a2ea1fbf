"""``python -m llama_scratch download``: fetch the three files of Meta's original/ folder, safely.

Only ``params.json``, ``tokenizer.model`` and ``consolidated.00.pth`` are fetched (smallest first, so that a refused
licence shows before the 2.5 GB file). Each one downloads into a private folder ``.download-<pid>/`` inside the
target directory and gets its real name only when complete and checked; a file already in place is never
overwritten or deleted; afterwards the whole set is verified (:func:`llama_scratch.checkpoint.verify_checkpoint`).
Files fetched by a run whose result fails verification are removed again, so a broken checkpoint never looks
complete. Offline or refused: one DownloadError within a minute, saying how to place the files by hand.

The network is behind one function per source, ``fetch(repo_id, filename, dest_dir) -> path``, so tests can pass
a local fake (``download(..., fetch=...)``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from .checkpoint import CHECKPOINT_FILES, WEIGHTS_FILE, check_state_dict, read_state_dict, verify_checkpoint, \
    weights_dir
from .config import config_from_params, load_config
from .errors import CheckpointError
from .tokenizer import Tokenizer

REPOS = {
    "modelscope": {"instruct": "LLM-Research/Llama-3.2-1B-Instruct", "base": "LLM-Research/Llama-3.2-1B"},
    "hf": {"instruct": "meta-llama/Llama-3.2-1B-Instruct", "base": "meta-llama/Llama-3.2-1B"},
}
DEFAULT_ENDPOINTS = {"modelscope": "https://modelscope.cn", "hf": "https://huggingface.co"}
LOCAL_NAMES = {"instruct": "Llama-3.2-1B-Instruct", "base": "Llama-3.2-1B"}
# Smallest first: a refused licence, a wrong token or a dead mirror shows up before the 2.5 GB file.
ORDER = ("params.json", "tokenizer.model", "consolidated.00.pth")
CONNECT_TIMEOUT_S = 15.0  # DNS + TCP connect to the hub (or proxy), checked before anything is written
# The first file of a run (a small one) must arrive within this many seconds, the tokenizer within the second; the
# hub libraries otherwise retry with back-off for minutes (measured: modelscope 1.40 takes 60 s to give up on a host
# it cannot resolve). The 2.5 GB file has no deadline.
FIRST_FILE_DEADLINE_S = 40.0
SMALL_FILE_DEADLINE_S = 300.0
TMP_PREFIX = ".download-"
HF_TOKEN_HINT = ("Hugging Face serves the Llama models only after you accept the licence on the model page "
                 "(https://huggingface.co/{repo}) and log in: `huggingface-cli login`, or set HF_TOKEN.")


class DownloadError(RuntimeError):
    """The download failed (offline, refused, interrupted, or files that fail verification). One line, naming what
    failed and what to do; nothing half-written is left behind."""


def add_arguments(parser) -> None:
    parser.add_argument("--model", choices=["instruct", "base"], default="instruct",
                        help="Llama-3.2-1B-Instruct (default) or the base Llama-3.2-1B")
    parser.add_argument("--source", choices=["modelscope", "hf"], default="modelscope",
                        help="modelscope (default; no login needed) or hf: Hugging Face, which needs the licence "
                             "accepted on the model page and a token (`huggingface-cli login`, or HF_TOKEN)")
    parser.add_argument("--dir", default=None,
                        help="target directory (default: weights/Llama-3.2-1B-Instruct/original, or "
                             "weights/Llama-3.2-1B/original with --model base)")
    parser.add_argument("--verify-only", action="store_true",
                        help="download nothing: check the files already in the target directory")
    parser.epilog = ("Fetches only original/{params.json,tokenizer.model,consolidated.00.pth} (2.5 GB). Files already "
                     "there are never overwritten; a complete checkpoint is left alone. To place the files by hand, "
                     "copy those three files into the target directory and run with --verify-only. "
                     "See docs/weights.md.")


def default_dir(model: str) -> Path:
    """weights/Llama-3.2-1B-Instruct/original (instruct) or weights/Llama-3.2-1B/original (base)."""
    return weights_dir() / LOCAL_NAMES[model] / "original"


def file_page(source: str, repo_id: str) -> str:
    """The web page listing the repository's files, for placing them by hand."""
    if source == "hf":
        return f"{endpoint(source)}/{repo_id}/tree/main/original"
    return f"{endpoint(source)}/models/{repo_id}/files"


def by_hand_hint(source: str, repo_id: str, target: Path) -> str:
    return (f"To place the files by hand, download {', '.join(ORDER)} from the original/ folder of "
            f"{file_page(source, repo_id)} into {target}/ (keep those names), then run "
            f"`python -m llama_scratch download --verify-only --dir {target}` (see docs/weights.md).")


# --- the network: one fetch function per source ----------------------------------------------------------------

def endpoint(source: str) -> str:
    """The hub's base URL as its library will use it (honours MODELSCOPE_ENDPOINT / HF_ENDPOINT mirrors)."""
    try:
        if source == "hf":
            from huggingface_hub import constants

            return constants.ENDPOINT.rstrip("/")
        from modelscope_hub.config import HubConfig

        return HubConfig().endpoint.rstrip("/")
    except Exception:  # an older library version: the environment variables it reads, else the default
        env = os.environ.get("HF_ENDPOINT" if source == "hf" else "MODELSCOPE_ENDPOINT")
        return (env or DEFAULT_ENDPOINTS[source]).rstrip("/")


def check_reachable(source: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast when the hub (or the HTTPS proxy in the environment) cannot be reached: DNS lookup plus a TCP
    connect, bounded by ``timeout`` seconds in all (a hanging DNS resolver included). Raises DownloadError."""
    url = urlsplit(endpoint(source))
    hub = f"{url.hostname}:{url.port or (443 if url.scheme == 'https' else 80)}"
    host, port = url.hostname, url.port or (443 if url.scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(url.scheme)
    via = ""
    if proxy and not urllib.request.proxy_bypass(host):
        p = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        via, host, port = f" through the proxy {p.hostname}:{p.port or 80}", p.hostname, p.port or 80
    outcome: list = []

    def probe():
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except OSError as e:
            outcome.append(e)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    error = outcome[0] if outcome else TimeoutError(f"no answer within {timeout:g} s")
    if error is not None:
        what = "DNS lookup failed" if isinstance(error, socket.gaierror) else type(error).__name__
        detail = getattr(error, "strerror", None) or str(error)
        raise DownloadError(f"cannot reach {hub}{via} ({what}: {detail}); this machine is offline or the host is "
                            "blocked. Nothing was written")


def _quiet_hub_logs() -> None:
    """The hub libraries log a warning per retry; our own single message says what failed."""
    for name in ("modelscope", "modelscope_hub"):
        logging.getLogger(name).setLevel(logging.ERROR)


def fetch_modelscope(repo_id: str, filename: str, dest_dir: Path) -> Path:
    """Download original/<filename> of a ModelScope repo under dest_dir (with its progress bar); return its path."""
    from modelscope.hub.file_download import model_file_download

    _quiet_hub_logs()
    return Path(model_file_download(repo_id, f"original/{filename}", local_dir=str(dest_dir)))


def fetch_hf(repo_id: str, filename: str, dest_dir: Path) -> Path:
    """Download original/<filename> of a Hugging Face repo under dest_dir (needs licence + token); return its path."""
    from huggingface_hub import hf_hub_download

    return Path(hf_hub_download(repo_id, f"original/{filename}", local_dir=str(dest_dir)))


FETCHERS = {"modelscope": fetch_modelscope, "hf": fetch_hf}


def _call_with_deadline(fn, deadline_s: float | None):
    """fn() in a daemon thread; TimeoutError if it has not returned after deadline_s (None: wait forever).

    Python cannot stop a thread: an abandoned fetch goes on in the background until the process exits (the CLI
    exits at once), which is why every fetch writes only inside the private temporary folder.
    """
    if deadline_s is None:
        return fn()
    result: list = []

    def target():
        try:
            result.append((True, fn()))
        except BaseException as e:  # handed to the caller's thread
            result.append((False, e))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(deadline_s)
    if not result:
        raise TimeoutError(f"no complete answer within {deadline_s:g} s")
    ok, value = result[0]
    if not ok:
        raise value
    return value


# --- checks of single files, before they get their real name ----------------------------------------------------

def check_file(name: str, path: Path) -> None:
    """Check one of the three files on its own (params.json: keys and types; tokenizer.model: 128,000 ranks;
    consolidated.00.pth: a readable zip of tensors). Raises CheckpointError naming ``path``."""
    if name == "params.json":
        try:
            params = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise CheckpointError(f"{path}: not valid JSON ({e}).") from None
        config_from_params(params, source=str(path))
    elif name == "tokenizer.model":
        Tokenizer(path)
    else:
        read_state_dict(path)  # memory-mapped: only the archive's index is read


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _remove_stale_tmp(target: Path) -> None:
    """Remove temporary folders left by a download that was killed (its process is gone)."""
    for tmp in target.glob(f"{TMP_PREFIX}*"):
        pid = tmp.name[len(TMP_PREFIX):]
        if tmp.is_dir() and (not pid.isdigit() or not _pid_alive(int(pid))):
            shutil.rmtree(tmp, ignore_errors=True)


def _place(src: Path, dst: Path) -> bool:
    """Give a complete file its real name without ever replacing an existing one; False if dst appeared meanwhile
    (a second download running at the same time), in which case src is dropped."""
    try:
        os.link(src, dst)  # atomic, and fails if dst exists
    except FileExistsError:
        return False
    except OSError:  # no hard links on this file system (FAT, some network drives)
        if dst.exists():
            return False
        os.replace(src, dst)
        return True
    src.unlink()
    return True


def download(model: str = "instruct", source: str = "modelscope", target=None, fetch=None, log=print) -> Path:
    """Fetch the missing original/ files of Llama-3.2-1B(-Instruct) into ``target``, verify them, return ``target``.

    ``fetch(repo_id, filename, dest_dir) -> path`` replaces the network (tests); by default the source's library is
    used, after a quick reachability check. Raises DownloadError (one line) on any failure.
    """
    if model not in LOCAL_NAMES or source not in REPOS:
        raise ValueError(f"model must be one of {sorted(LOCAL_NAMES)} and source one of {sorted(REPOS)}, "
                         f"got model={model!r}, source={source!r}")
    target = Path(target).expanduser() if target else default_dir(model)
    repo_id = REPOS[source][model]
    if target.exists() and not target.is_dir():
        raise DownloadError(f"{target} is a file, not a directory: choose another --dir")
    missing = [name for name in ORDER if not (target / name).is_file()]
    if not missing:
        try:
            config = verify_checkpoint(target)
        except CheckpointError as e:
            raise DownloadError(f"{target} already holds all three files, but they fail verification: {e} Nothing "
                                "was downloaded or changed (existing files are never overwritten)") from None
        log(f"{target} already holds a complete, verified checkpoint ({config.n_layers} layers, dim {config.dim}): "
            "nothing to do")
        return target
    for name in ORDER:  # files already there must be sound before 2.5 GB are fetched to go with them
        if name not in missing:
            try:
                check_file(name, target / name)
            except CheckpointError as e:
                raise DownloadError(f"{e} This file was already in {target} and is left as it is: delete it and "
                                    "run again to download it") from None

    hf_hint = " " + HF_TOKEN_HINT.format(repo=repo_id) if source == "hf" else ""
    if fetch is None:
        try:
            check_reachable(source)
        except DownloadError as e:
            raise DownloadError(f"{e}.{hf_hint} {by_hand_hint(source, repo_id, target)}") from None
        fetch = FETCHERS[source]
    created = [p for p in (target, *target.parents) if not p.exists()]  # removed again if the run fails
    target.mkdir(parents=True, exist_ok=True)
    _remove_stale_tmp(target)
    tmp_dir = target / f"{TMP_PREFIX}{os.getpid()}"
    written: list[Path] = []
    ok = False
    try:
        for i, name in enumerate(missing):
            deadline = None if name == WEIGHTS_FILE else FIRST_FILE_DEADLINE_S if i == 0 else SMALL_FILE_DEADLINE_S
            log(f"downloading {repo_id} original/{name} -> {target / name}")
            dest = tmp_dir / name.replace(".", "_")  # one private folder per file
            try:
                got = Path(_call_with_deadline(lambda: fetch(repo_id, name, dest), deadline))
                if not got.is_file():
                    raise FileNotFoundError(f"the fetch reported {got}, which is not a file")
            except Exception as e:  # network, auth, missing repo, deadline: one message, no traceback
                first = str(e).strip().splitlines()[0][:300] if str(e).strip() else ""
                raise DownloadError(f"{source} failed on {repo_id} original/{name} ({type(e).__name__}: {first})."
                                    f"{hf_hint} {by_hand_hint(source, repo_id, target)}") from None
            try:
                check_file(name, got)
            except CheckpointError as e:
                raise CheckpointError(f"the downloaded {name} is not what it should be: {e}") from None
            if _place(got, target / name):
                written.append(target / name)
            else:
                log(f"{target / name} appeared meanwhile (another download?): kept it, dropped ours")
        config = load_config(target)
        sd = read_state_dict(target / WEIGHTS_FILE)
        check_state_dict(sd, config, str(target / WEIGHTS_FILE))
        del sd
        ok = True
    except CheckpointError as e:
        for path in written:  # never leave a broken checkpoint that looks complete
            path.unlink(missing_ok=True)
        removed = f" The files fetched by this run ({', '.join(p.name for p in written)}) were removed." \
            if written else " Nothing was kept."
        raise DownloadError(f"verification failed: {e}{removed} {by_hand_hint(source, repo_id, target)}") from None
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        if not ok:
            for path in created:  # directories this run created, if they stayed empty
                try:
                    path.rmdir()
                except OSError:
                    break
    log(f"done: {target} holds {', '.join(CHECKPOINT_FILES)}, verified ({config.n_layers} layers, dim {config.dim}, "
        f"vocab {config.vocab_size})")
    return target


def run(args) -> int:
    target = Path(args.dir).expanduser() if args.dir else default_dir(args.model)
    if args.verify_only:
        config = verify_checkpoint(target)  # CheckpointError: one line and exit 2 (see __main__)
        print(f"{target}: verified ({config.n_layers} layers, dim {config.dim}, vocab {config.vocab_size}; "
              "keys and shapes match params.json, tokenizer.model has 128000 ranks)")
        return 0
    try:
        download(args.model, args.source, target)
    except DownloadError as e:
        message = " ".join(str(e).split())  # one line, whatever the libraries put in their messages
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0
