"""Downloading Meta's original/ files of a Llama 3 model (``python -m llama_scratch download``), safely.

Only ``params.json``, ``tokenizer.model`` and ``consolidated.00.pth`` are fetched (smallest first, so that a refused
licence shows before the large file). Each one downloads into a private folder ``.download-<pid>/`` inside the
target directory and gets its real name only when complete and checked; a file already in place is never
overwritten or deleted; afterwards the whole set is checked against params.json (read.open_checkpoint). Files
fetched by a run whose result fails verification are removed again, so a broken checkpoint never looks complete.
Offline or refused: one DownloadError within a minute, saying how to place the files by hand.

The network is behind one function per source (hubs.FETCHERS), so tests can pass a local fake (``fetch=``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..core.config import config_from_file
from ..core.errors import CheckpointError
from ..core.tokenizer import Tokenizer
from .hubs import FETCHERS, HF_TOKEN_HINT, SOURCES, DownloadError, call_with_deadline, check_reachable, file_page
from .models import DEFAULT_RELEASE, RELEASES
from .paths import weights_dir
from .read import CHECKPOINT_FILES, WEIGHTS_FILE, open_checkpoint, read_state_dict, verify_checkpoint

# Smallest first: a refused licence, a wrong token or a dead mirror shows up before the weights file.
ORDER = ("params.json", "tokenizer.model", "consolidated.00.pth")
# The first file of a run (a small one) must arrive within this many seconds, the tokenizer within the second; the
# hub libraries otherwise retry with back-off for minutes (measured: modelscope 1.40 takes 60 s to give up on a host
# it cannot resolve). The weights file has no deadline.
FIRST_FILE_DEADLINE_S = 40.0
SMALL_FILE_DEADLINE_S = 300.0
TMP_PREFIX = ".download-"


def default_dir(model: str) -> Path:
    """weights/<release name>/original, e.g. weights/Llama-3.2-1B-Instruct/original for the default model."""
    return weights_dir() / RELEASES[model].name / "original"


def repo_id(model: str, source: str) -> str:
    """The repository holding ``model``'s original/ folder on ``source``."""
    release = RELEASES[model]
    return release.hf if source == "hf" else release.modelscope


def by_hand_hint(source: str, repo: str, target: Path) -> str:
    return (f"To place the files by hand, download {', '.join(ORDER)} from the original/ folder of "
            f"{file_page(source, repo)} into {target}/ (keep those names), then run "
            f"`python -m llama_scratch download --verify-only --dir {target}` (see docs/weights.md).")


def failure_hint(source: str, repo: str, target: Path) -> str:
    """What to do after a failed fetch: accept the licence (Hugging Face), or place the files by hand."""
    hf = " " + HF_TOKEN_HINT.format(repo=repo) if source == "hf" else ""
    return f"{hf} {by_hand_hint(source, repo, target)}"


def check_file(name: str, path: Path) -> None:
    """Check one of the three files on its own (params.json: keys and types; tokenizer.model: 128,000 ranks;
    consolidated.00.pth: a readable zip of tensors). Raises CheckpointError naming ``path``."""
    if name == "params.json":
        config_from_file(path)
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


def _check_present(target: Path, missing: list[str], log) -> bool:
    """Check the files already in target; True when all three are there and verified (nothing to do)."""
    if not missing:
        try:
            config = verify_checkpoint(target)
        except CheckpointError as e:
            raise DownloadError(f"{target} already holds all three files, but they fail verification: {e} Nothing "
                                "was downloaded or changed (existing files are never overwritten)") from None
        log(f"{target} already holds a complete, verified checkpoint ({config.n_layers} layers, dim {config.dim}): "
            "nothing to do")
        return True
    for name in ORDER:  # files already there must be sound before gigabytes are fetched to go with them
        if name not in missing:
            try:
                check_file(name, target / name)
            except CheckpointError as e:
                raise DownloadError(f"{e} This file was already in {target} and is left as it is: delete it and "
                                    "run again to download it") from None
    return False


def _fetch_missing(missing, fetch, repo: str, source: str, target: Path, tmp_dir: Path, log,
                   written: list[Path]) -> None:
    """Fetch each missing file into tmp_dir, check it, give it its real name; append each file placed to written."""
    for i, name in enumerate(missing):
        deadline = None if name == WEIGHTS_FILE else FIRST_FILE_DEADLINE_S if i == 0 else SMALL_FILE_DEADLINE_S
        log(f"downloading {repo} original/{name} -> {target / name}")
        dest = tmp_dir / name.replace(".", "_")  # one private folder per file
        try:
            got = Path(call_with_deadline(lambda: fetch(repo, name, dest), deadline))
            if not got.is_file():
                raise FileNotFoundError(f"the fetch reported {got}, which is not a file")
        except Exception as e:  # network, auth, missing repo, deadline: one message, no traceback
            first = str(e).strip().splitlines()[0][:300] if str(e).strip() else ""
            raise DownloadError(f"{source} failed on {repo} original/{name} ({type(e).__name__}: {first})."
                                f"{failure_hint(source, repo, target)}") from None
        try:
            check_file(name, got)
        except CheckpointError as e:
            raise CheckpointError(f"the downloaded {name} is not what it should be: {e}") from None
        if _place(got, target / name):
            written.append(target / name)
        else:
            log(f"{target / name} appeared meanwhile (another download?): kept it, dropped ours")


def download(model: str = DEFAULT_RELEASE, source: str = "modelscope", target=None, fetch=None, log=print) -> Path:
    """Fetch the missing original/ files of a Llama release (models.RELEASES) into ``target``, verify them, return
    ``target``.

    ``fetch(repo_id, filename, dest_dir) -> path`` replaces the network (tests); by default the source's library is
    used, after a quick reachability check. Raises DownloadError (one line) on any failure.
    """
    if model not in RELEASES or source not in SOURCES:
        raise ValueError(f"model must be one of {sorted(RELEASES)} and source one of {sorted(SOURCES)}, "
                         f"got model={model!r}, source={source!r}")
    target = Path(target).expanduser() if target else default_dir(model)
    repo = repo_id(model, source)
    if target.exists() and not target.is_dir():
        raise DownloadError(f"{target} is a file, not a directory: choose another --dir")
    missing = [name for name in ORDER if not (target / name).is_file()]
    if _check_present(target, missing, log):
        return target
    if fetch is None:
        try:
            check_reachable(source)
        except DownloadError as e:
            raise DownloadError(f"{e}.{failure_hint(source, repo, target)}") from None
        fetch = FETCHERS[source]
    config = _fetch_and_verify(missing, fetch, repo, source, target, log)
    log(f"done: {target} holds {', '.join(CHECKPOINT_FILES)}, verified ({config.n_layers} layers, dim {config.dim}, "
        f"vocab {config.vocab_size})")
    return target


def _fetch_and_verify(missing, fetch, repo: str, source: str, target: Path, log):
    """Fetch the missing files into target and check the whole set; on any failure remove what this run wrote
    (files and the folders it created), so nothing half-done stays behind. Returns the ModelConfig."""
    created = [p for p in (target, *target.parents) if not p.exists()]  # removed again if the run fails
    target.mkdir(parents=True, exist_ok=True)
    _remove_stale_tmp(target)
    tmp_dir = target / f"{TMP_PREFIX}{os.getpid()}"
    written: list[Path] = []
    ok = False
    try:
        _fetch_missing(missing, fetch, repo, source, target, tmp_dir, log, written)
        config, _ = open_checkpoint(target)
        ok = True
        return config
    except CheckpointError as e:
        for path in written:  # never leave a broken checkpoint that looks complete
            path.unlink(missing_ok=True)
        removed = f" The files fetched by this run ({', '.join(p.name for p in written)}) were removed." \
            if written else " Nothing was kept."
        raise DownloadError(f"verification failed: {e}{removed} {by_hand_hint(source, repo, target)}") from None
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        if not ok:
            for path in created:  # directories this run created, if they stayed empty
                try:
                    path.rmdir()
                except OSError:
                    break
