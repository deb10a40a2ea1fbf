"""download: only the three files, temp names then rename, never overwrite, verify, offline -> one message fast."""

import shutil
import time

import pytest

import llama_scratch as ls
from llama_scratch import download as dl
from test_cli import cli


@pytest.fixture()
def fake_fetch(tiny_dir):
    """A stand-in for the network: copies original/<name> of the tiny demo checkpoint, recording each call."""
    calls = []

    def fetch(repo_id, name, tmp_dir):
        calls.append(name)
        tmp_dir.mkdir(parents=True, exist_ok=True)
        return shutil.copy(tiny_dir / name, tmp_dir / name)

    fetch.calls = calls
    return fetch


def test_fresh_download_then_nothing_to_do(tmp_path, fake_fetch):
    target = tmp_path / "original"
    dl.download("instruct", "modelscope", target, fetch=fake_fetch, log=lambda *a: None)
    assert sorted(p.name for p in target.iterdir()) == sorted(ls.checkpoint.CHECKPOINT_FILES)
    assert fake_fetch.calls == ["params.json", "tokenizer.model", "consolidated.00.pth"]
    mtimes = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    messages = []
    dl.download("instruct", "modelscope", target, fetch=fake_fetch, log=messages.append)
    assert len(fake_fetch.calls) == 3 and "nothing to do" in messages[-1]
    assert mtimes == {p.name: p.stat().st_mtime_ns for p in target.iterdir()}


def test_partial_checkpoint_fetches_only_what_is_missing(tmp_path, tiny_dir, fake_fetch):
    target = tmp_path / "original"
    target.mkdir()
    shutil.copy(tiny_dir / "params.json", target / "params.json")
    before = (target / "params.json").stat().st_mtime_ns
    dl.download("base", "hf", target, fetch=fake_fetch, log=lambda *a: None)
    assert fake_fetch.calls == ["tokenizer.model", "consolidated.00.pth"]
    assert (target / "params.json").stat().st_mtime_ns == before  # never overwritten


def test_interrupted_fetch_leaves_nothing_half_written(tmp_path, tiny_dir):
    def dying_fetch(repo_id, name, tmp_dir):
        tmp_dir.mkdir(parents=True, exist_ok=True)
        if name == "consolidated.00.pth":
            (tmp_dir / name).write_bytes(b"PK\x03\x04 half of it")
            raise ConnectionError("connection reset by peer")
        return shutil.copy(tiny_dir / name, tmp_dir / name)

    target = tmp_path / "original"
    with pytest.raises(dl.DownloadError, match="connection reset"):
        dl.download("instruct", "modelscope", target, fetch=dying_fetch, log=lambda *a: None)
    assert sorted(p.name for p in target.iterdir()) == ["params.json", "tokenizer.model"]  # complete ones only


def test_files_failing_verification_are_removed(tmp_path, tiny_dir):
    def wrong_fetch(repo_id, name, tmp_dir):  # a weights file of another model
        tmp_dir.mkdir(parents=True, exist_ok=True)
        if name == "params.json":
            (tmp_dir / name).write_text((tiny_dir / name).read_text().replace('"n_layers": 4', '"n_layers": 5'))
            return tmp_dir / name
        return shutil.copy(tiny_dir / name, tmp_dir / name)

    target = tmp_path / "original"
    with pytest.raises(dl.DownloadError, match="layers.4"):
        dl.download("instruct", "modelscope", target, fetch=wrong_fetch, log=lambda *a: None)
    assert list(target.iterdir()) == []


def test_verify_only(tiny_dir):
    r = cli("download", "--verify-only", "--dir", str(tiny_dir))
    assert r.returncode == 0 and "verified" in r.stdout


def test_offline_is_one_message_within_a_minute(tmp_path, monkeypatch, capsys):
    """The real code path against a host that cannot resolve (.invalid never does): quick, one line, nothing written."""
    from llama_scratch.__main__ import main

    monkeypatch.setitem(dl.HOSTS, "modelscope", "model-hub.invalid")
    target = tmp_path / "original"
    start = time.monotonic()
    code = main(["download", "--dir", str(target)])
    assert time.monotonic() - start < 60
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err
    assert "model-hub.invalid" in lines[0] and "by hand" in lines[0] and "consolidated.00.pth" in lines[0]
    assert not target.exists()
