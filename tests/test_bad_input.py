"""Every bad checkpoint gives one CheckpointError naming the file or value and the fix, and changes nothing on disk."""

import hashlib
import json
import shutil

import pytest
import torch

import llama_scratch as ls
from llama_scratch.checkpoints import CHECKPOINT_FILES
from conftest import cli


@pytest.fixture()
def ckpt(tiny_dir, tmp_path):
    """A private copy of the tiny demo checkpoint to break."""
    return shutil.copytree(tiny_dir, tmp_path / "original")


def snapshot(path):
    """Name, size, mtime and SHA-256 of everything under path: a failed load must change none of it."""
    return {str(p.relative_to(path)): (p.stat().st_size, p.stat().st_mtime_ns,
                                       hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None)
            for p in sorted(path.rglob("*"))}


NULL = object()  # edit_params: write JSON null (None removes the key)


def edit_params(ckpt, **changes):
    params = json.loads((ckpt / "params.json").read_text())
    for key, value in changes.items():
        if value is None:
            params.pop(key)
        elif value is NULL:
            params[key] = None
        else:
            params[key] = value
    (ckpt / "params.json").write_text(json.dumps(params))


def expect_error(ckpt, *needles, load=ls.load_model):
    """load(ckpt) raises one CheckpointError holding every needle, and leaves the directory exactly as it was."""
    before = snapshot(ckpt)
    with pytest.raises(ls.CheckpointError) as info:
        load(ckpt)
    message = str(info.value)
    assert all(n in message for n in needles), message
    assert snapshot(ckpt) == before, "a failed load changed the checkpoint directory"
    return message


def test_missing_files(ckpt):
    (ckpt / "consolidated.00.pth").unlink()
    expect_error(ckpt, "missing consolidated.00.pth", "re-download")


def test_missing_tokenizer(ckpt):
    (ckpt / "tokenizer.model").unlink()
    expect_error(ckpt, str(ckpt), "missing tokenizer.model", "download", load=ls.verify_checkpoint)


def test_directory_does_not_exist(tmp_path):
    with pytest.raises(ls.CheckpointError, match="does not exist.*python -m llama_scratch download"):
        ls.load_model(tmp_path / "no-such-dir")


def test_a_file_instead_of_a_directory(ckpt):
    expect_error(ckpt / "params.json", "is a file, not a directory", "consolidated.00.pth",
                 load=lambda p: ls.load_model(p))


def test_parent_of_original_points_to_original(ckpt):
    parent = ckpt.parent
    with pytest.raises(ls.CheckpointError) as info:
        ls.load_tokenizer(parent)
    assert f"point to {ckpt} instead" in str(info.value)


def test_hugging_face_directory_without_original(tmp_path):
    hf = tmp_path / "hf-model"
    hf.mkdir()
    (hf / "config.json").write_text("{}")
    (hf / "model-00001-of-00002.safetensors").write_bytes(b"\0" * 16)
    with pytest.raises(ls.CheckpointError, match="Hugging Face-format.*original/ subfolder"):
        ls.load_model(hf)


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
    expect_error(ckpt, "params.json", "'dim' must be int", "'128'", "re-download")


@pytest.mark.parametrize("changes,needles", [
    ({"n_layers": True}, ["'n_layers' must be int", "True"]),
    ({"n_layers": 4.0}, ["'n_layers' must be int", "4.0"]),
    ({"dim": NULL}, ["'dim' must be int", "None"]),  # a required key set to null
    ({"use_scaled_rope": "true"}, ["'use_scaled_rope' must be bool", "'true'"]),
    ({"norm_eps": float("nan")}, ["'norm_eps' must be float", "nan"]),
    ({"n_layers": -4}, ["'n_layers' must be positive", "-4"]),
    ({"rope_theta": 0}, ["'rope_theta' must be positive", "0"]),
    ({"n_kv_heads": 0}, ["multiple of n_kv_heads (0)"]),
    ({"n_kv_heads": 3}, ["n_heads (8) must be a multiple of n_kv_heads (3)"]),
    ({"n_heads": 6, "n_kv_heads": 3}, ["dim (128) must split into n_heads (6)"]),
])
def test_params_bad_values(ckpt, changes, needles):
    edit_params(ckpt, **changes)
    expect_error(ckpt, str(ckpt / "params.json"), *needles, "re-download params.json")


def test_params_not_an_object(ckpt):
    (ckpt / "params.json").write_text("[128, 4]")
    expect_error(ckpt, "params.json", "expected a JSON object, got list", "Re-download")


def test_shapes_disagree_names_first_tensor(ckpt):
    edit_params(ckpt, ffn_dim_multiplier=2.0)  # a different feed-forward size
    expect_error(ckpt, "layers.0.feed_forward.w1.weight", "params.json implies")


def test_one_tensor_of_the_wrong_shape_is_named(ckpt):
    """Only layer 2's wk is cut (as in a file of another model): the message names it and both shapes."""
    sd = torch.load(ckpt / "consolidated.00.pth", weights_only=True)
    sd["layers.2.attention.wk.weight"] = sd["layers.2.attention.wk.weight"][:16].clone()
    torch.save(sd, ckpt / "consolidated.00.pth")
    expect_error(ckpt, "consolidated.00.pth: tensor 'layers.2.attention.wk.weight' has shape (16, 128) but "
                       "params.json implies (32, 128)", "re-download", load=ls.verify_checkpoint)


def test_integer_tensor(ckpt):
    sd = torch.load(ckpt / "consolidated.00.pth", weights_only=True)
    sd["norm.weight"] = sd["norm.weight"].to(torch.int32)
    torch.save(sd, ckpt / "consolidated.00.pth")
    expect_error(ckpt, "'norm.weight' has dtype torch.int32", "download it again")


def test_a_zip_that_is_not_a_torch_checkpoint(ckpt):
    import zipfile

    (ckpt / "consolidated.00.pth").unlink()
    with zipfile.ZipFile(ckpt / "consolidated.00.pth", "w") as z:
        z.writestr("readme.txt", "not a checkpoint")
    expect_error(ckpt, "consolidated.00.pth could not be read", "download it again")


def test_fewer_layers_in_weights(ckpt):
    edit_params(ckpt, n_layers=6)
    expect_error(ckpt, "'layers.4.", "missing")


def test_extra_tensor(ckpt):
    sd = torch.load(ckpt / "consolidated.00.pth", weights_only=True)
    sd["model.embed_tokens.weight"] = sd["tok_embeddings.weight"]
    torch.save(sd, ckpt / "consolidated.00.pth")
    expect_error(ckpt, "unexpected tensor 'model.embed_tokens.weight'")


@pytest.mark.parametrize("content,needle", [
    ("keep 1000 lines", "expected 128000 BPE ranks 0..127999, found 1000"),  # a truncated download
    (b"\x0a\x83\x01\x0a\x05<unk>\x15\x00\x00\x00\x00\x18\x02 binary SentencePiece", "line 2 is not"),
])
def test_malformed_tokenizer(ckpt, content, needle):
    path = ckpt / "tokenizer.model"
    if content == "keep 1000 lines":
        path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:1000]))
    else:
        path.write_bytes(content)
    expect_error(ckpt, str(path), needle, "Re-download", load=ls.load_tokenizer)


@pytest.mark.slow
def test_malformed_tokenizer_via_cli(ckpt):
    (ckpt / "tokenizer.model").write_text("this is not base64 rank\n" * 10)
    r = cli("generate", "--prompt", "x", "--checkpoint", str(ckpt))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "tokenizer.model" in r.stderr.strip().splitlines()[-1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present: cuda is valid here")
def test_cuda_without_gpu(ckpt):
    with pytest.raises(ValueError, match="device='cuda' but PyTorch sees no CUDA GPU.*use device='cpu'"):
        ls.load_model(ckpt, device="cuda")


def test_unknown_device(ckpt):
    with pytest.raises(ValueError, match="unknown device 'gpu'; use 'cpu', 'cuda' or 'mps'"):
        ls.load_model(ckpt, device="gpu")


def test_unknown_dtype(ckpt):
    with pytest.raises(ValueError, match="unsupported dtype 'int8'"):
        ls.load_model(ckpt, dtype="int8")


def break_checkpoint(ckpt, how):
    if how == "layers":
        edit_params(ckpt, n_layers=6)
    elif how == "truncated":
        data = (ckpt / "consolidated.00.pth").read_bytes()
        (ckpt / "consolidated.00.pth").write_bytes(data[: len(data) // 3])
    elif how == "missing":
        (ckpt / "params.json").unlink()
    elif how == "hf":
        for name in CHECKPOINT_FILES:
            (ckpt / name).unlink()
        (ckpt / "config.json").write_text("{}")
        (ckpt / "model.safetensors").write_bytes(b"\0" * 16)


@pytest.mark.slow
@pytest.mark.parametrize("how,needle", [
    ("layers", "'layers.4.attention.wq.weight' is missing"),
    ("truncated", "consolidated.00.pth is not a PyTorch checkpoint"),
    ("missing", "is missing params.json"),
    ("hf", "Hugging Face-format directory"),
])
def test_cli_broken_checkpoint_is_one_line(ckpt, how, needle):
    break_checkpoint(ckpt, how)
    before = snapshot(ckpt)
    r = cli("generate", "--prompt", "x", "--checkpoint", str(ckpt))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    # Only the which-weights banner may come before the one error line (the banner is printed before loading).
    assert r.stdout == "" and sum(line.startswith("error: ") for line in lines) == 1, r.stderr
    assert all("=" * 20 in line or "RANDOM WEIGHTS" in line or line.startswith("  ") for line in lines[:-1])
    assert lines[-1].startswith("error: ") and needle in lines[-1] and str(ckpt) in lines[-1]
    assert snapshot(ckpt) == before


@pytest.mark.slow
@pytest.mark.parametrize("args,needle", [
    (["--top-p", "2"], "top_p must be in (0, 1], got 2.0"),
    (["--max-new-tokens", "1000000000"], "exceeds the model's maximum context of 131072 tokens"),
    (["--temperature", "inf"], "temperature must be a number in [0, 100]"),
    (["--dtype", "int8"], "unsupported dtype 'int8'"),
])
def test_cli_absurd_generation_arguments(tiny_dir, args, needle):
    r = cli("generate", "--prompt", "x", "--checkpoint", str(tiny_dir), *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and needle in last
