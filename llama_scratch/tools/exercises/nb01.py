"""Exercises of notebook 01 (the tokenizer): decoding by hand, counting the tokens of a Chinese sentence, one merge
step of BPE training, and the Instruct chat format of a finished two-turn conversation."""

from __future__ import annotations

import random
from collections import Counter

from . import exercise, matches, whole_number

SAMPLES = ("Hello world! It's a test. 123 4567", "美洲驼生活在安第斯山脉。龘", "emoji 🦙 and tabs\t\tand\nnewlines",
           "骆驼科动物包括美洲驼、羊驼和骆驼。")


def _id_lists(tok, seed: int = 0) -> list[list[int]]:
    """Id lists to decode: whole texts, slices that cut a character in two, random ids with special ones."""
    rng = random.Random(seed)
    lists = [tok.encode(text) for text in SAMPLES]
    for ids in list(lists):
        lists += [ids[:len(ids) // 2], ids[1:], [ids[len(ids) // 2]]]
    lists += [[rng.randrange(tok.n_words) for _ in range(rng.randint(1, 12))] for _ in range(20)]
    lists += [[tok.bos_id] + lists[0] + [tok.eot_id], []]
    return lists


@exercise("1.1", "Invert the ranks ({bytes: id} -> {id: bytes}) and add the special tokens' names as bytes; join "
                 "the bytes of ALL ids first, then decode once with errors='replace' (one character can span "
                 "tokens).",
          "把 ranks 反过来（{bytes: id} -> {id: bytes}），再加上特殊词元的名字（编码成 bytes）；先把所有 id 的字节"
          "拼起来，最后只解码一次，用 errors='replace'（一个汉字可能跨越多个词元）。")
def _decode(answer, tok) -> bool:
    return all(answer(list(ids)) == tok.decode(ids) for ids in _id_lists(tok))


@exercise("1.2", "Split the sentence with the regex, run your bpe on the UTF-8 bytes of each piece and add up "
                 "the parts (or predict first, then count with tok.encode).",
          "先用正则把句子切成片段，再对每个片段的 UTF-8 字节运行 bpe，把得到的部分数加起来"
          "（或者先预测，再用 tok.encode 数一数）。")
def _count(answer) -> bool:
    return matches(whole_number(answer), "6f4b6612125fb3a0daecd2799dfd6c9c299424fd920f9b308110a2c1fbd8f443")


def _merged(words, pair):
    """Every word with each occurrence of ``pair`` (left to right, not overlapping) replaced by its concatenation."""
    out = []
    for word in words:
        new, i = [], 0
        while i < len(word):
            if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
                new.append(word[i] + word[i + 1])
                i += 2
            else:
                new.append(word[i])
                i += 1
        out.append(new)
    return out


def _corpora(seed: int = 0):
    rng = random.Random(seed)
    yield [[bytes([b]) for b in w.encode("utf-8")] for w in ("low", "lower", "newest", "widest", "aaab")]
    yield [[bytes([b]) for b in w.encode("utf-8")] for w in ("美洲驼", "羊驼", "骆驼")]
    for _ in range(10):
        yield [[bytes([rng.choice(b"abc")]) for _ in range(rng.randint(1, 9))] for _ in range(rng.randint(1, 6))]


@exercise("1.3", "Count adjacent pairs over all words (zip(word, word[1:])), take the most frequent, then rebuild "
                 "each word left to right, merging every occurrence of that pair; words without it stay as they "
                 "are.",
          "统计所有单词中相邻的对（zip(word, word[1:])），取出现最多的那一对，然后从左到右重建每个单词，"
          "把这对的每次出现都合并；不含这对的单词保持不变。")
def _merge_step(answer) -> bool:
    for words in _corpora():
        counts = Counter(pair for w in words for pair in zip(w, w[1:]))
        got = [list(w) for w in answer([list(w) for w in words])]
        if not counts:
            if got != words:
                return False
            continue
        best = max(counts.values())
        if not any(got == _merged(words, pair) for pair, n in counts.items() if n == best):
            return False
    return True


@exercise("1.4", "bos, then for each of the four messages: header(role) + content + <|eot_id|>. A finished "
                 "conversation ends with the assistant's <|eot_id|>: no open header after it.",
          "先是 bos，然后四条消息各自是 header(role) + 内容 + <|eot_id|>。完整的对话以助手的 <|eot_id|> 结尾，"
          "后面没有打开的 header。")
def _chat(answer, tok, messages) -> bool:
    if not messages or messages[-1]["role"] != "assistant":
        raise ValueError("the conversation of exercise 1.4 must end with the assistant's message")
    open_header = tok.encode_header("assistant")
    return [int(i) for i in answer] == tok.encode_dialog(messages)[:-len(open_header)]
