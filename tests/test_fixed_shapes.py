"""Fixed shapes: decode steps that attend over the whole preallocated KV cache with a mask (a tensor position), so
every step has the same shapes — what torch.compile(mode="reduce-overhead") and CUDA graphs need."""

import pytest
import torch

import llama_scratch as ls


# The logits of fixed-shape steps against a full forward: tests/test_generate.py::test_cached_logits_equal_full_forward.


def test_fixed_shapes_generate_the_same_tokens(tiny_model, tokenizer):
    prompt = tokenizer.encode("Once upon a time, in a valley of the Andes,", bos=True)
    plain = tiny_model.generate(prompt, 30, stop_tokens=())
    assert tiny_model.generate(prompt, 30, stop_tokens=(), fixed_shapes=True) == plain
    # (Not compared for sampling: the demo's near-flat distributions let float noise reorder near-tied tokens.)


def graphs_compiled(model, prompt, n, fixed_shapes) -> int:
    """How many graphs torch.compile builds for model.forward while generating n tokens (a counting backend: no
    C++ compiler needed). Each new graph is a recompilation; CUDA graphs would record one per graph."""
    graphs = []

    def count(gm, example_inputs):
        graphs.append(gm)
        return gm.forward

    torch._dynamo.reset()
    compiled = torch.compile(model.forward, backend=count, fullgraph=True, dynamic=False)
    model.forward = compiled  # an instance attribute, shadowing Llama.forward
    try:
        tokens = ls.generate(model, prompt, n, stop_tokens=(), fixed_shapes=fixed_shapes)
    except torch._dynamo.exc.FailOnRecompileLimitHit:  # fullgraph=True: too many recompilations is an error
        return len(graphs)
    finally:
        del model.forward
        torch._dynamo.reset()
    assert tokens == ls.generate(model, prompt, n, stop_tokens=())  # compiled or not, the same tokens
    return len(graphs)


def test_fixed_shapes_compile_once_per_shape(tiny_model, tokenizer):
    prompt = tokenizer.encode("The llama looked at the alpaca", bos=True)
    # One graph for the prompt, one for every decode step after it.
    assert graphs_compiled(tiny_model, prompt, 12, fixed_shapes=True) == 2
    # Negative control: with an int position and the cache's growing prefix, steps keep recompiling.
    assert graphs_compiled(tiny_model, prompt, 12, fixed_shapes=False) > 2


def test_fixed_shapes_need_the_cache_and_stay_inside_it(tiny_model):
    with pytest.raises(ValueError, match="needs the KV cache"):
        ls.generate(tiny_model, [128000, 791], 4, use_cache=False, fixed_shapes=True)
    cache = ls.KVCache(tiny_model.config, 1, 4)
    with pytest.raises(ValueError, match="KV cache holds 4 positions"):
        tiny_model(torch.tensor([[1, 2, 3]]), start_pos=torch.tensor([2]), cache=cache)
