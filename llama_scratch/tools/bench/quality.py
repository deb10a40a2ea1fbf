"""What int8 weights cost in quality, measured against the bf16 model on the same checkpoint (and bf16 against
float32 on the same tokens, as the yardstick of ordinary rounding): logit differences, greedy-token agreement,
and the held-out loss on a text."""

from __future__ import annotations

import math

import torch

from ...analysis.evaluate import document_windows, windows_loss
from ...checkpoints import load_model, load_tokenizer
from ...training.corpus import split_documents


def agreement(a: list[int], b: list[int]) -> dict:
    """How far two greedy continuations agree: the identical prefix and the positions with the same token."""
    prefix = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return {"tokens": min(len(a), len(b)), "identical_prefix": prefix, "same_position": sum(x == y for x, y in zip(a, b))}


def logit_difference(logits: torch.Tensor, reference: torch.Tensor) -> dict:
    """|logits - reference| over every position and vocabulary entry: max, mean, and both relative to the
    reference's standard deviation (how wide the logits spread). Both [b, s, v]."""
    diff = (logits.float() - reference.float()).abs()
    std = reference.float().std().item()
    return {"max": diff.max().item(), "mean": diff.mean().item(), "reference_std": std,
            "max_over_std": diff.max().item() / std, "mean_over_std": diff.mean().item() / std}


@torch.inference_mode()
def int8_quality(checkpoint, prompt_ids: list[int], n_tokens: int = 128, held_out: str | None = None,
                 seq_len: int = 128) -> dict:
    """int8 weights vs bf16 weights (and bf16 vs float32 as the yardstick) on one checkpoint, on the CPU.

    Logits: all three models read the same sequence (the prompt and the bf16 model's greedy continuation of
    n_tokens), every position. Greedy: each model's own n_tokens after the prompt. Held-out loss: on the text
    ``held_out``, when given, as the trained demo's own evaluation measures it: its documents (separated by blank
    lines, as in val.txt) each framed <|begin_of_text|> ... <|end_of_text|> (analysis.held_out_loss), in windows
    of seq_len. One model in memory at a time.
    """
    windows = None  # the held-out documents' (inputs, targets), tokenized once for the three models
    if held_out is not None:
        docs = split_documents(held_out)
        if not docs:
            raise ValueError("the held-out text is empty: nothing to predict")
        windows = document_windows(load_tokenizer(checkpoint), docs, seq_len)
    greedy, logits, loss, sequence = {}, {}, {}, None
    for name, dtype, quantize in (("bfloat16", torch.bfloat16, None), ("float32", torch.float32, None),
                                  ("int8", torch.bfloat16, "int8")):
        model = load_model(checkpoint, dtype=dtype, quantize=quantize)
        greedy[name] = model.generate(prompt_ids, n_tokens, stop_tokens=())
        if sequence is None:  # the bf16 model's continuation, read by all three
            sequence = torch.tensor([prompt_ids + greedy[name]])  # [1, s]
        logits[name] = model(sequence)  # [1, s, v] float32
        if windows is not None:
            loss[name] = windows_loss(model, windows)
        del model
    out = {
        "n_tokens": n_tokens, "sequence_length": sequence.shape[1],
        "logits_int8_vs_bf16": logit_difference(logits["int8"], logits["bfloat16"]),
        "logits_bf16_vs_fp32": logit_difference(logits["bfloat16"], logits["float32"]),
        "greedy_int8_vs_bf16": agreement(greedy["int8"], greedy["bfloat16"]),
        "greedy_bf16_vs_fp32": agreement(greedy["bfloat16"], greedy["float32"]),
    }
    if windows is not None:
        out["held_out"] = {"tokens": sum(len(inputs) for inputs, _ in windows), "documents": len(docs),
                           "loss": loss, "int8_vs_bf16_increase": loss["int8"] / loss["bfloat16"] - 1,
                           "perplexity": {name: math.exp(v) for name, v in loss.items()}}
    return out
