"""Each notebook's own strings in English and Chinese: nbNN.py holds ``STRINGS = {key: {"en": ..., "zh": ...}}``.

A code cell is the same in both editions, so a language-dependent example (a prompt, a sentence to tokenize) is
written ``ls.text("nb05.prompt")``: English in notebooks/, Chinese in notebooks/zh/. The words of a notebook's own
plots (keys "plot.*") may live here too. tools.i18n merges every module of this folder into its STRINGS on import;
a key defined twice is an error.
"""
