"""A batch of prompts of different lengths, padded on the left or the right, with an attention mask [b, t].

Checked against Hugging Face transformers' LlamaForCausalLM on the same padded batch (its attention_mask, and
position_ids counting from each row's first real token, as its generate() does), and against each prompt run
alone without padding. Only the real tokens' logits are compared: at padding positions they mean nothing.
"""

import pytest
import torch

import llama_scratch as ls
from llama_scratch.checkpoints.hf import hf_model_from_state_dict

ATOL = 1e-4
LENGTHS = (23, 9, 16)  # three prompts of different lengths, one batch
PAD_ID = 128004  # <|finetune_right_pad_id|>: any id works, the mask hides it


def padded_batch(lengths, vocab, side, seed=0):
    """(tokens [b, t], mask [b, t] of 0/1, the prompts as [1, n] tensors); t = the longest prompt."""
    gen = torch.Generator().manual_seed(seed)
    prompts = [torch.randint(0, vocab, (1, n), generator=gen) for n in lengths]
    t = max(lengths)
    tokens = torch.full((len(lengths), t), PAD_ID)
    mask = torch.zeros(len(lengths), t, dtype=torch.long)
    for row, p in enumerate(prompts):
        n = p.shape[1]
        cols = slice(t - n, t) if side == "left" else slice(0, n)
        tokens[row, cols], mask[row, cols] = p[0], 1
    return tokens, mask, prompts


@pytest.fixture(scope="module")
def hf_tiny(tiny_dir, tiny_model):
    sd = ls.read_state_dict(tiny_dir / "consolidated.00.pth")
    return hf_model_from_state_dict(sd, tiny_model.config)


@pytest.mark.parametrize("use_sdpa", [True, False], ids=["sdpa", "explicit"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_padded_batch_matches_hf_and_unpadded_rows(tiny_model, hf_tiny, side, use_sdpa):
    tokens, mask, prompts = padded_batch(LENGTHS, tiny_model.config.vocab_size, side)
    tiny_model.use_sdpa = use_sdpa
    try:
        with torch.inference_mode():
            ours = tiny_model(tokens, attention_mask=mask)  # [b, t, v]
            alone = [tiny_model(p)[0] for p in prompts]  # [n, v] each
            positions = ls.padded_positions(mask)
            theirs = hf_tiny(input_ids=tokens, attention_mask=mask, position_ids=positions).logits
    finally:
        tiny_model.use_sdpa = True
    real = mask.bool()
    assert (ours[real] - theirs[real]).abs().max().item() <= ATOL
    for row, single in enumerate(alone):
        assert (ours[row][real[row]] - single).abs().max().item() <= ATOL
    # Without the mask, left padding changes the shorter rows (they attend to the padding and their positions
    # are shifted), so the comparison above can fail; right padding sits after the real tokens, which the causal
    # mask already hides from them.
    with torch.inference_mode():
        unmasked_error = (tiny_model(tokens)[real] - theirs[real]).abs().max().item()
    assert unmasked_error > 100 * ATOL if side == "left" else unmasked_error <= ATOL


def test_padded_prefill_then_cached_step(tiny_model):
    """Left-padded prompts in a KV cache, then one new token per row: equals each longer prompt run alone."""
    tokens, mask, prompts = padded_batch(LENGTHS, tiny_model.config.vocab_size, "left", seed=1)
    b, t = tokens.shape
    nxt = torch.randint(0, tiny_model.config.vocab_size, (b, 1), generator=torch.Generator().manual_seed(2))
    cache = ls.KVCache(tiny_model.config, b, t + 1)
    with torch.inference_mode():
        tiny_model(tokens, cache=cache, attention_mask=mask)
        full_mask = torch.cat([mask, torch.ones(b, 1, dtype=mask.dtype)], dim=1)  # [b, t + 1]
        step = tiny_model(nxt, start_pos=t, cache=cache, attention_mask=full_mask)[:, -1]  # [b, v]
        alone = torch.cat([tiny_model(torch.cat([p, nxt[i:i + 1]], dim=1))[:, -1] for i, p in enumerate(prompts)])
    assert (step - alone).abs().max().item() <= ATOL


def test_padding_mask_and_positions_by_hand():
    valid = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 0]])
    assert ls.padded_positions(valid).tolist() == [[0, 0, 0, 1], [0, 1, 2, 2]]
    m = ls.padding_mask(valid, 4)  # [b, 1, s, t]
    assert m.shape == (2, 1, 4, 4)
    assert m[0, 0].int().tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]]
    assert m[1, 0].int().tolist() == [[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]
    assert ls.padding_mask(valid, 1)[:, 0, 0].int().tolist() == [[0, 0, 1, 1], [1, 1, 1, 1]]


def test_bad_attention_mask_is_one_clear_error(tiny_model):
    tokens = torch.zeros(2, 5, dtype=torch.long)
    with pytest.raises(ValueError, match=r"shape \[batch, start_pos \+ seq\] = \[2, 5\]"):
        tiny_model(tokens, attention_mask=torch.ones(2, 4))
    with pytest.raises(ValueError, match="1 \\(real token\\) or 0"):
        tiny_model(tokens, attention_mask=torch.full((2, 5), 2))
