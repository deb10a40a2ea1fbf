"""Notebook 00 (setup and the checkpoint): the words of its parameter chart (plots.parameters_by_component)."""

STRINGS = {
    "plot.params.title": {"en": "Parameters per component", "zh": "各组成部分的参数量"},
    "plot.params.panel": {"en": "{model}: {total} parameters", "zh": "{model}：{total} 个参数"},
    "plot.params.axis": {"en": "parameters (millions)", "zh": "参数量（百万）"},
    "plot.params.embeddings": {"en": "embeddings", "zh": "嵌入"},
    "plot.params.attention": {"en": "attention", "zh": "注意力"},
    "plot.params.feed_forward": {"en": "feed-forward", "zh": "前馈网络"},
    "plot.params.norms": {"en": "norms", "zh": "归一化"},
}
