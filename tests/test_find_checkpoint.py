"""find_checkpoint: which weights a notebook or command uses, and what it prints about them."""

import shutil

import pytest

import llama_scratch as ls
from llama_scratch.checkpoints import find


@pytest.fixture()
def repo(tmp_path, tiny_dir, monkeypatch):
    """A fake repository root holding a checkpoint at ck/original, with the working directory elsewhere."""
    root = tmp_path / "repo"
    shutil.copytree(tiny_dir, root / "ck" / "original")
    monkeypatch.setattr(find, "project_root", lambda: root)
    (root / "notebooks").mkdir()
    monkeypatch.chdir(root / "notebooks")  # where a notebook kernel runs
    return root


def test_relative_env_path_is_also_tried_from_the_repository_root(repo, monkeypatch, capsys):
    monkeypatch.setenv(find.ENV_CHECKPOINT, "ck/original")
    info = ls.find_checkpoint()
    assert info.path.resolve() == (repo / "ck" / "original").resolve()
    assert info.is_demo
    assert "DEMO" in capsys.readouterr().out


def test_relative_env_path_from_the_working_directory_wins(repo, monkeypatch, tiny_dir):
    shutil.copytree(tiny_dir, repo / "notebooks" / "ck" / "original")
    monkeypatch.setenv(find.ENV_CHECKPOINT, "ck/original")
    info = ls.find_checkpoint(announce=False)
    assert info.path.resolve() == (repo / "notebooks" / "ck" / "original").resolve()


def test_env_path_found_nowhere_names_it(repo, monkeypatch):
    monkeypatch.setenv(find.ENV_CHECKPOINT, "nowhere/original")
    with pytest.raises(ls.CheckpointError, match="nowhere/original") as e:
        ls.find_checkpoint(announce=False)
    assert str(repo / "notebooks" / "nowhere") in str(e.value) and str(repo / "nowhere") in str(e.value)


def place(tiny_dir, target, marker=None):
    """Meta's three files of the tiny demo at ``target``, with ``marker`` (a kind's marker file) or none (real)."""
    target.mkdir(parents=True)
    for name in ls.checkpoints.CHECKPOINT_FILES:
        shutil.copyfile(tiny_dir / name, target / name)
    if marker:
        (target / marker).write_text("{}")
    return target


@pytest.fixture()
def weights(tmp_path, monkeypatch):
    """An empty weights/ folder (LLAMA_SCRATCH_WEIGHTS) and no $LLAMA_SCRATCH_CHECKPOINT."""
    monkeypatch.setenv("LLAMA_SCRATCH_WEIGHTS", str(tmp_path / "weights"))
    monkeypatch.delenv(find.ENV_CHECKPOINT, raising=False)
    return tmp_path / "weights"


def test_fallback_order_real_then_trained_then_random(weights, tiny_dir, monkeypatch, capsys):
    info = ls.find_checkpoint()  # nothing there: the random tiny demo, generated on first use
    assert (info.kind, info.is_demo, info.path) == ("random-demo", True, weights / "demo-tiny" / "original")
    banner = capsys.readouterr().out
    assert "RANDOM WEIGHTS" in banner and "make trained" in banner and "python -m llama_scratch train" in banner
    trained = place(tiny_dir, weights / "demo-trained" / "original", ls.checkpoints.TRAINED_MARKER)
    info = ls.find_checkpoint()
    assert (info.kind, info.is_demo, info.path) == ("trained-demo", False, trained)
    assert "TRAINED DEMO" in capsys.readouterr().out
    real = place(tiny_dir, weights / "Llama-3.2-1B" / "original")
    info = ls.find_checkpoint()
    assert (info.kind, info.is_demo, info.path) == ("real", False, real)
    assert "REAL WEIGHTS" in capsys.readouterr().out
    monkeypatch.setenv(find.ENV_CHECKPOINT, str(trained))  # the environment variable comes first
    assert ls.find_checkpoint(announce=False).kind == "trained-demo"


def test_an_incomplete_trained_demo_is_passed_over(weights, tiny_dir):
    trained = place(tiny_dir, weights / "demo-trained" / "original")  # no marker: not finished (written last)
    assert ls.checkpoints.find_trained_demo(trained) is None
    assert ls.find_checkpoint(announce=False).kind == "random-demo"


def test_kind_is_read_from_the_marker_when_not_given(tiny_dir, tmp_path):
    assert ls.CheckpointInfo(tiny_dir, True, "test").kind == "random-demo"
    assert ls.CheckpointInfo(place(tiny_dir, tmp_path / "t", "trained_checkpoint.json"), False, "x").kind \
        == "trained-demo"
    assert ls.CheckpointInfo(place(tiny_dir, tmp_path / "r"), False, "x").kind == "real"
    with pytest.raises(ValueError, match="kind must be one of"):
        ls.CheckpointInfo(tiny_dir, False, "x", "fake")
