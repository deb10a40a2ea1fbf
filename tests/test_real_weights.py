"""Golden outputs of Meta's real weights (tests/golden/golden_outputs.json). Skipped when weights/ has no real ones."""

import pytest
import torch

import llama_scratch as ls
from llama_scratch.checkpoints import CHECKPOINT_FILES, is_demo_checkpoint, weights_dir

MODELS = {"Llama-3.2-1B-Instruct": "Llama-3.2-1B-Instruct/original", "Llama-3.2-1B (base)": "Llama-3.2-1B/original"}


def real_dir(model_name):
    path = weights_dir() / MODELS[model_name]
    if not all((path / f).is_file() for f in CHECKPOINT_FILES) or is_demo_checkpoint(path):
        pytest.skip(f"real weights not present in {path} (make weights)")
    return path


@pytest.mark.real_weights
@pytest.mark.parametrize("index", [0, 1])
def test_greedy_output_starts_as_recorded(golden, index):
    case = golden["real_weights"][index]
    path = real_dir(case["model"])
    tok = ls.load_tokenizer(path)
    model = ls.load_model(path, dtype=torch.bfloat16)
    assert ls.count_parameters(model.config) == golden["real_checkpoint_facts"]["unique_parameters"]
    if "messages" in case:
        prompt = tok.encode_dialog(case["messages"])
    else:
        prompt = tok.encode(case["prompt"], bos=case.get("bos", True))
    expected = case["output_starts_with"]
    n_new = len(tok.encode(expected)) + 4
    text = tok.decode(model.generate(prompt, n_new, stop_tokens=tok.stop_tokens))
    assert text.startswith(expected), f"{case['source']}: got {text!r}"
