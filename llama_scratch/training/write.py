"""Writing a trained model as a checkpoint in Meta's format, plus what it was trained on and what it learned.

The directory holds consolidated.00.pth (bf16 tensors under Meta's names, the output tied to the embedding, the full
128,256-row vocabulary), params.json (Meta's keys only), Meta's tokenizer.model, and beside them training.json
(config, schedule, loss curves, times, the learned-structure numbers), val.txt (held-out text, never trained on),
probes.json ([{"prompt", "answer"}]) and the marker trained_checkpoint.json, written last. Everything is first
written into a temporary directory next to the target and moved into place at the end, so an interrupted run leaves
no half checkpoint; an existing trained or random demo is replaced, anything else is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

import torch

from ..checkpoints import CHECKPOINT_FILES, CHECKPOINT_KINDS, TRAINED_MARKER, WEIGHTS_FILE, checkpoint_kind, \
    load_model, meta_tokenizer_path
from ..core.config import config_from_params
from ..core.model import Llama
from .corpus import split_documents

SIDE_FILES = ("training.json", "val.txt", "probes.json")
DEMO_FILES = {*CHECKPOINT_FILES, *SIDE_FILES, *CHECKPOINT_KINDS}


def check_output_dir(out) -> Path:
    """The directory to write to, if it may be (re)written: absent, empty, or a demo checkpoint (trained or random)
    holding only a demo's files. ValueError naming the problem otherwise."""
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a directory (it is created if missing)")
    if out.is_dir() and any(out.iterdir()):
        if checkpoint_kind(out) == "real" and (out / WEIGHTS_FILE).exists():
            raise ValueError(f"--out {out} holds a checkpoint that is not a demo one; refusing to overwrite it. "
                             "Choose another directory.")
        extra = sorted(p.name for p in out.iterdir() if p.name not in DEMO_FILES)
        if checkpoint_kind(out) == "real" or extra:
            raise ValueError(f"--out {out} is not empty and is not a demo checkpoint ({(extra or ['files'])[0]} "
                             "and more); choose a new or empty directory")
    return out


def _full_state_dict(model, vocab, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """The compact model's tensors as fresh CPU copies in ``dtype``, the embedding expanded to the full vocabulary
    (vocab.full_matrix), no output.weight (tied, as in Llama 3.2 1B)."""
    sd = {k: t.detach().to("cpu", dtype, copy=True).contiguous() for k, t in model.state_dict().items()
          if k != "output.weight"}
    sd["tok_embeddings.weight"] = vocab.full_matrix(sd["tok_embeddings.weight"])
    return sd


def state_dict_for_meta(model, vocab) -> dict[str, torch.Tensor]:
    """The compact trained model's tensors as Meta's state dict in bf16 (what consolidated.00.pth holds)."""
    return _full_state_dict(model, vocab, torch.bfloat16)


def full_vocab_model(model, vocab, params: dict):
    """The compact trained model as a full-vocabulary Llama in float32 (in memory; what the checkpoint holds,
    before the rounding to bf16)."""
    sd = _full_state_dict(model, vocab, torch.float32)
    with torch.device("meta"):
        full = Llama(config_from_params(params))
    del full.output.weight  # tied below: load_state_dict gets the embedding only
    full.load_state_dict(sd, strict=False, assign=True)
    full.tie_weights()
    full.reset_rope()  # built on the meta device: make the RoPE frequencies real
    return full.requires_grad_(False).eval()


@contextmanager
def _no_interrupt():
    """Hold Ctrl-C (SIGINT) back while directories are swapped; it is delivered afterwards."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def write_trained_checkpoint(out, model, vocab, params: dict, corpus, record: dict, measure) -> Path:
    """Write the checkpoint of a trained compact model into ``out`` (see the module docstring); return out.

    ``record`` goes into training.json; ``measure(checkpoint_dir)`` is called on the complete temporary directory
    (so it measures the checkpoint exactly as load_model reads it) and its dict is added as record["learned"].
    """
    out = check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        torch.save(state_dict_for_meta(model, vocab), tmp / WEIGHTS_FILE)
        (tmp / "params.json").write_text(json.dumps(params, indent=2) + "\n", encoding="utf-8")
        shutil.copyfile(meta_tokenizer_path(), tmp / "tokenizer.model")
        (tmp / "val.txt").write_text(corpus.val_text(), encoding="utf-8")
        (tmp / "probes.json").write_text(json.dumps(corpus.probes, indent=1, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
        learned = measure(tmp)  # may add to record (the run's peak memory, measuring included)
        record = {**record, "learned": learned}
        (tmp / "training.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        marker = {"kind": CHECKPOINT_KINDS[TRAINED_MARKER], "seed": record.get("config", {}).get("seed"),
                  "corpus": corpus.source,
                  "note": "TRAINED DEMO: a tiny Llama 3 trained by `python -m llama_scratch train` on the text above; "
                          "not Meta's weights. See training.json."}
        (tmp / TRAINED_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        with _no_interrupt():
            if out.exists():
                os.rename(out, old)
            try:
                os.rename(tmp, out)
            except OSError:
                if old.exists():
                    os.rename(old, out)  # put the previous checkpoint back
                raise
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def load_trained(path):
    """(model, training.json dict, val documents, probes) of a trained demo directory, the model by load_model."""
    path = Path(path)
    record = json.loads((path / "training.json").read_text(encoding="utf-8"))
    val = split_documents((path / "val.txt").read_text(encoding="utf-8"))
    probes = json.loads((path / "probes.json").read_text(encoding="utf-8"))
    return load_model(path), record, val, probes
