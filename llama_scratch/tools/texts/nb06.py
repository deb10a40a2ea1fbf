"""Notebook 06 (SwiGLU and the block): its example prompt and the words of its figures (tools/plots/ffn.py)."""

STRINGS = {
    "nb06.prompt": {"en": "The llama, which lives in the mountains, eats grass.",
                    "zh": "羊驼住在山上，它吃草。"},
    "plot.ffn.sigmoid": {"en": "sigmoid(z): the soft switch inside SiLU", "zh": "sigmoid(z)：SiLU 内部的软开关"},
    "plot.ffn.minimum": {"en": "minimum {value} at z = {z}", "zh": "最小值 {value}，位于 z = {z}"},
    "plot.ffn.silu_title": {"en": "SiLU (inside Llama's SwiGLU) and ReLU",
                            "zh": "SiLU（Llama 的 SwiGLU 所用）与 ReLU"},
    "plot.ffn.after_layer": {"en": "after layer (0 = embeddings)", "zh": "经过的层数（0 = 嵌入）"},
    "plot.ffn.rms_axis": {"en": "RMS of the token's vector", "zh": "词元向量的均方根"},
    "plot.ffn.stream_title": {"en": "The residual stream (one line per token)",
                              "zh": "残差流（每个词元一条线）"},
    "plot.ffn.reads": {"en": "what attention reads: rms_norm(stream)", "zh": "注意力读到的：rms_norm(残差流)"},
    "plot.ffn.stream": {"en": "the stream itself", "zh": "残差流本身"},
    "plot.ffn.input_to_layer": {"en": "input to layer ℓ ({n}: the final output)",
                                "zh": "第 ℓ 层的输入（{n}：最终输出）"},
    "plot.ffn.prenorm_title": {"en": "Pre-norm: sub-layers always read RMS ≈ 1",
                               "zh": "前置归一化：子层读到的均方根总是 ≈ 1"},
    "plot.ffn.residual_title": {"en": "The residual stream through the blocks",
                                "zh": "残差流穿过各个 Transformer 块"},
}
