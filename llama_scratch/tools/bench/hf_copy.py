"""The HF-format copy of a checkpoint that transformers loads with from_pretrained: config.json + model.safetensors,
converted once with checkpoints.hf and cached beside the checkpoint in ``<checkpoint>/../hf/``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ...checkpoints.hf import save_hf_checkpoint
from ...checkpoints.read import WEIGHTS_FILE

HF_DIR_NAME = "hf"  # the HF-format copy lives in <checkpoint>/../hf/
HF_SOURCE_FILE = "converted_from.json"  # which consolidated.00.pth (size, mtime) the copy was made from


def hf_copy_dir(checkpoint) -> Path:
    """Where the HF-format copy of ``checkpoint`` is cached: <checkpoint>/../hf/."""
    return Path(checkpoint).resolve().parent / HF_DIR_NAME


def ensure_hf_copy(checkpoint) -> Path:
    """config.json + model.safetensors (stored dtype kept, wq/wk permuted for rotate-half) beside the checkpoint.

    Converted once; converted again when consolidated.00.pth changes (its size or mtime differ from the record).
    """
    checkpoint = Path(checkpoint)
    out = hf_copy_dir(checkpoint)
    src = (checkpoint / WEIGHTS_FILE).stat()
    record = {"source": str((checkpoint / WEIGHTS_FILE).resolve()), "size": src.st_size, "mtime": src.st_mtime}
    marker = out / HF_SOURCE_FILE
    if marker.is_file() and (out / "model.safetensors").is_file() and (out / "config.json").is_file():
        try:
            if json.loads(marker.read_text()) == record:
                return out
        except ValueError:
            pass
    print(f"converting {checkpoint} to Hugging Face format in {out} (once) ...", file=sys.stderr, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    save_hf_checkpoint(checkpoint, out)
    marker.write_text(json.dumps(record))
    return out
