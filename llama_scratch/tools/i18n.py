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
    # --- diagrams (llama_scratch.tools.diagrams) ---
    "diagram.arch.title": {"en": "Llama 3 from its params.json: {n_layers} layers, d = {d}, v = {v}",
                           "zh": "由 params.json 得出的 Llama 3：{n_layers} 层，d = {d}，v = {v}"},
    "diagram.tokenizer": {"en": "Tokenizer (byte-level BPE)", "zh": "分词器（字节级 BPE）"},
    "diagram.tokenizer.detail": {"en": "text → token ids", "zh": "文本 → 词元 id"},
    "diagram.token_ids": {"en": "token ids [b, s]", "zh": "词元 id [b, s]"},
    "diagram.embedding": {"en": "Embedding", "zh": "嵌入"},
    "diagram.embedding.detail": {"en": "row lookup in [v, d] = [{v}, {d}]", "zh": "在 [v, d] = [{v}, {d}] 中按行查表"},
    "diagram.block": {"en": "{n} × transformer block", "zh": "{n} × Transformer 块"},
    "diagram.rmsnorm": {"en": "RMSNorm", "zh": "均方根归一化（RMSNorm）"},
    "diagram.final_norm": {"en": "RMSNorm (final)", "zh": "均方根归一化（最终）"},
    "diagram.attention": {"en": "Attention (GQA)", "zh": "分组查询注意力（GQA）"},
    "diagram.attention.detail": {"en": "h = {h} query heads, k = {k} kv heads, e = {e}",
                                 "zh": "h = {h} 个查询头，k = {k} 个键值头，e = {e}"},
    "diagram.rope": {"en": "RoPE on q and k", "zh": "旋转位置编码（RoPE）：作用于 q、k"},
    "diagram.rope.scaled": {"en": "θ = {theta}, Llama 3 scaling × {factor}", "zh": "θ = {theta}，Llama 3 缩放 × {factor}"},
    "diagram.rope.unscaled": {"en": "θ = {theta}, unscaled", "zh": "θ = {theta}，未缩放"},
    "diagram.kv_cache": {"en": "KV cache", "zh": "键值缓存（KV cache）"},
    "diagram.kv_cache.detail": {"en": "K, V [b, k, t, e] per layer", "zh": "每层的 K、V [b, k, t, e]"},
    "diagram.swiglu": {"en": "SwiGLU feed-forward", "zh": "SwiGLU 前馈网络"},
    "diagram.swiglu.detail": {"en": "d → f → d: {d} → {f} → {d}", "zh": "d → f → d：{d} → {f} → {d}"},
    "diagram.residual": {"en": "residual", "zh": "残差"},
    "diagram.output": {"en": "Output projection", "zh": "输出层"},
    "diagram.output.tied": {"en": "tied: the embedding matrix, [b, s, d] → [b, s, v]",
                            "zh": "与嵌入共享权重：[b, s, d] → [b, s, v]"},
    "diagram.output.untied": {"en": "its own matrix [v, d], [b, s, d] → [b, s, v]",
                              "zh": "独立的矩阵 [v, d]：[b, s, d] → [b, s, v]"},
    "diagram.logits": {"en": "logits [b, s, v]", "zh": "logits [b, s, v]"},
    "diagram.sampling": {"en": "Pick the next token", "zh": "选出下一个词元"},
    "diagram.sampling.detail": {"en": "greedy or top-p; append it and repeat", "zh": "贪心或 top-p；追加后重复"},
    "diagram.loss": {"en": "Cross-entropy loss", "zh": "交叉熵损失"},
    "diagram.loss.detail": {"en": "against the next token at every position", "zh": "每个位置都与下一个词元比较"},
    "diagram.highlighted": {"en": "highlighted: {parts}", "zh": "高亮：{parts}"},
    "diagram.list_separator": {"en": ", ", "zh": "、"},
    "diagram.part.tokenizer": {"en": "the tokenizer", "zh": "分词器"},
    "diagram.part.embedding": {"en": "the embedding", "zh": "嵌入"},
    "diagram.part.rmsnorm": {"en": "RMSNorm", "zh": "均方根归一化"},
    "diagram.part.rope": {"en": "RoPE", "zh": "旋转位置编码"},
    "diagram.part.attention": {"en": "attention", "zh": "注意力"},
    "diagram.part.kv_cache": {"en": "the KV cache", "zh": "键值缓存"},
    "diagram.part.swiglu": {"en": "the SwiGLU feed-forward", "zh": "SwiGLU 前馈网络"},
    "diagram.part.block": {"en": "the block and its residual connections", "zh": "Transformer 块及其残差连接"},
    "diagram.part.output": {"en": "the output projection", "zh": "输出层"},
    "diagram.part.sampling": {"en": "picking the next token", "zh": "选出下一个词元"},
    "diagram.part.loss": {"en": "the loss", "zh": "损失"},
    "diagram.part.forward": {"en": "the whole forward pass", "zh": "完整的前向传播"},
    "diagram.part.generation": {"en": "the generation loop and the KV cache", "zh": "生成循环与键值缓存"},
    "diagram.part.weights": {"en": "every tensor of the checkpoint", "zh": "检查点中的全部张量"},
    "diagram.part.speed": {"en": "what each generated token reads from memory", "zh": "每生成一个词元都要从内存读取的内容"},
    "diagram.part.training": {"en": "the training loss", "zh": "训练损失"},
    "diagram.gqa.title": {"en": "Grouped-query attention: {h} query heads share {k} kv heads (n_rep = h / k = {n_rep})",
                          "zh": "分组查询注意力：{h} 个查询头共享 {k} 个键值头（n_rep = h / k = {n_rep}）"},
    "diagram.gqa.query_heads": {"en": "query heads j = 0 … {last}", "zh": "查询头 j = 0 … {last}"},
    "diagram.gqa.kv_heads": {"en": "kv heads g = 0 … {last}", "zh": "键值头 g = 0 … {last}"},
    "diagram.gqa.rule": {"en": "query head j reads kv head j // n_rep = j // {n_rep} (not j % k)",
                         "zh": "查询头 j 读取键值头 j // n_rep = j // {n_rep}（不是 j % k）"},
    "diagram.gqa.saving": {"en": "K and V are stored for {k} heads instead of {h}: the KV cache is {n_rep}× smaller",
                           "zh": "只需为 {k} 个头（而非 {h} 个）存储 K 和 V：键值缓存缩小为 1/{n_rep}"},
    "diagram.kv.title": {"en": "KV cache: {n_layers} layers, prefill of {s} positions, then {n} decode steps",
                         "zh": "键值缓存：{n_layers} 层，预填充 {s} 个位置，再解码 {n} 步"},
    "diagram.kv.layer": {"en": "layer {i}", "zh": "第 {i} 层"},
    "diagram.kv.more_layers": {"en": "… {n} more layers …", "zh": "… 另外 {n} 层 …"},
    "diagram.kv.position": {"en": "position", "zh": "位置"},
    "diagram.kv.prefill": {"en": "prefill: one forward pass writes positions 0 … {last} in every layer",
                           "zh": "预填充：一次前向传播写入每一层的位置 0 … {last}"},
    "diagram.kv.decode": {"en": "decode step {i}: writes position {pos} in every layer, reads 0 … {pos}",
                          "zh": "解码第 {i} 步：在每一层写入位置 {pos}，读取 0 … {pos}"},
    "diagram.kv.stored": {"en": "stored per layer: K and V, each [b, k, t, e] = [b, {k}, t, {e}]",
                          "zh": "每层存储 K 和 V，形状均为 [b, k, t, e] = [b, {k}, t, {e}]"},
    "diagram.kv.per_token": {"en": "per token: 2 × {n_layers} layers × {k} kv heads × {e} × {nbytes} bytes = "
                                   "{total} bytes ({kib} KiB) in {dtype}, per sequence",
                             "zh": "每个词元：2 × {n_layers} 层 × {k} 个键值头 × {e} × {nbytes} 字节 = "
                                   "{total} 字节（{kib} KiB，{dtype}，每个序列）"},
    "diagram.kv.full": {"en": "a full context of {t} tokens: {gib} GiB per sequence",
                        "zh": "完整的 {t} 词元上下文：每个序列 {gib} GiB"},
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
