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
