"""Our Tokenizer against Meta's own llama_models.llama3.tokenizer.Tokenizer and recorded token ids."""

import pytest

import llama_scratch as ls

SEED_TEXT = "Hello world! It's a test. 这是一个测试. alongwords. a long words. 123 456 789."
SEED_IDS = [9906, 1917, 0, 1102, 596, 264, 1296, 13, 122255, 122503, 82805, 13, 3235, 5880, 13, 264,
            1317, 4339, 13, 220, 4513, 220, 10961, 220, 16474, 13]

VARIED_TEXTS = [
    "",
    " ",
    "a",
    SEED_TEXT,
    "Llamas are herbivores.\n\nThey eat grass, hay and 1234567 leaves!",
    "中文分词测试：今天天气很好，我们去公园散步吧。日本語のテキストも。한국어 문장도.",
    "emoji 🦙🦙 and flags 🇫🇷 and ZWJ 👩‍👩‍👧 and skin tones 👍🏽",
    "def f(x):\n\treturn x ** 2  # square\n\n\nclass A:\n    pass\n",
    "    lots   of\t\t spaces \n\n\n\n   and\r\nwindows line ends\r\n",
    " " * 300 + "x" + "\n" * 50,
    "<|begin_of_text|> <|eot_id|> <|start_header_id|>user<|end_header_id|> as plain text",
    "don't I'LL we've they're it's SHE'D",
    "numbers 3.14159 1,000,000 -42 0x1F 2026-11-24",
    "a" * 30_000,  # longer than Meta's 25,000-character run limit
    "naïve café résumé Ωμέγα Привет мир مرحبا",
]


@pytest.fixture(scope="module")
def meta_tokenizer(tokenizer_path):
    from llama_models.llama3.tokenizer import Tokenizer as MetaTokenizer

    return MetaTokenizer(tokenizer_path)


def test_seed_sentence_ids(tokenizer):
    assert tokenizer.encode(SEED_TEXT) == SEED_IDS


@pytest.mark.parametrize("text", VARIED_TEXTS, ids=range(len(VARIED_TEXTS)))
@pytest.mark.parametrize("bos,eos", [(False, False), (True, False), (True, True)])
def test_same_ids_as_meta(tokenizer, meta_tokenizer, text, bos, eos):
    assert tokenizer.encode(text, bos=bos, eos=eos) == meta_tokenizer.encode(text, bos=bos, eos=eos)


@pytest.mark.parametrize("text", VARIED_TEXTS, ids=range(len(VARIED_TEXTS)))
def test_decode_round_trip(tokenizer, text):
    assert tokenizer.decode(tokenizer.encode(text)) == text


def test_special_tokens_match_meta(tokenizer, meta_tokenizer):
    assert tokenizer.special_tokens == meta_tokenizer.special_tokens
    assert len(tokenizer.special_tokens) == 256
    assert tokenizer.n_words == meta_tokenizer.n_words == 128256
    assert sorted(tokenizer.stop_tokens) == sorted(meta_tokenizer.stop_tokens) == [128001, 128008, 128009]
    named = {"<|finetune_right_pad_id|>": 128004, "<|step_id|>": 128005, "<|eom_id|>": 128008,
             "<|eot_id|>": 128009, "<|python_tag|>": 128010, "<|image|>": 128011}
    assert all(tokenizer.special_tokens[k] == v for k, v in named.items())


def test_special_token_text(tokenizer, meta_tokenizer):
    text = "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
    ours = tokenizer.encode(text, allowed_special="all")
    assert ours == meta_tokenizer.encode(text, bos=False, eos=False, allowed_special="all")
    assert ours[0] == 128006 and ours[-1] == 128009
    assert 128009 not in tokenizer.encode(text)  # by default special-token text is plain text
    with pytest.raises(ValueError):
        tokenizer.encode(text, disallowed_special="all")


def test_dialog_matches_meta_chat_format(tokenizer, tokenizer_path):
    from llama_models.datatypes import RawMessage
    from llama_models.llama3.chat_format import ChatFormat
    from llama_models.llama3.tokenizer import Tokenizer as MetaTokenizer

    messages = [{"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What do llamas eat? 羊驼吃什么？"},
                {"role": "assistant", "content": "Grass."},
                {"role": "user", "content": "And?"}]
    meta = ChatFormat(MetaTokenizer(tokenizer_path)).encode_dialog_prompt(
        [RawMessage(role=m["role"], content=m["content"]) for m in messages]).tokens
    assert tokenizer.encode_dialog(messages) == meta


def test_golden_token_ids(tokenizer, golden):
    for case in golden["tokenizer"]:
        assert tokenizer.encode(case["text"], bos=case["bos"]) == case["ids"], case["source"]
    for case in golden["dialogs"]:
        assert tokenizer.encode_dialog(case["messages"]) == case["ids"], case["source"]


def test_tokenizer_file_facts(tokenizer_path, golden):
    import hashlib

    facts = golden["real_checkpoint_facts"]["tokenizer.model_from_llama-models_0.3.0"]
    data = tokenizer_path.read_bytes()
    assert len(data) == facts["bytes"]
    assert hashlib.sha256(data).hexdigest() == facts["sha256"]


def test_decode_rejects_ids_outside_vocab(tokenizer):
    with pytest.raises(ValueError, match="128256"):
        tokenizer.decode([1, 128256])


def test_malformed_tokenizer_model(tmp_path):
    bad = tmp_path / "tokenizer.model"
    bad.write_bytes(b"\x0a\x0bnot a tiktoken file at all\n")
    with pytest.raises(ls.CheckpointError, match="tokenizer.model"):
        ls.Tokenizer(bad)
    with pytest.raises(ls.CheckpointError, match="not found"):
        ls.Tokenizer(tmp_path / "missing.model")
