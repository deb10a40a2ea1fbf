"""Notebook 07 (the full forward pass): its prompts and the words of its figures (tools/plots/forward.py)."""

STRINGS = {
    # --- prompts (sentences of the trained demo's small world: animals, their facts, short stories) ---
    "nb07.prompt": {"en": "The panda, which lives in the mountains, eats",
                    "zh": "熊猫住在山上，它吃"},
    "nb07.probe": {"en": "Q: What does the llama eat?\nA: The llama eats",
                   "zh": "问：羊驼吃什么？\n答：羊驼吃"},
    "nb07.probe_answer": {"en": " grass", "zh": "草"},
    "nb07.sentence": {"en": "The fox lives in the forest. It eats mice.",
                      "zh": "狐狸住在森林里，它吃老鼠。"},
    "nb07.batch.0": {"en": "The owl can fly.", "zh": "猫头鹰会飞。"},
    "nb07.batch.1": {"en": "Q: What color is the frog?\nA: The frog is green.",
                     "zh": "问：青蛙是什么颜色的？\n答：青蛙是绿色的。"},
    "nb07.batch.2": {"en": "Today, Mia has a red kite.",
                     "zh": "小明有一个红色的风筝。"},
    # --- figures ---
    "plot.forward.probability": {"en": "probability", "zh": "概率"},
    "plot.forward.top_k": {"en": "Top-{k} next tokens", "zh": "最可能的 {k} 个下一个词元"},
    "plot.forward.after_first": {"en": "after the first block", "zh": "第一个块之后"},
    "plot.forward.final_logits": {"en": "final logits (after {n} blocks)", "zh": "最终 logits（{n} 个块之后）"},
    "plot.forward.change_axis": {"en": "max |change| without the mask", "zh": "去掉掩码后的最大 |变化|"},
    "plot.forward.no_mask": {"en": "Removing the causal mask: which positions change",
                             "zh": "去掉因果掩码：哪些位置会变"},
    "plot.forward.embeddings": {"en": "embeddings", "zh": "嵌入"},
    "plot.forward.layer": {"en": "after block {n}", "zh": "第 {n} 块之后"},
    "plot.forward.position_axis": {"en": "position (input token)", "zh": "位置（输入词元）"},
    "plot.forward.top_probability": {"en": "probability of the top token", "zh": "最可能词元的概率"},
    "plot.forward.lens": {"en": "Logit lens: each layer's top next token", "zh": "logit 透镜：每一层最可能的下一个词元"},
    "plot.forward.rank": {"en": "rank {rank}", "zh": "第 {rank} 名"},
    "plot.forward.token_probability": {"en": "p({token}) at the last position", "zh": "最后位置上的 p({token})"},
    "plot.forward.emerges": {"en": "When does {token} become the prediction?", "zh": "{token} 从哪一层起成为预测？"},
}
