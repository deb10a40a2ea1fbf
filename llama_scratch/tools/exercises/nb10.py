"""Exercises of notebook 10 (training): a student's functions against torch and the package's own on random inputs,
and one number checked against a stored hash."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ...analysis import previous_token_scores, unigram_entropy
from . import exercise, matches


@exercise("10.1", "average -log softmax(logits)[target] over the rows: logits - torch.logsumexp(logits, -1, "
                  "keepdim=True), then gather the target column",
          "对每一行求 -log softmax(logits)[target] 再取平均：先算 logits - torch.logsumexp(logits, -1, keepdim=True)，"
          "再用 gather 取目标列")
def cross_entropy_by_hand(answer) -> bool:
    g = torch.Generator().manual_seed(10)
    for n, v in ((1, 2), (5, 7), (64, 300)):
        logits = torch.randn(n, v, generator=g) * 30  # [n, v]: large logits, where softmax-then-log underflows
        targets = torch.randint(v, (n,), generator=g)  # [n]
        got = torch.as_tensor(answer(logits.clone(), targets.clone()), dtype=torch.float32)
        if got.numel() != 1 or not torch.allclose(got.reshape(()), F.cross_entropy(logits, targets), atol=1e-4):
            return False
    return True


@exercise("10.2", "one head's map A is [s, s]: take A[i, i-1] for i = 1..s-1 (the diagonal just below the main "
                  "one, torch.diagonal(A, -1)) and average it",
          "单个头的注意力图 A 形状为 [s, s]：取 i = 1..s-1 的 A[i, i-1]（主对角线下方那条，torch.diagonal(A, -1)）再取平均")
def previous_token_score(answer) -> bool:
    g = torch.Generator().manual_seed(11)
    for s in (2, 9, 30):
        scores = torch.randn(s, s, generator=g).masked_fill(~torch.ones(s, s, dtype=torch.bool).tril(), -1e9)
        a = torch.softmax(scores, dim=-1)  # [s, s]: a causal attention map
        want = previous_token_scores([a[None, None]])[0, 0]
        if abs(float(answer(a.clone())) - float(want)) > 1e-5:
            return False
    return True


@exercise("10.3", "cosine decay: lr = min_lr + (peak_lr - min_lr) * (1 + cos(pi * progress)) / 2, with the "
                  "numbers of TrainConfig(); cos(pi / 2) = 0",
          "余弦衰减：lr = min_lr + (peak_lr - min_lr) * (1 + cos(pi * progress)) / 2，数值取自 TrainConfig()；"
          "cos(pi / 2) = 0")
def halfway_learning_rate(answer) -> bool:
    return matches(float(answer), "004e2df741586b98f2461eada0b6f9011daf7483eddb5af157c5c418c46d805f", digits=4)


@exercise("10.4", "count each distinct id (torch.unique(ids, return_counts=True)), p = counts / N, then "
                  "H = -(p * log p).sum() in nats (natural log)",
          "统计每个不同 id 的次数（torch.unique(ids, return_counts=True)），p = counts / N，"
          "再算 H = -(p * log p).sum()（自然对数，单位奈特）")
def unigram_entropy_by_hand(answer) -> bool:
    g = torch.Generator().manual_seed(12)
    cases = [torch.tensor([7, 7, 7]), torch.tensor([1, 2, 1, 2])]
    cases += [torch.randint(v, (n,), generator=g) for n, v in ((50, 5), (1000, 300))]
    for ids in cases:
        if abs(float(answer(ids.clone())) - unigram_entropy(ids.tolist())) > 1e-5:
            return False
    return True
