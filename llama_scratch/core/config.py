"""ModelConfig: the fields of Meta's params.json plus everything derived from them.

Everything about a model's shape is read from params.json; nothing in this project hard-codes 2048 or 16.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .errors import CheckpointError

# The keys Meta's params.json of Llama 3.x always carries, with the Python types they must have.
# (n_kv_heads, ffn_dim_multiplier and use_scaled_rope are optional in Meta's own ModelArgs.)
REQUIRED_KEYS = {
    "dim": int,
    "n_layers": int,
    "n_heads": int,
    "vocab_size": int,
    "multiple_of": int,
    "norm_eps": float,
    "rope_theta": float,
}
OPTIONAL_KEYS = {"n_kv_heads": int, "ffn_dim_multiplier": float, "use_scaled_rope": bool}

# Llama 3.2 1B and 3B were trained with a larger RoPE scaling factor than Llama 3.1; params.json does not say
# which, it only says "use_scaled_rope": true. See default_rope_scaling_factor().
LLAMA_3_2_SMALL_MAX_DIM = 3072  # dim of Llama-3.2-3B; 1B has 2048. Every Llama 3.1 / 3.2-Vision model is wider.


def default_rope_scaling_factor(dim: int) -> float:
    """The Llama 3 RoPE scaling factor for a checkpoint whose params.json says only ``use_scaled_rope: true``.

    Meta's 3.2 release uses factor 32 for the text-only 1B and 3B models (dim 2048 and 3072) and factor 8 for
    every Llama 3.1 model and 3.2 Vision (dim >= 4096). params.json does not record the factor, so we choose it
    from ``dim``. Meta's llama-models 0.3.0 hard-codes 8, which is wrong for 3.2 1B/3B and only shows on long
    prompts. Pass ``rope_scaling_factor=`` to :func:`load_config` to override.
    """
    return 32.0 if dim <= LLAMA_3_2_SMALL_MAX_DIM else 8.0


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters of a Llama 3.x model: params.json fields plus RoPE scaling and derived sizes."""

    dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    vocab_size: int
    multiple_of: int
    ffn_dim_multiplier: float | None
    norm_eps: float
    rope_theta: float
    use_scaled_rope: bool
    # Llama 3 RoPE scaling (only used when use_scaled_rope). params.json does not carry these.
    rope_scaling_factor: float = 32.0
    rope_low_freq_factor: float = 1.0
    rope_high_freq_factor: float = 4.0
    rope_original_max_position: int = 8192
    # Longest sequence (prompt + generated) the model accepts: 128K tokens for Llama 3.1 / 3.2.
    max_seq_len: int = 131072

    @property
    def head_dim(self) -> int:
        """Size of one attention head: dim // n_heads (64 for Llama-3.2-1B, not 128)."""
        return self.dim // self.n_heads

    @property
    def n_rep(self) -> int:
        """How many query heads share one key/value head (4 for Llama-3.2-1B: 32 / 8)."""
        return self.n_heads // self.n_kv_heads

    @property
    def ffn_hidden_dim(self) -> int:
        """Hidden size of the SwiGLU feed-forward, by Meta's formula (8192 for Llama-3.2-1B).

        Start from 4 * dim, take 2/3 of it (SwiGLU has three matrices instead of two), multiply by
        ffn_dim_multiplier, round up to a multiple of multiple_of.
        """
        hidden = int(2 * (4 * self.dim) / 3)
        if self.ffn_dim_multiplier is not None:
            hidden = int(self.ffn_dim_multiplier * hidden)
        return self.multiple_of * ((hidden + self.multiple_of - 1) // self.multiple_of)

    def params_json(self) -> dict:
        """The dict Meta writes to params.json for this config (no RoPE scaling factors: Meta's file has none)."""
        out = {
            "dim": self.dim,
            "n_layers": self.n_layers,
            "n_heads": self.n_heads,
            "n_kv_heads": self.n_kv_heads,
            "vocab_size": self.vocab_size,
            "ffn_dim_multiplier": self.ffn_dim_multiplier,
            "multiple_of": self.multiple_of,
            "norm_eps": self.norm_eps,
            "rope_theta": self.rope_theta,
            "use_scaled_rope": self.use_scaled_rope,
        }
        if out["ffn_dim_multiplier"] is None:
            del out["ffn_dim_multiplier"]
        return out

    def replace(self, **changes) -> "ModelConfig":
        """A copy with some fields changed (the config is frozen)."""
        return dataclasses.replace(self, **changes)


def config_from_params(params: dict, source: str = "params.json", **overrides) -> ModelConfig:
    """Validate a params.json dict and build a ModelConfig. ``overrides`` set any ModelConfig field."""
    if not isinstance(params, dict):
        raise CheckpointError(f"{source}: expected a JSON object, got {type(params).__name__}. "
                              "Re-download params.json from the model's original/ folder.")
    for key, typ in REQUIRED_KEYS.items():
        if key not in params:
            raise CheckpointError(f"{source}: missing key {key!r}. A Llama 3.x params.json has "
                                  f"{sorted(REQUIRED_KEYS)}; re-download params.json from original/.")
    fix = "Fix the value or re-download params.json from the model's original/ folder."
    for key, typ in {**REQUIRED_KEYS, **OPTIONAL_KEYS}.items():
        if key not in params or (params[key] is None and key in OPTIONAL_KEYS and typ is not bool):
            continue  # an optional key may be absent or null (Meta's ModelArgs defaults)
        value = params[key]
        ok = isinstance(value, bool) if typ is bool else (
            isinstance(value, int) and not isinstance(value, bool) if typ is int
            else isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value))
        if not ok:
            raise CheckpointError(f"{source}: {key!r} must be {typ.__name__}, got {value!r} "
                                  f"({type(value).__name__}). {fix}")
    n_heads = params["n_heads"]
    n_kv_heads = n_heads if params.get("n_kv_heads") is None else params["n_kv_heads"]
    for key in ("dim", "n_layers", "n_heads", "vocab_size", "multiple_of", "norm_eps", "rope_theta",
                "ffn_dim_multiplier"):
        if params.get(key) is not None and params[key] <= 0:
            raise CheckpointError(f"{source}: {key!r} must be positive, got {params[key]!r}. {fix}")
    if n_kv_heads <= 0 or n_heads % n_kv_heads:
        raise CheckpointError(f"{source}: n_heads ({n_heads}) must be a multiple of n_kv_heads ({n_kv_heads}); "
                              f"{fix}")
    if params["dim"] % n_heads or (params["dim"] // n_heads) % 2:
        raise CheckpointError(f"{source}: dim ({params['dim']}) must split into n_heads ({n_heads}) heads "
                              f"of even size (RoPE rotates pairs). {fix}")
    fields = dict(
        dim=params["dim"],
        n_layers=params["n_layers"],
        n_heads=n_heads,
        n_kv_heads=n_kv_heads,
        vocab_size=params["vocab_size"],
        multiple_of=params["multiple_of"],
        ffn_dim_multiplier=params.get("ffn_dim_multiplier"),
        norm_eps=float(params["norm_eps"]),
        rope_theta=float(params["rope_theta"]),
        use_scaled_rope=bool(params.get("use_scaled_rope", False)),
        rope_scaling_factor=default_rope_scaling_factor(params["dim"]),
    )
    unknown = set(overrides) - {f.name for f in dataclasses.fields(ModelConfig)}
    if unknown:
        raise TypeError(f"unknown ModelConfig field(s): {sorted(unknown)}")
    fields.update(overrides)
    return ModelConfig(**fields)


def config_from_file(path, **overrides) -> ModelConfig:
    """Read a params.json file into a :class:`ModelConfig` (``overrides`` as in config_from_params)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: params.json not found. A Meta checkpoint directory (original/) holds "
                              "params.json, consolidated.00.pth and tokenizer.model.")
    try:
        params = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{path}: not valid JSON ({e}). Re-download params.json from original/.") from None
    return config_from_params(params, source=str(path), **overrides)


def load_config(checkpoint_dir, **overrides) -> ModelConfig:
    """Read ``checkpoint_dir/params.json`` into a :class:`ModelConfig`.

    ``overrides`` replace any field, e.g. ``load_config(d, rope_scaling_factor=8.0)`` for a Llama 3.1 model
    that our dim-based default would misjudge (see :func:`default_rope_scaling_factor`).
    """
    return config_from_file(Path(checkpoint_dir) / "params.json", **overrides)
