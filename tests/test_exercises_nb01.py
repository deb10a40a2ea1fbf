"""Notebook 01's exercise checks: answers derived with tiktoken from tokenizer.model and Meta's chat format (the
special ids as Meta's tokenizer source numbers them) pass; the usual mistakes fail; an unanswered one returns None."""

import pytest
import tiktoken
from tiktoken.load import load_tiktoken_bpe

import llama_scratch as ls
from llama_scratch.tools import exercises

# Meta's split pattern and the ten named special tokens of llama_models/llama3/tokenizer.py (Llama 3.2)
PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
           r"|\s*[\r\n]+|\s+(?!\S)|\s+")
BOS, START, END, EOT, EOS = 128000, 128006, 128007, 128009, 128001


@pytest.fixture(scope="module")
def peer(tokenizer_path):
    """(tiktoken Encoding of tokenizer.model without special tokens, {id: bytes} for all 128,256 ids)."""
    ranks = load_tiktoken_bpe(str(tokenizer_path))
    names = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
             "<|finetune_right_pad_id|>", "<|step_id|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>",
             "<|eot_id|>", "<|python_tag|>", "<|image|>"]
    names += [f"<|reserved_special_token_{2 + i}|>" for i in range(256 - len(names))]
    table = {i: b for b, i in ranks.items()} | {len(ranks) + n: name.encode() for n, name in enumerate(names)}
    return tiktoken.Encoding("peer", pat_str=PATTERN, mergeable_ranks=ranks, special_tokens={}), table


def quiet(exercise_id, answer, **context):
    return exercises.check(exercise_id, answer, lang="en", **context)


def test_decode(peer, tokenizer):
    table = peer[1]

    def right(ids):
        return b"".join(table[i] for i in ids).decode("utf-8", errors="replace")

    def per_token(ids):
        return "".join(table[i].decode("utf-8", errors="replace") for i in ids)

    def ignoring(ids):
        return b"".join(table[i] for i in ids).decode("utf-8", errors="ignore")

    def no_specials(ids):
        return right([i for i in ids if i < 128000])

    assert quiet("1.1", right, tok=tokenizer) is True
    for wrong in (per_token, ignoring, no_specials):
        assert quiet("1.1", wrong, tok=tokenizer) is False, wrong.__name__
    assert quiet("1.1", ..., tok=tokenizer) is None


def test_count(peer):
    sentence = ls.text("nb01.count", "en")
    assert sentence == ls.text("nb01.count", "zh")  # the same sentence in both editions
    n = len(peer[0].encode(sentence))
    assert quiet("1.2", n) is True
    assert quiet("1.2", len(sentence)) is False  # characters
    assert quiet("1.2", len(sentence.encode("utf-8"))) is False  # bytes
    assert quiet("1.2", ...) is None


def merge_by_string(words, last_tie=False):
    """An independent merge step: pairs counted in order of first appearance, the winner (among equally frequent
    pairs the first seen, or the last with ``last_tie``) merged by a scan that consumes both parts."""
    counts = {}
    for word in words:
        for pair in zip(word, word[1:]):
            counts[pair] = counts.get(pair, 0) + 1
    if not counts:
        return [list(w) for w in words]
    top = max(counts.values())
    tied = [p for p, c in counts.items() if c == top]
    best = tied[-1] if last_tie else tied[0]
    out = []
    for word in words:
        rest, new = list(word), []
        while rest:
            if len(rest) > 1 and (rest[0], rest[1]) == best:
                new.append(rest.pop(0) + rest.pop(0))
            else:
                new.append(rest.pop(0))
        out.append(new)
    return out


def test_merge_step():
    assert quiet("1.3", merge_by_string) is True

    def overlapping(words):  # merges every position, so "aaa" gives two tokens sharing the middle byte
        best = merge_by_string(words)
        return [[a + b for a, b in zip(w, w[1:])] if w != b_ else w for w, b_ in zip(words, best)]

    def first_only(words):  # merges only the first occurrence in each word
        counts = {}
        for w in words:
            for pair in zip(w, w[1:]):
                counts[pair] = counts.get(pair, 0) + 1
        best = max(counts, key=counts.get)
        out = []
        for w in words:
            idx = next((i for i in range(len(w) - 1) if (w[i], w[i + 1]) == best), None)
            out.append(w if idx is None else w[:idx] + [w[idx] + w[idx + 1]] + w[idx + 2:])
        return out

    def least_frequent(words):
        counts = {}
        for w in words:
            for pair in zip(w, w[1:]):
                counts[pair] = counts.get(pair, 0) + 1
        worst = min(counts, key=counts.get)
        return [[b"".join(w)] if worst in zip(w, w[1:]) else w for w in words]

    for wrong in (overlapping, first_only, least_frequent):
        assert quiet("1.3", wrong) is False, wrong.__name__
    assert quiet("1.3", ...) is None


def test_merge_step_accepts_any_tie():
    words = [[b"a", b"b"], [b"c", b"d"]]  # two pairs, once each: either may be merged
    assert merge_by_string(words) != merge_by_string(words, last_tie=True)
    assert quiet("1.3", lambda ws: merge_by_string(ws, last_tie=True)) is True


def chat_ids(peer, messages, open_header=False, bos=True, end=EOT):
    enc = peer[0]
    ids = [BOS] if bos else []
    for m in messages:
        ids += [START] + enc.encode(m["role"]) + [END] + enc.encode("\n\n") + enc.encode(m["content"]) + [end]
    return ids + ([START] + enc.encode("assistant") + [END] + enc.encode("\n\n") if open_header else [])


def test_chat(peer, tokenizer):
    chat = [{"role": "user", "content": ls.text("nb01.chat.q1", lang)} for lang in ("en", "zh")]
    chat = [chat[0], {"role": "assistant", "content": "Grass."}, chat[1], {"role": "assistant", "content": "草。"}]
    kw = dict(tok=tokenizer, messages=chat)
    assert quiet("1.4", chat_ids(peer, chat), **kw) is True
    assert quiet("1.4", chat_ids(peer, chat, open_header=True), **kw) is False  # a prompt, not a finished chat
    assert quiet("1.4", chat_ids(peer, chat, bos=False), **kw) is False
    assert quiet("1.4", chat_ids(peer, chat, end=EOS), **kw) is False  # the base model's end of text
    assert quiet("1.4", ..., **kw) is None


@pytest.mark.parametrize("exercise_id", ["1.1", "1.2", "1.3", "1.4"])
def test_hints_in_both_languages(exercise_id):
    ex = exercises.lookup(exercise_id)
    assert ex.hint["en"] != ex.hint["zh"] and ex.hint["zh"].strip()
