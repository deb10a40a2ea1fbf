"""The trained demo: generate the corpus (or take a user's text), train, measure and write the checkpoint; and a
summary of a written one. `python -m llama_scratch train` (tools/cli) calls train_demo.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Callable

import torch

from ..analysis.report import learned_structure
from ..checkpoints import load_model, meta_tokenizer_path, trained_demo_dir
from ..core.tokenizer import Tokenizer
from .corpus import corpus_from_text, generate_corpus
from .loop import TrainConfig, config_record, train
from .write import check_output_dir, write_trained_checkpoint


def train_demo(out=None, *, seed: int = 0, steps: int | None = None, text: str | None = None,
               text_source: str = "text", time_budget: float | None = None, progress: bool = True,
               peak_memory: Callable[[], int] | None = None) -> Path:
    """Generate the corpus (or take ``text``), train, and write the trained demo checkpoint to ``out`` (default
    weights/demo-trained/original). Returns the directory. ``peak_memory()`` (bytes; the command line passes
    tools.memory.peak_rss_bytes) is recorded in training.json as peak_rss_bytes after training."""
    start = time.perf_counter()
    out = check_output_dir(out if out is not None else trained_demo_dir())
    cfg = TrainConfig(seed=seed)
    cfg.steps = cfg.steps if steps is None else steps
    cfg.time_budget = cfg.time_budget if time_budget is None else time_budget
    cfg.check()
    corpus = corpus_from_text(text, seed, source=text_source) if text is not None else generate_corpus(seed)
    tokenizer = Tokenizer(meta_tokenizer_path())
    result = train(corpus, tokenizer, cfg, progress=progress)
    hist = result.history
    record = {
        "config": config_record(cfg), "corpus": corpus.source, "train_documents": len(corpus.train),
        "val_documents": len(corpus.val), "used_ids": result.vocab.n_used,
        "steps_done": hist["steps_done"], "time_bound": hist["time_bound"],
        "train_seconds": round(hist["seconds"], 1), "tokens_per_second": round(hist["tokens_per_second"]),
        "threads": torch.get_num_threads(), "torch": torch.__version__, "machine": platform.machine(),
        "loss_curve": {k: [round(v, 4) for v in hist[k]] for k in ("loss", "lr", "unused_weight")},
        "eval_curve": {"step": hist["eval_step"], "train": [round(v, 4) for v in hist["eval_train"]],
                       "val": [round(v, 4) for v in hist["eval_val"]]},
        "final_train_loss_sample": hist["eval_train"][-1], "final_val_loss_sample": hist["eval_val"][-1],
    }

    def measure(path):
        learned = learned_structure(load_model(path), tokenizer, corpus.val, corpus.probes, cfg.seq_len, seed)
        record["peak_rss_bytes"] = peak_memory() if peak_memory is not None else None  # the whole run's
        return learned

    record["wall_seconds_before_measuring"] = round(time.perf_counter() - start, 1)
    record["peak_rss_bytes_training"] = peak_memory() if peak_memory is not None else None
    return write_trained_checkpoint(out, result.model, result.vocab, cfg.params, corpus, record, measure)


def summary(path: Path) -> str:
    """One paragraph about a trained demo directory, from its training.json."""
    r = json.loads((Path(path) / "training.json").read_text(encoding="utf-8"))
    m = r["learned"]
    prev, ind = m["best_previous_token_head"], m["best_induction_head"]
    probes = m["probes"]
    lines = [
        f"wrote the trained demo checkpoint to {path}",
        f"  {r['steps_done']} steps in {r['train_seconds']:.0f} s ({r['tokens_per_second']:,} tokens/s, "
        f"{r['threads']} threads){', schedule compressed by the time budget' if r['time_bound'] else ''}",
        f"  held-out loss {m['held_out_loss']:.3f} nats = {m['loss_over_unigram']:.2f} x the unigram entropy "
        f"{m['unigram_entropy']:.3f} (bigram {m['bigram_entropy']:.3f})",
        f"  copy test: second copy {m['copy_second_loss']:.3f} vs first {m['copy_first_loss']:.3f} "
        f"(ratio {m['copy_ratio']:.3f})",
        f"  best previous-token head: layer {prev['layer']} head {prev['head']} ({prev['score']:.2f}); "
        f"best induction head: layer {ind['layer']} head {ind['head']} ({ind['score']:.2f})",
    ]
    if probes:
        lines.append(f"  probes: {sum(p['correct'] for p in probes)}/{len(probes)} answered correctly")
    return "\n".join(lines)
