"""Generation reads one value back from the device per generated token, the sampled id, and nothing else.

On a GPU every read of a tensor's value into Python (int(), .item(), .tolist(), bool()) waits for the device: a
host sync. Here we count the reads the Python side makes during decoding (a TorchFunctionMode sees each one) and
the operators that read values inside PyTorch (torch.multinomial checks its probabilities on the host). With a
GPU, torch.cuda.set_sync_debug_mode reports every synchronizing CUDA call, ours and PyTorch's alike.
"""

from __future__ import annotations

import warnings
from collections import Counter

import pytest
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

import llama_scratch as ls

READS = {torch.Tensor.item: "item", torch.Tensor.tolist: "tolist", torch.Tensor.__int__: "int",
         torch.Tensor.__float__: "float", torch.Tensor.__bool__: "bool", torch.Tensor.__index__: "index"}
# Operators whose kernels read tensor values on the host (or size their output by them): each is a sync on a GPU.
SYNCING_OPS = {"aten.multinomial", "aten.nonzero", "aten.masked_select", "aten._unique2", "aten.unique_consecutive",
               "aten.repeat_interleave", "aten._local_scalar_dense"}
N_NEW = 6
CASES = {"greedy": {}, "sampling": {"temperature": 0.9, "top_p": 0.8, "seed": 3},
         "fixed-shapes": {"fixed_shapes": True}, "no-cache": {"use_cache": False}}


class HostReads(TorchFunctionMode):
    """Counts the reads of tensor values into Python made while it is active."""

    def __init__(self):
        super().__init__()
        self.reads = Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in READS:
            self.reads[READS[func]] += 1
        return func(*args, **(kwargs or {}))


class SyncingOps(TorchDispatchMode):
    """Records the operators of SYNCING_OPS dispatched while it is active."""

    def __init__(self):
        super().__init__()
        self.ops = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = str(func.overloadpacket)
        if name in SYNCING_OPS:
            self.ops[name] += 1
        return func(*args, **(kwargs or {}))


def decode_counting(model, prompt, **kwargs):
    stream = ls.generate_stream(model, prompt, N_NEW, stop_tokens=(), **kwargs)  # checks the prompt, once
    with HostReads() as reads, SyncingOps() as ops:
        tokens = list(stream)
    return tokens, reads.reads, ops.ops


@pytest.fixture(scope="module")
def prompt(tokenizer):
    return tokenizer.encode("Llamas live in the Andes, and", bos=True)


@pytest.mark.parametrize("case", list(CASES))
def test_one_read_per_generated_token(tiny_model, prompt, case):
    tokens, reads, ops = decode_counting(tiny_model, prompt, **CASES[case])
    assert len(tokens) == N_NEW
    assert sum(reads.values()) == N_NEW and set(reads) == {"int"}, reads  # the sampled id, once per token
    assert not ops, f"operators that read values on the host: {dict(ops)}"


def test_the_counters_see_reads_and_syncing_operators(tiny_model):
    """Negative controls: the checks of a plain forward read two values (the ids' range), and torch.multinomial is
    seen as a syncing operator, so the zeros above are measured, not missed."""
    tokens = torch.tensor([[128000, 791, 4062]])
    with HostReads() as reads, torch.inference_mode():
        tiny_model(tokens)
    assert reads.reads == Counter(int=2)  # the smallest and the largest id
    with SyncingOps() as ops:
        torch.multinomial(torch.tensor([[0.2, 0.8]]), 1)
    assert ops.ops == Counter({"aten.multinomial": 1})


def test_sampling_draws_what_multinomial_draws():
    """sample_next_token draws as torch.multinomial does, from the same generator state, without its host checks."""
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(50, 1000, generator=g) * 3
    ours = ls.sample_next_token(logits, 1.0, 1.0, torch.Generator().manual_seed(7))  # [50]
    theirs = torch.multinomial(torch.softmax(logits, -1).sort(-1, descending=True)[0], 1,
                               generator=torch.Generator().manual_seed(7))  # [50, 1] index into the sorted order
    assert torch.equal(ours, torch.softmax(logits, -1).sort(-1, descending=True)[1].gather(-1, theirs)[:, 0])


cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU: torch.cuda.set_sync_debug_mode "
                                                                "reports synchronizing CUDA calls only")


@pytest.fixture()
def cuda_model(tiny_dir):
    model = ls.load_model(tiny_dir, device="cuda")
    yield model
    torch.cuda.set_sync_debug_mode("default")


@cuda
@pytest.mark.parametrize("case", [c for c in CASES if c != "no-cache"])
def test_decode_steps_never_sync_on_cuda(cuda_model, prompt, case):
    """Every decode step after the prompt's, with the sampled ids left on the GPU, runs under sync debug mode
    "error": a single synchronizing call would raise."""
    steps = ls.generate_tensors(cuda_model, prompt, N_NEW, **CASES[case])
    first = next(steps)  # the prompt: copied to the GPU once
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    rest = list(steps)
    torch.cuda.set_sync_debug_mode("default")
    assert len(rest) == N_NEW - 1 and all(t.device.type == "cuda" for t in [first, *rest])


@cuda
@pytest.mark.parametrize("case", [c for c in CASES if c != "no-cache"])
def test_one_sync_per_generated_token_on_cuda(cuda_model, prompt, case):
    """The whole generation under sync debug mode "warn": one synchronizing call per token (reading the sampled
    id) plus the prompt's copy to the GPU."""
    stream = ls.generate_stream(cuda_model, prompt, N_NEW, stop_tokens=(), **CASES[case])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        tokens = list(stream)
        torch.cuda.set_sync_debug_mode("default")
    syncs = [w for w in caught if "synchronizing" in str(w.message)]
    assert len(tokens) == N_NEW and len(syncs) <= N_NEW + 1, [str(w.message) for w in syncs[:3]]
