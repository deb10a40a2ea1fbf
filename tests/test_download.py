"""download: only the three files, temporary names then rename, never overwrite, verify, offline -> one line fast.

The network is replaced by a fake fetch that copies the tiny demo checkpoint's files, except in the offline tests,
which use this machine's real network (and skip where the hub answers, since they would then download 2.5 GB).
"""

import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT, cli
from llama_scratch.checkpoints import CHECKPOINT_FILES, download as dl, hubs, verify_checkpoint

QUIET = dict(log=lambda *a: None)


def listing(path):
    """Every file and folder under path (hidden temporary ones included), relative, sorted."""
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


@pytest.fixture()
def fake_fetch(tiny_dir):
    """A stand-in for the network: copies original/<name> of the tiny demo checkpoint, recording each call."""
    calls = []

    def fetch(repo_id, name, dest_dir):
        calls.append((repo_id, name))
        dest_dir.mkdir(parents=True, exist_ok=True)
        return shutil.copy(tiny_dir / name, dest_dir / name)

    fetch.calls = calls
    fetch.names = lambda: [name for _, name in calls]
    return fetch


def test_fresh_download_then_nothing_to_do(tmp_path, tiny_dir, fake_fetch):
    target = tmp_path / "weights" / "original"  # parents are created
    assert dl.download("instruct", "modelscope", target, fetch=fake_fetch, **QUIET) == target
    assert listing(target) == sorted(CHECKPOINT_FILES)  # no temporary folder left
    assert fake_fetch.calls == [("LLM-Research/Llama-3.2-1B-Instruct", n)
                                for n in ("params.json", "tokenizer.model", "consolidated.00.pth")]
    for name in CHECKPOINT_FILES:
        assert (target / name).read_bytes() == (tiny_dir / name).read_bytes()
    assert verify_checkpoint(target).n_layers == 4
    mtimes = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    messages = []
    dl.download("instruct", "modelscope", target, fetch=fake_fetch, log=messages.append)
    assert len(fake_fetch.calls) == 3 and "nothing to do" in messages[-1]
    assert mtimes == {p.name: p.stat().st_mtime_ns for p in target.iterdir()}


@pytest.mark.slow
def test_second_cli_run_does_nothing(tiny_dir, tmp_path):
    """Through the real CLI: a complete checkpoint needs no network, says so, exits 0, changes nothing."""
    target = shutil.copytree(tiny_dir, tmp_path / "original")
    before = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    r = cli("download", "--dir", str(target))
    assert r.returncode == 0 and "nothing to do" in r.stdout, r.stderr
    assert before == {p.name: p.stat().st_mtime_ns for p in target.iterdir()}


def test_partial_checkpoint_fetches_only_what_is_missing(tmp_path, tiny_dir, fake_fetch):
    target = tmp_path / "original"
    target.mkdir()
    shutil.copy(tiny_dir / "params.json", target / "params.json")
    before = (target / "params.json").stat().st_mtime_ns
    dl.download("base", "hf", target, fetch=fake_fetch, **QUIET)
    assert fake_fetch.calls == [("meta-llama/Llama-3.2-1B", "tokenizer.model"),
                                ("meta-llama/Llama-3.2-1B", "consolidated.00.pth")]
    assert (target / "params.json").stat().st_mtime_ns == before  # never overwritten
    assert listing(target) == sorted(CHECKPOINT_FILES)


# --model: the repository on each hub and the default folder (the ids are cited in docs/weights.md).
MODELS = {
    "instruct": ("LLM-Research/Llama-3.2-1B-Instruct", "meta-llama/Llama-3.2-1B-Instruct", "Llama-3.2-1B-Instruct"),
    "base": ("LLM-Research/Llama-3.2-1B", "meta-llama/Llama-3.2-1B", "Llama-3.2-1B"),
    "3b-instruct": ("LLM-Research/Llama-3.2-3B-Instruct", "meta-llama/Llama-3.2-3B-Instruct", "Llama-3.2-3B-Instruct"),
    "3b-base": ("LLM-Research/Llama-3.2-3B", "meta-llama/Llama-3.2-3B", "Llama-3.2-3B"),
    "8b-instruct": ("LLM-Research/Meta-Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct",
                    "Llama-3.1-8B-Instruct"),
}


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("source", ["modelscope", "hf"])
def test_each_model_comes_from_its_repository(tmp_path, fake_fetch, model, source, monkeypatch):
    monkeypatch.setenv("LLAMA_SCRATCH_WEIGHTS", str(tmp_path / "weights"))
    modelscope, hf, folder = MODELS[model]
    target = dl.default_dir(model)
    assert target == tmp_path / "weights" / folder / "original"
    dl.download(model, source, fetch=fake_fetch, **QUIET)
    repo = hf if source == "hf" else modelscope
    assert fake_fetch.calls == [(repo, name) for name in ("params.json", "tokenizer.model", "consolidated.00.pth")]
    assert listing(target) == sorted(CHECKPOINT_FILES)


def test_file_that_appears_during_the_fetch_is_not_replaced(tmp_path, tiny_dir):
    """A second download (or the user) puts tokenizer.model in place while ours is on the wire: theirs is kept."""
    target = tmp_path / "original"

    def racing_fetch(repo_id, name, dest_dir):
        dest_dir.mkdir(parents=True, exist_ok=True)
        if name == "tokenizer.model":
            shutil.copy(tiny_dir / name, target / name)  # theirs arrives first ...
            (target / name).write_bytes((target / name).read_bytes() + b"\n")  # ... told apart by a trailing newline
        return shutil.copy(tiny_dir / name, dest_dir / name)

    messages = []
    dl.download("instruct", "modelscope", target, fetch=racing_fetch, log=messages.append)
    assert (target / "tokenizer.model").read_bytes() == (tiny_dir / "tokenizer.model").read_bytes() + b"\n"
    assert any("kept it" in m for m in messages)
    assert listing(target) == sorted(CHECKPOINT_FILES)


def test_interrupted_fetch_leaves_nothing_half_written(tmp_path, tiny_dir):
    def dying_fetch(repo_id, name, dest_dir):
        dest_dir.mkdir(parents=True, exist_ok=True)
        if name == "consolidated.00.pth":
            (dest_dir / name).write_bytes((tiny_dir / name).read_bytes()[:4096])  # half a file, then the line drops
            raise ConnectionError("connection reset by peer\nsecond line of a library message")
        return shutil.copy(tiny_dir / name, dest_dir / name)

    target = tmp_path / "original"
    with pytest.raises(hubs.DownloadError, match="connection reset by peer") as info:
        dl.download("instruct", "modelscope", target, fetch=dying_fetch, **QUIET)
    assert "by hand" in str(info.value) and "second line" not in str(info.value)
    # The two complete files stay (a re-run fetches only the weights); no partial and no renamed weights file.
    assert listing(target) == ["params.json", "tokenizer.model"]


def test_ctrl_c_leaves_no_temporary_files(tmp_path, tiny_dir):
    def interrupted(repo_id, name, dest_dir):
        dest_dir.mkdir(parents=True, exist_ok=True)
        (dest_dir / name).write_bytes(b"PK\x03\x04")
        raise KeyboardInterrupt

    target = tmp_path / "original"
    with pytest.raises(KeyboardInterrupt):
        dl.download("instruct", "modelscope", target, fetch=interrupted, **QUIET)
    assert not target.exists()  # the folder this run created is gone again


def test_stale_temporary_folder_of_a_killed_run_is_removed(tmp_path, fake_fetch):
    target = tmp_path / "original"
    stale = target / ".download-999999999" / "consolidated_00_pth"  # no such process
    stale.mkdir(parents=True)
    (stale / "consolidated.00.pth").write_bytes(b"PK half")
    dl.download("instruct", "modelscope", target, fetch=fake_fetch, **QUIET)
    assert listing(target) == sorted(CHECKPOINT_FILES)


def fetch_with(tiny_dir, bad_name, bad_text):
    """A fake fetch serving the tiny demo's files, except ``bad_name``, which gets ``bad_text``."""
    def fetch(repo_id, name, dest_dir):
        dest_dir.mkdir(parents=True, exist_ok=True)
        if name == bad_name:
            (dest_dir / name).write_text(bad_text)
            return dest_dir / name
        return shutil.copy(tiny_dir / name, dest_dir / name)

    return fetch


def test_weights_that_disagree_with_params_are_removed(tmp_path, tiny_dir):
    """Decision: files fetched by a run that fails verification are deleted, so nothing looks complete."""
    # params.json of a 5-layer model, weights of a 4-layer one
    wrong_fetch = fetch_with(tiny_dir, "params.json",
                             (tiny_dir / "params.json").read_text().replace('"n_layers": 4', '"n_layers": 5'))

    target = tmp_path / "original"
    with pytest.raises(hubs.DownloadError, match="'layers.4.attention.wq.weight' is missing") as info:
        dl.download("instruct", "modelscope", target, fetch=wrong_fetch, **QUIET)
    assert "were removed" in str(info.value)
    assert not target.exists()


def test_broken_downloaded_file_is_never_named(tmp_path, tiny_dir):
    """A fetched tokenizer.model that is an HTML error page fails its own check and never gets its real name."""
    html_fetch = fetch_with(tiny_dir, "tokenizer.model", "<html><body>403 Forbidden</body></html>\n")

    target = tmp_path / "original"
    with pytest.raises(hubs.DownloadError, match="downloaded tokenizer.model") as info:
        dl.download("instruct", "modelscope", target, fetch=html_fetch, **QUIET)
    assert "line 1" in str(info.value)
    assert not target.exists()  # params.json, fetched by this run, was removed too


def test_broken_file_already_present_is_kept_and_nothing_fetched(tmp_path, tiny_dir, fake_fetch):
    target = tmp_path / "original"
    target.mkdir()
    (target / "params.json").write_text('{"dim": 128,')
    with pytest.raises(hubs.DownloadError, match="not valid JSON.*left as it is: delete it"):
        dl.download("instruct", "modelscope", target, fetch=fake_fetch, **QUIET)
    assert fake_fetch.calls == [] and (target / "params.json").read_text() == '{"dim": 128,'


def test_complete_but_broken_checkpoint_is_not_touched(tmp_path, tiny_dir, fake_fetch):
    target = shutil.copytree(tiny_dir, tmp_path / "original")
    (target / "tokenizer.model").write_text("garbage\n")
    with pytest.raises(hubs.DownloadError, match="fail verification.*never overwritten"):
        dl.download("instruct", "modelscope", target, fetch=fake_fetch, **QUIET)
    assert fake_fetch.calls == [] and (target / "tokenizer.model").read_text() == "garbage\n"


def test_a_fetch_that_hangs_is_abandoned_at_the_deadline(tmp_path, monkeypatch):
    """The libraries retry for minutes; the first file has a deadline so the user hears back within a minute."""
    monkeypatch.setattr(dl, "FIRST_FILE_DEADLINE_S", 0.5)

    def hanging(repo_id, name, dest_dir):
        time.sleep(3)

    target = tmp_path / "original"
    start = time.monotonic()
    with pytest.raises(hubs.DownloadError, match="no complete answer within 0.5 s"):
        dl.download("instruct", "hf", target, fetch=hanging, **QUIET)
    assert time.monotonic() - start < 2.5
    assert not target.exists()


@pytest.mark.slow
def test_verify_only(tiny_dir, tmp_path):
    r = cli("download", "--verify-only", "--dir", str(tiny_dir))
    assert r.returncode == 0 and "verified" in r.stdout
    broken = shutil.copytree(tiny_dir, tmp_path / "original")
    (broken / "params.json").write_text("[]")
    r = cli("download", "--verify-only", "--dir", str(broken))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "params.json" in r.stderr


@pytest.mark.slow
def test_help_mentions_licence_and_token():
    r = cli("download", "--help")
    assert r.returncode == 0 and "licence" in r.stdout and "HF_TOKEN" in r.stdout and "--verify-only" in r.stdout
    assert all(f"{model} ({folder}," in " ".join(r.stdout.split()) for model, (_, _, folder) in MODELS.items())


def hub_reachable(source):
    try:
        hubs.check_reachable(source, timeout=5)
        return True
    except hubs.DownloadError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("source", ["modelscope", "hf"])
def test_offline_is_one_line_within_a_minute(tmp_path, source):
    """The real command on this machine's real network, which cannot reach the model hubs."""
    if hub_reachable(source):
        pytest.skip(f"{hubs.endpoint(source)} is reachable here: this test would download 2.5 GB")
    target = tmp_path / "x" / "original"
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "llama_scratch", "download", "--source", source, "--dir", str(target)],
                       capture_output=True, text=True, cwd=ROOT, timeout=90)
    seconds = time.monotonic() - start
    assert r.returncode == 2 and seconds < 60, (seconds, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr
    for needle in ("cannot reach", "by hand", "params.json", "tokenizer.model", "consolidated.00.pth", str(target)):
        assert needle in lines[0], needle
    assert ("HF_TOKEN" in lines[0]) == (source == "hf")
    assert not (tmp_path / "x").exists()  # nothing written, not even the folder


def test_unresolvable_mirror_is_reported_by_name(tmp_path, monkeypatch, capsys):
    """A mirror set through the hub library's own variable is the host checked (.invalid never resolves)."""
    from llama_scratch.tools.cli import main

    monkeypatch.setenv("MODELSCOPE_ENDPOINT", "https://model-hub.invalid")
    target = tmp_path / "original"
    start = time.monotonic()
    code = main(["download", "--dir", str(target)])
    assert time.monotonic() - start < 60
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "model-hub.invalid:443" in err
    assert "https://model-hub.invalid/models/LLM-Research/Llama-3.2-1B-Instruct/files" in err
    assert not target.exists()
