"""The training loop: the package's own Llama (the same layer functions as inference), AdamW with warm-up and
cosine decay, gradient clipping, a progress bar, and a time budget that compresses the schedule instead of
cutting it off.

Deterministic for a given seed and thread count: batches depend only on (seed, step), initial weights only on seed.
The time budget (off by default) only acts when a step count would overrun it: then the schedule is driven by the
elapsed time (progress = max(step / steps, elapsed / budget)), so the learning rate still decays to its floor and
the run still ends with the full-vocabulary objective, in fewer steps.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import asdict, dataclass, field

import torch

from tqdm import tqdm

from ..analysis.evaluate import document_windows, pad_batch
from ..core.config import config_from_params
from ..core.model import Llama
from .batches import Batches, document_stream
from .vocab import CompactVocab, full_vocab_cross_entropy

_clock = time.perf_counter  # the loop's clock (a test replaces it)

# The trained demo's params.json: Llama 3's architecture at a tiny size. GQA (8 query heads on 2 kv heads, head
# size 16), the Llama 3 RoPE scaling on, Meta's vocabulary (its tokenizer.model), a tied output matrix.
TRAINED_PARAMS = {
    "dim": 128, "n_layers": 2, "n_heads": 8, "n_kv_heads": 2, "vocab_size": 128256, "ffn_dim_multiplier": 1.0,
    "multiple_of": 32, "norm_eps": 1e-05, "rope_theta": 500000.0, "use_scaled_rope": True,
}


@dataclass
class TrainConfig:
    """Everything that decides a training run (written to training.json)."""

    seed: int = 0
    steps: int = 4000
    batch_size: int = 16
    seq_len: int = 128
    peak_lr: float = 3e-3
    min_lr: float = 3e-4
    warmup_steps: int = 30
    weight_decay: float = 0.1  # on matrices only (not on norm weights)
    betas: tuple = (0.9, 0.95)
    clip_norm: float = 1.0
    init_std: float = 0.02  # linear layers (0: PyTorch's default); the output projections wo, w2 / sqrt(2 n_layers)
    embed_std: float = 0.01
    embed_shared: float = 0.0  # std of a direction shared by every used embedding row, in units of embed_std
    copy_fraction: tuple = (0.75, 0.25)  # share of copy rows before and after copy_until
    copy_until: float = 0.5  # progress at which batches turn from copy-heavy to text-heavy (see docs/training.md)
    unused_ramp: tuple = (0.55, 0.8)  # progress over which the unused ids' column is brought in (vocab.py)
    eval_every: int = 100
    time_budget: float = 0.0  # seconds of training (0: none, the default: a run is then exactly its seed's)
    params: dict = field(default_factory=lambda: dict(TRAINED_PARAMS))

    def check(self) -> None:
        """ValueError naming the first bad value."""
        for name in ("steps", "batch_size", "seq_len", "eval_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name.replace('_', '-')} must be a positive integer, got {value!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not self.seq_len >= 16:
            raise ValueError(f"seq-len must be >= 16 (a copy episode needs room), got {self.seq_len}")
        if self.time_budget < 0:
            raise ValueError(f"time budget must be >= 0 seconds (0: none), got {self.time_budget}")


def learning_rate(progress: float, cfg: TrainConfig) -> float:
    """Linear warm-up over the first warmup_steps steps' worth of progress, then cosine decay from peak_lr to
    min_lr as progress goes 0 -> 1. Without a time budget, progress = step / steps."""
    warm = progress * cfg.steps + 1  # steps done, counting this one
    if warm < cfg.warmup_steps:
        return cfg.peak_lr * warm / cfg.warmup_steps
    cosine = 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    return cfg.min_lr + (cfg.peak_lr - cfg.min_lr) * cosine


def unused_weight(progress: float, cfg: TrainConfig, n_unused: int) -> float:
    """How much of the unused ids' column is in the loss (see vocab.py): 0 before unused_ramp, 1 after it, and in
    between n_unused^(r - 1) for r rising linearly 0 -> 1, so the column's logit log(w * n_unused) = r log(n_unused)
    grows linearly from 0 to its full ~11.76."""
    start, end = cfg.unused_ramp
    if progress < start:
        return 0.0
    r = min(1.0, (progress - start) / max(end - start, 1e-9))
    return float(n_unused) ** (r - 1.0)


def init_model(config, cfg: TrainConfig) -> Llama:
    """A fresh Llama with small random weights (seeded): embeddings N(0, embed_std²), matrices N(0, init_std²),
    the projections back into the residual stream (wo, w2) scaled down by sqrt(2 n_layers), norms 1, tied."""
    torch.manual_seed(cfg.seed)
    model = Llama(config)
    model.tie_weights()
    for name, p in model.named_parameters():
        if name == "tok_embeddings.weight":
            torch.nn.init.normal_(p, std=cfg.embed_std)
        elif p.dim() == 2 and cfg.init_std:
            scale = math.sqrt(2 * config.n_layers) if name.endswith(("wo.weight", "w2.weight")) else 1.0
            torch.nn.init.normal_(p, std=cfg.init_std / scale)
    with torch.no_grad():
        emb = model.tok_embeddings.weight
        emb += torch.randn(config.dim) * cfg.embed_std * cfg.embed_shared  # [d], the same for every row
        emb[-1].zero_()  # the row standing for every unused id stays zero
    return model


def make_optimizer(model: Llama, cfg: TrainConfig) -> torch.optim.AdamW:
    """AdamW with weight decay on the matrices only (norm weights are not decayed)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    keep = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                              {"params": keep, "weight_decay": 0.0}], lr=cfg.peak_lr, betas=cfg.betas)


@dataclass
class TrainResult:
    """The trained compact model (vocab.py), its vocabulary, and the run's record (losses, rates, times)."""

    model: Llama
    vocab: CompactVocab
    history: dict


def _compact_windows(windows, vocab: CompactVocab):
    """document_windows' (inputs, targets) lists -> padded compact (inputs [b, s], targets [b, s])."""
    x, y = pad_batch(windows, pad_id=0)
    return vocab.compact(x), torch.where(y < 0, y, vocab.compact(y.clamp(min=0)))


@torch.no_grad()
def compact_loss(model: Llama, vocab: CompactVocab, inputs: torch.Tensor, targets: torch.Tensor) -> float:
    """The exact full-vocabulary loss of the compact model on padded compact (inputs, targets)."""
    logits = model(inputs)  # [b, s, n+1]
    return float(full_vocab_cross_entropy(logits.flatten(0, 1), targets.flatten(), vocab.n_unused, 1.0))


def prepare(corpus, tokenizer, cfg: TrainConfig):
    """(vocab, batches, eval sets) for a corpus: its documents tokenized, the compact vocabulary of the training
    text, the batch source, and fixed samples of training and held-out windows for the loss curves."""
    train_ids = [tokenizer.encode(d) for d in corpus.train]
    stream, starts = document_stream(train_ids, tokenizer.bos_id, tokenizer.eos_id, cfg.seq_len)
    vocab = CompactVocab(stream.tolist(), cfg.params["vocab_size"])
    pool = vocab.compact(vocab.full_ids[vocab.full_ids < tokenizer.bos_id])  # ordinary (non-special) ids
    batches = Batches(vocab.compact(stream), starts, pool, int(vocab.compact(torch.tensor(tokenizer.bos_id))),
                      cfg.seq_len, cfg.batch_size, cfg.seed)
    sample = torch.Generator().manual_seed(cfg.seed)
    pick = torch.randperm(len(corpus.train), generator=sample)[:64].tolist()
    evals = {"train": _compact_windows(document_windows(tokenizer, [corpus.train[i] for i in pick], cfg.seq_len),
                                       vocab),
             "val": _compact_windows(document_windows(tokenizer, corpus.val[:64], cfg.seq_len), vocab)}
    return vocab, batches, evals


def train(corpus, tokenizer, cfg: TrainConfig | None = None, progress: bool = True, device="cpu") -> TrainResult:
    """Train a fresh model on ``corpus`` (corpus.Corpus) with Meta's tokenizer. Returns a TrainResult."""
    cfg = cfg or TrainConfig()
    cfg.check()
    torch.use_deterministic_algorithms(True, warn_only=True)
    vocab, batches, evals = prepare(corpus, tokenizer, cfg)
    model = init_model(config_from_params(cfg.params).replace(vocab_size=vocab.size), cfg).to(device).train()
    evals = {k: (x.to(device), y.to(device)) for k, (x, y) in evals.items()}
    opt = make_optimizer(model, cfg)
    emb = model.tok_embeddings.weight
    hist = {"step": [], "progress": [], "loss": [], "lr": [], "unused_weight": [], "eval_step": [],
            "eval_train": [], "eval_val": [], "time_bound": False}
    bar = tqdm(total=cfg.steps, disable=not progress, file=sys.stderr, mininterval=0.5, unit="step")
    start, tokens = _clock(), 0
    for step in range(cfg.steps):
        elapsed = _clock() - start
        p = step / cfg.steps
        if cfg.time_budget and elapsed / cfg.time_budget > p:
            p, hist["time_bound"] = elapsed / cfg.time_budget, True
            if p >= 1.0:
                break
        lr, w = learning_rate(p, cfg), unused_weight(p, cfg, vocab.n_unused)
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = batches.batch(step, cfg.copy_fraction[0 if p < cfg.copy_until else 1])
        x, y = x.to(device), y.to(device)
        loss = full_vocab_cross_entropy(model(x).flatten(0, 1), y.flatten(), vocab.n_unused, w)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        emb.grad[-1].zero_()  # the unused ids' row stays exactly zero
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_norm)
        opt.step()
        tokens += x.numel()
        for key, value in (("step", step), ("progress", p), ("loss", loss.item()), ("lr", lr), ("unused_weight", w)):
            hist[key].append(value)
        if (step + 1) % cfg.eval_every == 0 or step + 1 == cfg.steps:
            _evaluate(model, vocab, evals, hist, step)
        rate = tokens / max(_clock() - start, 1e-9)
        bar.update(1)
        bar.set_postfix_str(f"loss {loss.item():.3f}  {rate:,.0f} tok/s", refresh=False)
    bar.close()
    if not hist["eval_step"] or hist["eval_step"][-1] != hist["step"][-1]:
        _evaluate(model, vocab, evals, hist, hist["step"][-1])
    hist["seconds"] = _clock() - start
    hist["tokens_per_second"] = tokens / hist["seconds"]
    hist["steps_done"] = len(hist["step"])
    return TrainResult(model.eval(), vocab, hist)


def _evaluate(model, vocab, evals, hist, step):
    """Append the full-vocabulary loss on the fixed training and held-out samples to the history."""
    model.eval()
    hist["eval_step"].append(step)
    hist["eval_train"].append(compact_loss(model, vocab, *evals["train"]))
    hist["eval_val"].append(compact_loss(model, vocab, *evals["val"]))
    model.train()


def config_record(cfg: TrainConfig) -> dict:
    """The TrainConfig as plain JSON-able values."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(cfg).items()}
