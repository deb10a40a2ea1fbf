"""Each notebook's own strings in English and Chinese: nbNN.py holds ``STRINGS = {"nbNN.key": {"en", "zh"}}``.

A code cell is the same in both editions, so a language-dependent example (a prompt, a sentence to tokenize) is
written ``ls.text("nb05.prompt")``: English in notebooks/, Chinese in notebooks/zh/ (tools.i18n loads nbNN.py on
first use).
"""
