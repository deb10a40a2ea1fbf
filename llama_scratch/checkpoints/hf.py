"""Converting Meta's checkpoint format to Hugging Face transformers' LlamaForCausalLM (names from core.format).

Used by the tests and the benchmark (HF is the second reference implementation) and shown in notebook 04. The
renaming and the rotate-half permutation need only torch; transformers (a test and benchmark dependency,
requirements-dev.txt) is imported by the functions that build HF objects, so notebook 04 runs without it.
"""

from __future__ import annotations

from pathlib import Path

import torch

from ..core.config import ModelConfig
from ..core.format import EMBEDDING, OUTPUT, hf_key, is_tied, specs
from ..core.tokenizer import bos_token_id, stop_token_ids
from .read import open_checkpoint


def permute_for_rotate_half(w: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Reorder the rows of wq or wk [heads*e, d] so that HF's rotate-half RoPE equals Meta's interleaved RoPE.

    Within each head, Meta rotates pairs (0,1), (2,3), ...; HF rotates (0, e/2), (1, e/2+1), ... Moving the even
    rows to the first half and the odd rows to the second half turns one into the other.
    """
    rows, dim = w.shape
    e = rows // n_heads
    return w.view(n_heads, e // 2, 2, dim).transpose(1, 2).reshape(rows, dim)


def to_hf_state_dict(sd: dict, config: ModelConfig) -> dict:
    """Meta key names -> HF key names (format.hf_key), wq/wk permuted for rotate-half. A tied output is stored once,
    as model.embed_tokens.weight (HF ties lm_head to it). Tensors are not copied otherwise."""
    out = {}
    for key, spec in specs(config, include_output=not is_tied(sd)).items():
        tensor = sd[key]
        if spec.rotate_half:
            tensor = permute_for_rotate_half(tensor, getattr(config, spec.rotate_half))
        out[hf_key(key)] = tensor
    return out


def hf_rope_parameters(config: ModelConfig) -> dict:
    """The RoPE section of HF's config: "llama3" scaling with our factors when use_scaled_rope, else "default"."""
    if not config.use_scaled_rope:
        return {"rope_type": "default", "rope_theta": config.rope_theta}
    return {"rope_type": "llama3", "rope_theta": config.rope_theta, "factor": config.rope_scaling_factor,
            "low_freq_factor": config.rope_low_freq_factor, "high_freq_factor": config.rope_high_freq_factor,
            "original_max_position_embeddings": config.rope_original_max_position}


def hf_config(config: ModelConfig, tie_word_embeddings: bool = True, max_position_embeddings: int | None = None,
              rope_parameters: dict | None = None):
    """A transformers LlamaConfig with the same shapes as our ModelConfig, and its RoPE unless ``rope_parameters``
    (HF's own section, e.g. from a published config.json) is given."""
    from transformers import LlamaConfig  # a dev dependency: see the module docstring

    return LlamaConfig(
        vocab_size=config.vocab_size, hidden_size=config.dim, intermediate_size=config.ffn_hidden_dim,
        num_hidden_layers=config.n_layers, num_attention_heads=config.n_heads,
        num_key_value_heads=config.n_kv_heads, head_dim=config.head_dim, rms_norm_eps=config.norm_eps,
        max_position_embeddings=max_position_embeddings or config.max_seq_len,
        rope_parameters=rope_parameters or hf_rope_parameters(config), tie_word_embeddings=tie_word_embeddings,
        bos_token_id=bos_token_id(), eos_token_id=stop_token_ids(), attention_bias=False, mlp_bias=False,
    )


def hf_model_from_state_dict(sd: dict, config: ModelConfig, dtype=torch.float32, device="cpu",
                             rope_parameters: dict | None = None):
    """A transformers LlamaForCausalLM holding the same weights as a Meta state dict (eval mode)."""
    from transformers import LlamaForCausalLM  # a dev dependency: see the module docstring
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    tied = is_tied(sd)
    with torch.device("meta"):
        model = LlamaForCausalLM(hf_config(config, tie_word_embeddings=tied, rope_parameters=rope_parameters))
    hf_sd = {k: v.to(device=device, dtype=dtype) for k, v in to_hf_state_dict(sd, config).items()}
    if tied:
        hf_sd[OUTPUT.hf] = hf_sd[EMBEDDING.hf]
    model.load_state_dict(hf_sd, strict=True, assign=True)
    if tied:
        model.tie_weights()
    # The rotary-embedding buffers were created on the meta device: build that module again for real.
    model.model.rotary_emb = LlamaRotaryEmbedding(model.config).to(device)
    return model.eval()


def save_hf_checkpoint(checkpoint, out) -> None:
    """Write an HF-format copy of a Meta checkpoint into ``out``: config.json + model.safetensors (stored dtype kept;
    the weights file under a temporary name, renamed when complete)."""
    from safetensors.torch import save_file  # comes with transformers, a dev dependency

    config, sd = open_checkpoint(checkpoint)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    hf_config(config, tie_word_embeddings=is_tied(sd)).save_pretrained(out)
    tmp = out / "model.safetensors.partial"
    hf_sd = {k: v.contiguous() for k, v in to_hf_state_dict(sd, config).items()}
    save_file(hf_sd, str(tmp), metadata={"format": "pt"})
    tmp.replace(out / "model.safetensors")
