"""Notebook 02 (embeddings): its example prompt, the two groups of words whose embeddings it compares (words of the
trained demo's corpus, one token each, separated by "|"; in Chinese some are one character of a longer name, the token
the corpus uses), and the words of its figure."""

STRINGS = {
    "nb02.prompt": {"en": "The llama is a domesticated South American camelid.",
                    "zh": "羊驼是南美洲的一种家养骆驼科动物。"},
    # animals and foods of the trained demo's corpus (llama_scratch/training/world.py), one token each
    "nb02.animals": {"en": " llama| camel| horse| sheep| goat| rabbit| fox| wolf| bear| cat| dog| tiger",
                     "zh": "马|熊|猫|羊|狐|虎"},  # 羊 狐 虎: the first token of 绵羊/羊驼, 狐狸, 老虎
    "nb02.foods": {"en": " grass| leaves| carrots| mice| meat| honey| bamboo| fish| seeds| fruit",
                   "zh": "草|鱼|肉|叶|竹|蜜|虫"},  # 叶 竹 蜜 虫: a token of 树叶, 竹子, 蜂蜜, 虫子
    "plot.embedding.norms": {"en": "Norm of every embedding row (v = {v}, d = {d})",
                             "zh": "嵌入表每一行的范数（v = {v}，d = {d}）"},
    "plot.embedding.zero_rows": {"en": "{zero} rows are exactly 0", "zh": "其中 {zero} 行恰好为 0"},
    "plot.embedding.norm_axis": {"en": "‖W[i]‖ (norm of row i)", "zh": "‖W[i]‖（第 i 行的范数）"},
    "plot.embedding.rows_axis": {"en": "number of rows (log scale)", "zh": "行数（对数坐标）"},
    "plot.embedding.cosine": {"en": "Cosine similarity between token embeddings",
                              "zh": "词元嵌入之间的余弦相似度"},
    "plot.embedding.cosine_bar": {"en": "cosine similarity", "zh": "余弦相似度"},
}
