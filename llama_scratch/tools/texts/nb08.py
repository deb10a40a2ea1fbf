"""Notebook 08 (generation and the KV cache): its example prompts and the words of its figures (plots/generation.py).

The prompts follow the trained demo's corpus (animal facts, questions and answers, stories), so that on the trained
demo the generated text can be read; on other weights they are ordinary prompts.
"""

STRINGS = {
    # --- prompts of the notebook (ls.text) ---
    "nb08.prompt": {"en": "The llama, which lives in the mountains, eats",
                    "zh": "羊驼住在山上，它吃"},
    "nb08.sampling_prompt": {"en": "Today, Mia has a", "zh": "小明有一个"},
    "nb08.system": {"en": "You are a helpful assistant.", "zh": "你是一个乐于助人的助手。"},
    "nb08.question": {"en": "What do llamas eat?", "zh": "羊驼吃什么？"},
    "nb08.no_probes": {"en": "Q: What does the llama eat?\nA:", "zh": "问：羊驼吃什么？\n答："},
    # --- plots/generation.py ---
    "plot.generation.sampling_title": {"en": "Next-token distribution under temperature and top-p",
                                       "zh": "温度与 top-p 下的下一个词元分布"},
    "plot.generation.temperature": {"en": "T = {t}", "zh": "温度 T = {t}"},
    "plot.generation.nucleus": {"en": "T = {t}: nucleus of {n} tokens", "zh": "温度 T = {t}：核内 {n} 个词元"},
    "plot.generation.temperature_title": {"en": "Temperature reshapes the distribution (top {n} tokens)",
                                          "zh": "温度改变分布的形状（前 {n} 个词元）"},
    "plot.generation.rank_axis": {"en": "rank of the token", "zh": "词元的排名"},
    "plot.generation.probability_axis": {"en": "probability", "zh": "概率"},
    "plot.generation.top_p_title": {"en": "Top-p keeps the smallest set reaching p",
                                    "zh": "top-p 保留累积概率达到 p 的最小集合"},
    "plot.generation.top_p_line": {"en": "top_p = {p}", "zh": "阈值 top_p = {p}"},
    "plot.generation.kept_axis": {"en": "number of most likely tokens kept", "zh": "保留的最可能词元个数"},
    "plot.generation.cumulative_axis": {"en": "cumulative probability", "zh": "累积概率"},
    "plot.generation.timing_title": {"en": "Time per generated token: KV cache vs recomputation",
                                     "zh": "每生成一个词元的时间：键值缓存与重新计算"},
    "plot.generation.measured": {"en": "measured on {device}, best of {repeats} runs",
                                 "zh": "在 {device} 上实测，取 {repeats} 次中最快的一次"},
    "plot.generation.recompute": {"en": "recompute all t positions", "zh": "重新计算全部 t 个位置"},
    "plot.generation.cached": {"en": "KV cache: one new position", "zh": "键值缓存：只算一个新位置"},
    "plot.generation.length_axis": {"en": "sequence length t (the t-th token)", "zh": "序列长度 t（第 t 个词元）"},
    "plot.generation.ms_axis": {"en": "milliseconds per token", "zh": "每个词元的毫秒数"},
}
