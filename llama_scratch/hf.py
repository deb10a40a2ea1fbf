"""Converting between Meta's checkpoint format and Hugging Face transformers' LlamaForCausalLM.

Used by the tests and the benchmark (HF is the second reference implementation) and shown in notebook 04.
transformers is only needed when these functions are called.
"""

from __future__ import annotations

import torch

from .checkpoint import expected_shapes
from .config import ModelConfig


def permute_for_rotate_half(w: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Reorder the rows of wq or wk [heads*e, d] so that HF's rotate-half RoPE equals Meta's interleaved RoPE.

    Within each head, Meta rotates pairs (0,1), (2,3), ...; HF rotates (0, e/2), (1, e/2+1), ... Moving the even
    rows to the first half and the odd rows to the second half turns one into the other.
    """
    rows, dim = w.shape
    e = rows // n_heads
    return w.view(n_heads, e // 2, 2, dim).transpose(1, 2).reshape(rows, dim)


def hf_config(config: ModelConfig, tie_word_embeddings: bool = True, max_position_embeddings: int | None = None):
    """A transformers LlamaConfig with the same shapes and RoPE as our ModelConfig."""
    from transformers import LlamaConfig

    if config.use_scaled_rope:
        rope = {"rope_type": "llama3", "rope_theta": config.rope_theta, "factor": config.rope_scaling_factor,
                "low_freq_factor": config.rope_low_freq_factor, "high_freq_factor": config.rope_high_freq_factor,
                "original_max_position_embeddings": config.rope_original_max_position}
    else:
        rope = {"rope_type": "default", "rope_theta": config.rope_theta}
    return LlamaConfig(
        vocab_size=config.vocab_size, hidden_size=config.dim, intermediate_size=config.ffn_hidden_dim,
        num_hidden_layers=config.n_layers, num_attention_heads=config.n_heads,
        num_key_value_heads=config.n_kv_heads, head_dim=config.head_dim, rms_norm_eps=config.norm_eps,
        max_position_embeddings=max_position_embeddings or config.max_seq_len, rope_parameters=rope,
        tie_word_embeddings=tie_word_embeddings, bos_token_id=128000, eos_token_id=[128001, 128008, 128009],
        attention_bias=False, mlp_bias=False,
    )


def to_hf_state_dict(sd: dict, config: ModelConfig) -> dict:
    """Meta key names -> HF key names, with wq/wk permuted for rotate-half. Tensors are not copied otherwise."""
    out = {"model.embed_tokens.weight": sd["tok_embeddings.weight"], "model.norm.weight": sd["norm.weight"],
           "lm_head.weight": sd.get("output.weight", sd["tok_embeddings.weight"])}
    names = {"attention.wv.weight": "self_attn.v_proj.weight", "attention.wo.weight": "self_attn.o_proj.weight",
             "feed_forward.w1.weight": "mlp.gate_proj.weight", "feed_forward.w2.weight": "mlp.down_proj.weight",
             "feed_forward.w3.weight": "mlp.up_proj.weight", "attention_norm.weight": "input_layernorm.weight",
             "ffn_norm.weight": "post_attention_layernorm.weight"}
    for i in range(config.n_layers):
        p, q = f"layers.{i}.", f"model.layers.{i}."
        out[q + "self_attn.q_proj.weight"] = permute_for_rotate_half(sd[p + "attention.wq.weight"], config.n_heads)
        out[q + "self_attn.k_proj.weight"] = permute_for_rotate_half(sd[p + "attention.wk.weight"], config.n_kv_heads)
        for meta, hf in names.items():
            out[q + hf] = sd[p + meta]
    assert len(out) == len(expected_shapes(config)), "every Meta tensor has one HF name"
    return out


def hf_model_from_state_dict(sd: dict, config: ModelConfig, dtype=torch.float32, device="cpu"):
    """A transformers LlamaForCausalLM holding the same weights as a Meta state dict (eval mode)."""
    from transformers import LlamaForCausalLM
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    tied = "output.weight" not in sd
    with torch.device("meta"):
        model = LlamaForCausalLM(hf_config(config, tie_word_embeddings=tied))
    hf_sd = {k: v.to(device=device, dtype=dtype) for k, v in to_hf_state_dict(sd, config).items()}
    if tied:
        hf_sd["lm_head.weight"] = hf_sd["model.embed_tokens.weight"]
    model.load_state_dict(hf_sd, strict=True, assign=True)
    if tied:
        model.tie_weights()
    # The rotary-embedding buffers were created on the meta device: build that module again for real.
    model.model.rotary_emb = LlamaRotaryEmbedding(model.config).to(device)
    return model.eval()
