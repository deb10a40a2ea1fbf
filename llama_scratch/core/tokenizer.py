"""Llama 3 tokenizer: byte-level BPE from Meta's tokenizer.model, run by tiktoken, plus the chat format.

tokenizer.model is a text file of 128,000 lines ``<base64 bytes> <rank>``: the BPE vocabulary, in merge order.
Ids 128000..128255 are the 256 special tokens of Llama 3.1 / 3.2.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import AbstractSet, Collection, Iterable, Iterator, Literal, Sequence

import tiktoken

from .errors import CheckpointError

# Meta's pre-tokenizer regex: splits text into words, up-to-3-digit numbers, punctuation runs and whitespace
# before BPE merges run inside each piece. Same string as llama_models/llama3/tokenizer.py.
PAT_STR = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+"
)
NUM_BASE_TOKENS = 128000
NUM_SPECIAL_TOKENS = 256
# The named special tokens of Llama 3.1 / 3.2, in id order from 128000; the rest are reserved.
NAMED_SPECIAL_TOKENS = [
    "<|begin_of_text|>",  # 128000 bos
    "<|end_of_text|>",  # 128001 eos (end of a document; base model's stop)
    "<|reserved_special_token_0|>",
    "<|reserved_special_token_1|>",
    "<|finetune_right_pad_id|>",  # 128004
    "<|step_id|>",  # 128005
    "<|start_header_id|>",  # 128006
    "<|end_header_id|>",  # 128007
    "<|eom_id|>",  # 128008 end of message (tool call follows)
    "<|eot_id|>",  # 128009 end of turn: the Instruct model's stop
    "<|python_tag|>",  # 128010
    "<|image|>",  # 128011
]
# Generation stops at any of these: end of text (base model), end of message, end of turn (Instruct).
STOP_TOKEN_NAMES = ("<|end_of_text|>", "<|eom_id|>", "<|eot_id|>")
# tiktoken panics on very long inputs and slows down on very long runs of (non-)whitespace; like Meta we cut.
TIKTOKEN_MAX_ENCODE_CHARS = 400_000
MAX_NO_WHITESPACES_CHARS = 25_000


def special_token_names() -> list[str]:
    """All 256 special-token strings, in id order (named ones first, then reserved_special_token_2..249)."""
    n_reserved = NUM_SPECIAL_TOKENS - len(NAMED_SPECIAL_TOKENS)
    return NAMED_SPECIAL_TOKENS + [f"<|reserved_special_token_{2 + i}|>" for i in range(n_reserved)]


def special_token_ids() -> dict[str, int]:
    """Every special token with its id, 128000..128255: fixed by Llama 3's tokenizer, not stored in tokenizer.model."""
    return {name: NUM_BASE_TOKENS + i for i, name in enumerate(special_token_names())}


def stop_token_ids() -> list[int]:
    """The ids generation stops at: <|end_of_text|>, <|eom_id|>, <|eot_id|> (128001, 128008, 128009)."""
    ids = special_token_ids()
    return [ids[name] for name in STOP_TOKEN_NAMES]


def bos_token_id() -> int:
    """The id of <|begin_of_text|>, which starts every prompt (128000)."""
    return special_token_ids()["<|begin_of_text|>"]


def load_bpe_ranks(path) -> dict[bytes, int]:
    """Parse tokenizer.model into {token bytes: rank}. Raises CheckpointError naming the bad line."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: tokenizer.model not found. It ships in the model's original/ folder.")
    ranks: dict[bytes, int] = {}
    with open(path, "rb") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                token, rank = line.split()
                ranks[base64.b64decode(token, validate=True)] = int(rank)
            except ValueError:
                raise CheckpointError(
                    f"{path}: line {lineno} is not '<base64 token> <rank>' — this is not a Llama 3 tiktoken "
                    "tokenizer.model (a SentencePiece file from Llama 2 is binary). Re-download it from original/."
                ) from None
    if len(ranks) != NUM_BASE_TOKENS or sorted(ranks.values()) != list(range(NUM_BASE_TOKENS)):
        raise CheckpointError(f"{path}: expected {NUM_BASE_TOKENS} BPE ranks 0..{NUM_BASE_TOKENS - 1}, "
                              f"found {len(ranks)}. Re-download tokenizer.model from original/.")
    return ranks


def _split_long_runs(s: str, max_len: int) -> Iterator[str]:
    """Cut ``s`` so no piece holds more than ``max_len`` consecutive whitespace or non-whitespace chars."""
    run_len, run_is_space, start = 0, s[:1].isspace(), 0
    for i, ch in enumerate(s):
        is_space = ch.isspace()
        if is_space != run_is_space:
            run_len, run_is_space = 1, is_space
        else:
            run_len += 1
            if run_len > max_len:
                yield s[start:i]
                start, run_len = i, 1
    yield s[start:]


class Tokenizer:
    """Llama 3.1 / 3.2 tokenizer. ``Tokenizer(path_to_tokenizer.model)``.

    Gives exactly the ids of Meta's ``llama_models.llama3.tokenizer.Tokenizer`` (tested).
    """

    def __init__(self, model_path):
        self.path = Path(model_path)
        ranks = load_bpe_ranks(self.path)
        self.special_tokens: dict[str, int] = special_token_ids()
        self.model = tiktoken.Encoding(
            name=self.path.name, pat_str=PAT_STR, mergeable_ranks=ranks, special_tokens=self.special_tokens
        )
        self.n_words = NUM_BASE_TOKENS + NUM_SPECIAL_TOKENS  # 128256 == params.json vocab_size
        self.bos_id = bos_token_id()
        self.eos_id = self.special_tokens["<|end_of_text|>"]
        self.eot_id = self.special_tokens["<|eot_id|>"]
        self.eom_id = self.special_tokens["<|eom_id|>"]
        self.pad_id = self.special_tokens["<|finetune_right_pad_id|>"]
        self.stop_tokens = stop_token_ids()

    def encode(
        self,
        text: str,
        bos: bool = False,
        eos: bool = False,
        allowed_special: Literal["all"] | AbstractSet[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = (),
    ) -> list[int]:
        """Text -> token ids. By default special-token text such as "<|eot_id|>" is encoded as plain text;
        pass ``allowed_special="all"`` to turn it into the special id."""
        if not isinstance(text, str):
            raise TypeError(f"encode() takes a str, got {type(text).__name__}")
        ids: list[int] = [self.bos_id] if bos else []
        for i in range(0, len(text), TIKTOKEN_MAX_ENCODE_CHARS):
            for piece in _split_long_runs(text[i : i + TIKTOKEN_MAX_ENCODE_CHARS], MAX_NO_WHITESPACES_CHARS):
                ids.extend(self.model.encode(piece, allowed_special=allowed_special,
                                             disallowed_special=disallowed_special))
        if eos:
            ids.append(self.eos_id)
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Token ids -> text (invalid UTF-8 from a partial multi-byte character becomes U+FFFD)."""
        ids = [int(i) for i in ids]
        bad = [i for i in ids if not 0 <= i < self.n_words]
        if bad:
            raise ValueError(f"token id {bad[0]} is outside the vocabulary 0..{self.n_words - 1}; pass ids made by "
                             "this tokenizer (or by a model whose params.json has the same vocab_size)")
        return self.model.decode(ids)

    def decode_token_bytes(self, ids: Sequence[int]) -> list[bytes]:
        """The raw bytes of each token (a CJK character can span tokens, so one token may not be valid UTF-8)."""
        return [self.model.decode_single_token_bytes(int(i)) for i in ids]

    def encode_header(self, role: str) -> list[int]:
        """``<|start_header_id|>role<|end_header_id|>\\n\\n`` as ids (Meta writes role "tool" as "ipython")."""
        role = "ipython" if role == "tool" else role
        return ([self.special_tokens["<|start_header_id|>"]] + self.encode(role)
                + [self.special_tokens["<|end_header_id|>"]] + self.encode("\n\n"))

    def encode_message(self, message: dict) -> list[int]:
        """One chat message {"role", "content"}: header, content ids, then ``<|eot_id|>`` ending the turn."""
        if not isinstance(message, dict) or "role" not in message or "content" not in message:
            raise ValueError(f"a chat message must be a dict with 'role' and 'content', got {message!r}")
        return self.encode_header(message["role"]) + self.encode(message["content"]) + [self.eot_id]

    def encode_dialog(self, messages: Sequence[dict]) -> list[int]:
        """Meta's Llama 3.2 chat format: bos, every message, then an open assistant header for the model to fill.

        No date preamble is added (Hugging Face's jinja template adds "Cutting Knowledge Date: ..." to the system
        message; Meta's ChatFormat does not).
        """
        ids = [self.bos_id]
        for message in messages:
            ids.extend(self.encode_message(message))
        return ids + self.encode_header("assistant")
