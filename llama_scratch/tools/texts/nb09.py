"""Notebook 09 (making it fast): the words of its figure."""

STRINGS = {
    "plot.bench.limit": {"en": "memory-bandwidth limit", "zh": "内存带宽上限"},
    "plot.bench.xlabel": {"en": "% of the limit (bytes read per token × tokens/s ÷ measured bandwidth)",
                          "zh": "占上限的百分比（每个词元读取的字节数 × 词元/秒 ÷ 实测带宽）"},
    "plot.bench.title": {"en": "Decode speed vs the memory limit: {model} on {device}, batch 1 ({gbs} GB/s measured)",
                         "zh": "解码速度与内存带宽上限：{model}，{device}，批次 1（实测 {gbs} GB/s）"},
}
