"""core.format, the one description of Meta's checkpoint: its names and shapes are those of Meta's own model and,
renamed, of Hugging Face's, at every published shape (built on the meta device: no memory, no weights)."""

import pytest
import torch

import llama_scratch as ls
from conftest import meta_model_module
from llama_scratch.checkpoints.hf import hf_config
from llama_scratch.checkpoints.models import RELEASES
from llama_scratch.core.format import BLOCK, expected_shapes, hf_key, is_tied

SHAPES = {release.name: (release.params, release.tied) for release in RELEASES.values()}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_names_and_shapes_are_metas_and_hfs(name):
    from llama_models.llama3.args import ModelArgs
    from transformers import LlamaForCausalLM

    params, tied = SHAPES[name]
    config = ls.config_from_params(params)
    with torch.device("meta"):
        meta = meta_model_module(32.0).Transformer(ModelArgs(max_batch_size=1, max_seq_len=16, **params))
        hf = LlamaForCausalLM(hf_config(config, tie_word_embeddings=tied))
    ours = expected_shapes(config)  # with output.weight, as Meta's module has it
    assert ours == {k: tuple(v.shape) for k, v in meta.state_dict().items()}
    assert list(ours) == list(meta.state_dict())  # Meta's order, as consolidated.00.pth stores it
    stored = expected_shapes(config, include_output=not tied)
    assert {hf_key(k): s for k, s in stored.items()} == {k: tuple(p.shape) for k, p in hf.named_parameters()}


def test_block_short_names_are_the_layer_functions_arguments(tiny_model):
    w = tiny_model.layers[0].weights()
    assert list(w) == [spec.short for spec in BLOCK]
    assert all(w[spec.short] is tiny_model.get_parameter(f"layers.0.{spec.meta}") for spec in BLOCK)


def test_tied_rule():
    e = torch.randn(4, 2)
    assert is_tied({"tok_embeddings.weight": e})  # no output.weight: tied (Llama 3.2)
    assert is_tied({"tok_embeddings.weight": e, "output.weight": e})  # one tensor under both names
    assert not is_tied({"tok_embeddings.weight": e, "output.weight": e.clone()})  # a copy is a matrix of its own
    assert not is_tied({"tok_embeddings.weight": e, "output.weight": e[:2]})  # same storage, another tensor
    with pytest.raises(KeyError, match="not a tensor of Meta's"):
        hf_key("model.embed_tokens.weight")
