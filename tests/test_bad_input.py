"""Every bad checkpoint gives one CheckpointError naming the file or value and the fix, and changes nothing on disk."""

import hashlib
import json
import shutil

import pytest
import torch

import llama_scratch as ls
from test_cli import cli


@pytest.fixture()
def ckpt(tiny_dir, tmp_path):
    """A private copy of the tiny demo checkpoint to break."""
    return shutil.copytree(tiny_dir, tmp_path / "original")


def snapshot(path):
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(path.iterdir())}


def edit_params(ckpt, **changes):
    params = json.loads((ckpt / "params.json").read_text())
    for key, value in changes.items():
        if value is None:
            params.pop(key)
        else:
            params[key] = value
    (ckpt / "params.json").write_text(json.dumps(params))


def expect_error(ckpt, *needles):
    before = snapshot(ckpt)
    with pytest.raises(ls.CheckpointError) as info:
        ls.load_model(ckpt)
    message = str(info.value)
    assert all(n in message for n in needles), message
    assert snapshot(ckpt) == before, "a failed load changed the checkpoint directory"
    return message


def test_missing_files(ckpt):
    (ckpt / "consolidated.00.pth").unlink()
    expect_error(ckpt, "missing consolidated.00.pth", "re-download")


def test_missing_tokenizer(ckpt):
    (ckpt / "tokenizer.model").unlink()
    with pytest.raises(ls.CheckpointError, match="missing tokenizer.model"):
        ls.checkpoint.check_checkpoint_dir(ckpt)


def test_hugging_face_directory_points_to_original(tmp_path):
    hf = tmp_path / "Llama-3.2-1B-Instruct"
    (hf / "original").mkdir(parents=True)
    (hf / "config.json").write_text("{}")
    (hf / "model.safetensors").write_bytes(b"\0" * 16)
    with pytest.raises(ls.CheckpointError, match="Hugging Face-format") as info:
        ls.load_model(hf)
    assert str(hf / "original") in str(info.value)


def test_truncated_weights(ckpt):
    data = (ckpt / "consolidated.00.pth").read_bytes()
    (ckpt / "consolidated.00.pth").write_bytes(data[: len(data) // 2])
    expect_error(ckpt, "consolidated.00.pth", "download it again")


def test_not_a_zip(ckpt):
    (ckpt / "consolidated.00.pth").write_text("<html>403 Forbidden</html>")
    expect_error(ckpt, "not a PyTorch checkpoint", "download it again")


def test_params_not_json(ckpt):
    (ckpt / "params.json").write_text('{"dim": 128,')
    expect_error(ckpt, "params.json", "not valid JSON")


def test_params_missing_key(ckpt):
    edit_params(ckpt, n_heads=None)
    expect_error(ckpt, "params.json", "missing key 'n_heads'")


def test_params_wrong_type(ckpt):
    edit_params(ckpt, dim="128")
    expect_error(ckpt, "params.json", "'dim' must be int", "'128'")


def test_shapes_disagree_names_first_tensor(ckpt):
    edit_params(ckpt, ffn_dim_multiplier=2.0)  # a different feed-forward size
    expect_error(ckpt, "layers.0.feed_forward.w1.weight", "params.json implies")


def test_fewer_layers_in_weights(ckpt):
    edit_params(ckpt, n_layers=6)
    expect_error(ckpt, "'layers.4.", "missing")


def test_extra_tensor(ckpt):
    sd = torch.load(ckpt / "consolidated.00.pth", weights_only=True)
    sd["model.embed_tokens.weight"] = sd["tok_embeddings.weight"]
    torch.save(sd, ckpt / "consolidated.00.pth")
    expect_error(ckpt, "unexpected tensor 'model.embed_tokens.weight'")


def test_malformed_tokenizer_via_cli(ckpt):
    (ckpt / "tokenizer.model").write_text("this is not base64 rank\n" * 10)
    r = cli("generate", "--prompt", "x", "--checkpoint", str(ckpt))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "tokenizer.model" in r.stderr.strip().splitlines()[-1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present: cuda is valid here")
def test_cuda_without_gpu(ckpt):
    with pytest.raises(ValueError, match="no CUDA GPU"):
        ls.load_model(ckpt, device="cuda")


def test_unknown_dtype(ckpt):
    with pytest.raises(ValueError, match="unsupported dtype 'int8'"):
        ls.load_model(ckpt, dtype="int8")


def test_cli_broken_checkpoint_is_one_line(ckpt):
    edit_params(ckpt, n_layers=6)
    r = cli("generate", "--prompt", "x", "--checkpoint", str(ckpt))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: ")
