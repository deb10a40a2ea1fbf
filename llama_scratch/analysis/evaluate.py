"""Held-out loss and probe answers of a model, on documents framed as in training: <|begin_of_text|> doc
<|end_of_text|>, cut into windows of at most seq_len predictions."""

from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE = -100  # target id that counts for nothing (padding)


def document_windows(tokenizer, docs: list[str], seq_len: int) -> list[tuple[list[int], list[int]]]:
    """(inputs, targets) pairs covering every document: [bos] + ids + [eos] cut into windows of seq_len + 1 tokens
    that overlap by one, so each token after bos is predicted exactly once (later windows start mid-document)."""
    if seq_len < 1:
        raise ValueError(f"seq_len must be >= 1, got {seq_len}")
    windows = []
    for doc in docs:
        seq = [tokenizer.bos_id] + tokenizer.encode(doc) + [tokenizer.eos_id]
        for start in range(0, len(seq) - 1, seq_len):
            piece = seq[start:start + seq_len + 1]
            windows.append((piece[:-1], piece[1:]))
    return windows


def pad_batch(windows, pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad (inputs, targets) pairs to one length: inputs [b, s] (pad_id), targets [b, s] (IGNORE)."""
    s = max(len(x) for x, _ in windows)
    inputs = torch.full((len(windows), s), pad_id, dtype=torch.long)  # [b, s]
    targets = torch.full((len(windows), s), IGNORE, dtype=torch.long)  # [b, s]
    for i, (x, y) in enumerate(windows):
        inputs[i, :len(x)], targets[i, :len(y)] = torch.tensor(x), torch.tensor(y)
    return inputs, targets


def cross_entropy_sum(logits: torch.Tensor, targets: torch.Tensor) -> tuple[float, int]:
    """Sum of -log softmax(logits)[target] over the targets that are not IGNORE, and how many there are.
    logits [b, s, v], targets [b, s]."""
    total = F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten(), ignore_index=IGNORE, reduction="sum")
    return float(total), int((targets != IGNORE).sum())


@torch.inference_mode()
def windows_loss(model, windows: list[tuple[list[int], list[int]]], batch_size: int = 8) -> float:
    """Mean cross-entropy (nats per token) of the model's predictions of document_windows' targets, over the
    model's whole vocabulary, batch_size windows at a time: padding is causal-safe (it only follows)."""
    if not windows:
        raise ValueError("no held-out documents: nothing to measure")
    total, count = 0.0, 0
    for i in range(0, len(windows), batch_size):
        inputs, targets = pad_batch(windows[i:i + batch_size])
        t, n = cross_entropy_sum(model(inputs.to(model.device)), targets.to(model.device))
        total, count = total + t, count + n
    return total / count


def held_out_loss(model, tokenizer, docs: list[str], seq_len: int = 128, batch_size: int = 8) -> float:
    """Mean cross-entropy (nats per token) of the model's next-token predictions over every token of ``docs``
    (see document_windows and windows_loss)."""
    return windows_loss(model, document_windows(tokenizer, docs, seq_len), batch_size)


def answer_probes(model, tokenizer, probes: list[dict], max_new_tokens: int | None = None) -> list[dict]:
    """Greedy answers to probes [{"prompt", "answer"}]: each prompt after <|begin_of_text|>, generated until a stop
    token or a newline. Returns the probes with "got" (the first line, stripped) and "correct" (it starts with the
    answer) added."""
    results = []
    for p in probes:
        prompt = tokenizer.encode(p["prompt"], bos=True)
        limit = max_new_tokens or len(tokenizer.encode(p["answer"])) + 4
        got = tokenizer.decode(model.generate(prompt, limit, stop_tokens=tokenizer.stop_tokens))
        line = got.lstrip(" ").split("\n")[0].strip()
        results.append({**p, "got": line, "correct": line.startswith(p["answer"].strip())})
    return results


def probe_accuracy(results: list[dict]) -> float:
    """Fraction of answer_probes results that are correct (0.0 for none)."""
    return sum(r["correct"] for r in results) / len(results) if results else 0.0
