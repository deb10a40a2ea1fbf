"""The network side of the download: one fetch function per hub (ModelScope, Hugging Face), a quick reachability
check, and a deadline for calls that the hub libraries would otherwise retry for minutes."""

from __future__ import annotations

import logging
import os
import socket
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

SOURCES = ("modelscope", "hf")
DEFAULT_ENDPOINTS = {"modelscope": "https://modelscope.cn", "hf": "https://huggingface.co"}
CONNECT_TIMEOUT_S = 15.0  # DNS + TCP connect to the hub (or proxy), checked before anything is written
HF_TOKEN_HINT = ("Hugging Face serves the Llama models only after you accept the licence on the model page "
                 "(https://huggingface.co/{repo}) and log in: `huggingface-cli login`, or set HF_TOKEN.")


class DownloadError(RuntimeError):
    """The download failed (offline, refused, interrupted, or files that fail verification). One line, naming what
    failed and what to do; nothing half-written is left behind."""


def endpoint(source: str) -> str:
    """The hub's base URL as its library will use it (honours MODELSCOPE_ENDPOINT / HF_ENDPOINT mirrors)."""
    try:
        if source == "hf":
            from huggingface_hub import constants  # the hub libraries load only when a download needs them

            return constants.ENDPOINT.rstrip("/")
        from modelscope_hub.config import HubConfig  # (modelscope's import alone takes seconds)

        return HubConfig().endpoint.rstrip("/")
    except Exception:  # an older library version: the environment variables it reads, else the default
        env = os.environ.get("HF_ENDPOINT" if source == "hf" else "MODELSCOPE_ENDPOINT")
        return (env or DEFAULT_ENDPOINTS[source]).rstrip("/")


def file_page(source: str, repo_id: str) -> str:
    """The web page listing the repository's files, for placing them by hand."""
    if source == "hf":
        return f"{endpoint(source)}/{repo_id}/tree/main/original"
    return f"{endpoint(source)}/models/{repo_id}/files"


def call_with_deadline(fn, deadline_s: float | None):
    """fn() in a daemon thread; TimeoutError if it has not returned after deadline_s (None: wait forever).

    Python cannot stop a thread: an abandoned call goes on in the background until the process exits (the CLI
    exits at once), which is why every fetch writes only inside the download's private temporary folder.
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


def check_reachable(source: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast when the hub (or the HTTPS proxy in the environment) cannot be reached: DNS lookup plus a TCP
    connect, bounded by ``timeout`` seconds in all (a hanging DNS resolver included). Raises DownloadError."""
    url = urlsplit(endpoint(source))
    host, port = url.hostname, url.port or (443 if url.scheme == "https" else 80)
    hub = f"{host}:{port}"
    proxy = urllib.request.getproxies().get(url.scheme)
    via = ""
    if proxy and not urllib.request.proxy_bypass(host):
        p = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        via, host, port = f" through the proxy {p.hostname}:{p.port or 80}", p.hostname, p.port or 80
    try:
        call_with_deadline(lambda: socket.create_connection((host, port), timeout=timeout).close(), timeout)
    except OSError as error:  # TimeoutError included
        what = "DNS lookup failed" if isinstance(error, socket.gaierror) else type(error).__name__
        detail = getattr(error, "strerror", None) or str(error)
        raise DownloadError(f"cannot reach {hub}{via} ({what}: {detail}); this machine is offline or the host is "
                            "blocked. Nothing was written") from None


def fetch_modelscope(repo_id: str, filename: str, dest_dir: Path) -> Path:
    """Download original/<filename> of a ModelScope repo under dest_dir (with its progress bar); return its path."""
    from modelscope.hub.file_download import model_file_download  # a slow import: only when downloading

    for name in ("modelscope", "modelscope_hub"):  # a warning per retry; our own single message says what failed
        logging.getLogger(name).setLevel(logging.ERROR)
    return Path(model_file_download(repo_id, f"original/{filename}", local_dir=str(dest_dir)))


def fetch_hf(repo_id: str, filename: str, dest_dir: Path) -> Path:
    """Download original/<filename> of a Hugging Face repo under dest_dir (needs licence + token); return its path."""
    from huggingface_hub import hf_hub_download  # imported only when downloading, like the ModelScope library

    return Path(hf_hub_download(repo_id, f"original/{filename}", local_dir=str(dest_dir)))


FETCHERS = {"modelscope": fetch_modelscope, "hf": fetch_hf}
