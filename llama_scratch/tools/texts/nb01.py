"""Notebook 01 (the tokenizer): its example sentences in the reader's language (and a translation into the other
one, to compare tokens per character), the dialog of its chat-format exercise, and its figure's title."""

STRINGS = {
    # one sentence, in the edition's language; nb01.translation is the same sentence in the other language
    "nb01.sentence": {"en": "Llamas live high in the Andes of South America and eat mostly grass.",
                      "zh": "美洲驼生活在南美洲的安第斯山脉高处，主要以草为食。"},
    "nb01.translation": {"en": "美洲驼生活在南美洲的安第斯山脉高处，主要以草为食。",
                         "zh": "Llamas live high in the Andes of South America and eat mostly grass."},
    # the Chinese sentence whose tokens exercise 1.2 counts (Chinese in both editions)
    "nb01.count": {"en": "骆驼科动物包括美洲驼、羊驼和骆驼。", "zh": "骆驼科动物包括美洲驼、羊驼和骆驼。"},
    # the system message of the chat-format example
    "nb01.system": {"en": "You are a helpful assistant.", "zh": "你是一个乐于助人的助手。"},
    # exercise 1.4: a two-turn conversation
    "nb01.chat.q1": {"en": "What do llamas eat?", "zh": "美洲驼吃什么？"},
    "nb01.chat.a1": {"en": "Mostly grass and hay.", "zh": "主要吃草和干草。"},
    "nb01.chat.q2": {"en": "And where do they live?", "zh": "它们生活在哪里？"},
    "nb01.chat.a2": {"en": "In the Andes of South America.", "zh": "生活在南美洲的安第斯山脉。"},
    "plot.tokens.title": {"en": "Token boundaries: {n} tokens for {chars} characters (id below each token)",
                          "zh": "词元边界：{chars} 个字符切成 {n} 个词元（每个词元下方是它的 id）"},
}
