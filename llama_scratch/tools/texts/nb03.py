"""Notebook 03 (RMSNorm): its example prompt and the words of its figure."""

STRINGS = {
    # a sentence of the trained demo's corpus: every token has a trained (non-zero) embedding there
    "nb03.prompt": {"en": "The llama lives in the mountains. It eats grass.", "zh": "羊驼住在山上，它吃草。"},
    "plot.norm.title": {"en": "RMSNorm on a {s}-token prompt, d = {d}",
                        "zh": "对 {s} 个词元的提示词做 RMSNorm，d = {d}"},
    "plot.norm.before": {"en": "values before the norm", "zh": "归一化之前的数值"},
    "plot.norm.after": {"en": "values after RMSNorm (with its weight)", "zh": "RMSNorm 之后的数值（乘以权重）"},
    "plot.norm.value_axis": {"en": "value", "zh": "数值"},
    "plot.norm.count_axis": {"en": "count", "zh": "个数"},
    "plot.norm.rms": {"en": "RMS of each token", "zh": "每个词元的均方根（RMS）"},
    "plot.norm.position_axis": {"en": "token position", "zh": "词元位置"},
    "plot.norm.rms_axis": {"en": "RMS (log scale)", "zh": "均方根 RMS（对数坐标）"},
    "plot.norm.legend_before": {"en": "before", "zh": "归一化之前"},
    "plot.norm.legend_unit": {"en": "after, weight 1", "zh": "之后，权重取 1"},
    "plot.norm.legend_weight": {"en": "after, with the weight", "zh": "之后，乘以权重"},
}
