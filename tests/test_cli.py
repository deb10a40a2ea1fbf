"""The command line: generate streams text; every error is one line on stderr and exit code 2, no traceback."""

import pytest

from conftest import cli

pytestmark = pytest.mark.slow  # each test starts the command line in a fresh process

def test_generate_on_demo_checkpoint(tiny_dir):
    r = cli("generate", "--prompt", "Hello 世界", "--checkpoint", str(tiny_dir), "--max-new-tokens", "8")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Hello 世界") and len(r.stdout) > len("Hello 世界\n")
    assert "RANDOM WEIGHTS" in r.stderr


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_generate_prepacked_streams_the_same_text(tiny_dir, dtype):
    """--prepack changes the weights' layout (core.prepack), not the greedy continuation."""
    args = ["generate", "--prompt", "The printing press", "--checkpoint", str(tiny_dir), "--max-new-tokens", "12",
            "--dtype", dtype]
    plain, packed = cli(*args), cli(*args, "--prepack")
    assert plain.returncode == 0 and packed.returncode == 0, packed.stderr
    assert packed.stdout == plain.stdout and len(plain.stdout) > len("The printing press\n")


def test_chat_generate(tiny_dir):
    r = cli("generate", "--prompt", "Hi", "--chat", "--checkpoint", str(tiny_dir), "--max-new-tokens", "4",
            "--temperature", "0.8", "--seed", "1")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("args,match", [
    (["--checkpoint", "/no/such/dir"], "does not exist"),
    (["--max-new-tokens", "-5"], "max_new_tokens"),
    (["--temperature", "-1"], "temperature"),
    pytest.param(["--device", "cuda"], "cuda", marks=pytest.mark.skipif(
        __import__("torch").cuda.is_available(), reason="a GPU is present: cuda is valid here")),
])
def test_errors_are_one_line_exit_2(tiny_dir, args, match):
    base = ["generate", "--prompt", "x", "--checkpoint", str(tiny_dir)]
    r = cli(*base, *args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and match in last
