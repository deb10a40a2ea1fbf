"""The words on figures, views, diagrams and exercise messages, in English and Chinese.

The notebooks of the English and the Chinese edition share identical code cells, so the language is never typed
in a cell: it comes from the environment (LLAMA_SCRATCH_LANG=zh) or from the kernel's working directory (a notebook
in notebooks/zh/ runs with that folder as its working directory).
"""

from __future__ import annotations

import os
from pathlib import Path

LANGUAGES = ("en", "zh")
LANG_ENV = "LLAMA_SCRATCH_LANG"

# key -> {"en": ..., "zh": ...}; str.format fields are filled by text(key, **fmt).
STRINGS: dict[str, dict[str, str]] = {
    "exercise.not_answered": {"en": "Exercise {id}: not answered yet (replace the ... with your answer)",
                              "zh": "练习 {id}：尚未作答（把 ... 换成你的答案）"},
    "exercise.correct": {"en": "Exercise {id}: correct ✓", "zh": "练习 {id}：正确 ✓"},
    "exercise.wrong": {"en": "Exercise {id}: not right yet. Hint: {hint}", "zh": "练习 {id}：还不对。提示：{hint}"},
    "exercise.raised": {"en": "Exercise {id}: your answer raised {error}. Hint: {hint}",
                        "zh": "练习 {id}：你的答案抛出了异常 {error}。提示：{hint}"},
    "speed.limit": {"en": "memory-bandwidth limit", "zh": "内存带宽上限"},
    "speed.xlabel": {"en": "% of the limit (bytes read per token × tokens/s ÷ measured bandwidth)",
                     "zh": "占上限的百分比（每个 token 读取的字节 × tokens/s ÷ 实测带宽）"},
    "speed.title": {"en": "Decode speed vs the memory limit: {model} on {device}, batch 1 ({gbs:.1f} GB/s measured)",
                    "zh": "解码速度与内存上限：{model}，{device}，batch 1（实测 {gbs:.1f} GB/s）"},
}


def default_language() -> str:
    """"zh" when $LLAMA_SCRATCH_LANG is zh or the working directory is a folder named zh, else "en"."""
    lang = os.environ.get(LANG_ENV, "").strip().lower()
    if lang in LANGUAGES:
        return lang
    return "zh" if Path.cwd().name == "zh" else "en"


def resolve(lang: str | None) -> str:
    """lang itself when it is one of LANGUAGES, the default language for None; ValueError otherwise."""
    if lang is None:
        return default_language()
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def text(key: str, lang: str | None = None, **fmt) -> str:
    """The string ``key`` in ``lang`` (default: default_language()), with ``fmt`` filled in."""
    try:
        entry = STRINGS[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in llama_scratch.tools.i18n.STRINGS") from None
    return entry[resolve(lang)].format(**fmt)
