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
    # Titles of figures and views
    "model.demo_title": {"en": "{name} (demo: random weights)", "zh": "{name}（演示：随机权重）"},
    # Interactive views (llama_scratch.tools.views): every word they show
    "view.static_note": {"en": "A static picture: run the cell (or trust the notebook) to explore it interactively.",
                         "zh": "这是静态图：运行此单元格（或信任此笔记本）即可交互探索。"},
    "view.repr": {"en": "<{name}: an interactive view; a notebook shows it, view.save(path) writes it as .html>",
                  "zh": "<{name}：交互视图；在笔记本中显示，或用 view.save(path) 保存为 .html>"},
    "view.prompt": {"en": "prompt: {prompt}", "zh": "提示词：{prompt}"},
    "view.layer": {"en": "layer", "zh": "层"},
    "view.head": {"en": "head", "zh": "头"},
    "view.layer_n": {"en": "layer {n}", "zh": "第 {n} 层"},
    "view.head_n": {"en": "head {head} (kv {kv})", "zh": "头 {head}（kv {kv}）"},
    "view.all_heads": {"en": "all heads of this layer", "zh": "本层所有头"},
    "view.attention.title": {"en": "Attention explorer", "zh": "注意力探索器"},
    "view.attention.scores": {"en": "raw scores q·k/√e", "zh": "原始分数 q·k/√e"},
    "view.attention.masked": {"en": "causal mask: −∞ above the diagonal", "zh": "因果掩码：对角线以上为 −∞"},
    "view.attention.weights": {"en": "softmax per row: weights", "zh": "逐行 softmax：权重"},
    "view.attention.query": {"en": "query (attending)", "zh": "查询（发出注意）"},
    "view.attention.key": {"en": "key (attended to)", "zh": "键（被注意）"},
    "view.attention.kv": {"en": "query head {head} reads kv head {kv} = {head} // n_rep ({rep})",
                          "zh": "查询头 {head} 读取 kv 头 {kv} = {head} // n_rep（{rep}）"},
    "view.attention.hint": {"en": "Hover a token or a row: the row is outlined and the tokens it attends to are "
                                  "shaded by their weight.",
                            "zh": "把鼠标移到某个词元或某一行上：该行被框出，它所注意的词元按权重着色。"},
    "view.attention.cell": {"en": "query {q} → key {k}: {v}", "zh": "查询 {q} → 键 {k}：{v}"},
    "view.attention.future": {"en": "query {q} → key {k}: masked (−∞), a token never sees later tokens",
                              "zh": "查询 {q} → 键 {k}：被掩码（−∞），词元看不到后面的词元"},
    "view.attention.pick": {"en": "Click a head to open it.", "zh": "点击某个头即可放大查看。"},
    "view.rope.title": {"en": "RoPE explorer", "zh": "RoPE 探索器"},
    "view.rope.config": {"en": "{model}: head_dim {e} ({pairs} pairs), theta {theta}",
                         "zh": "{model}：head_dim {e}（{pairs} 对），theta {theta}"},
    "view.rope.distance": {"en": "query {d} positions after the key", "zh": "查询位于键之后 {d} 个位置"},
    "view.rope.scaled": {"en": "Llama 3 scaling (factor {factor})", "zh": "Llama 3 缩放（因子 {factor}）"},
    "view.rope.pairs": {"en": "Each pair (2i, 2i+1) of q turned by distance × θ_i relative to k (grey)",
                        "zh": "q 的每一对维度 (2i, 2i+1) 相对 k（灰色）转过 距离 × θ_i"},
    "view.rope.pair": {"en": "pair {i}", "zh": "第 {i} 对"},
    "view.rope.kept": {"en": "kept", "zh": "保留"},
    "view.rope.blended": {"en": "blended", "zh": "混合"},
    "view.rope.divided": {"en": "divided by the factor", "zh": "除以因子"},
    "view.rope.unscaled": {"en": "theta only (unscaled)", "zh": "仅 theta（未缩放）"},
    "view.rope.wavelength": {"en": "wavelength 2π/θ_i: positions per full turn",
                             "zh": "波长 2π/θ_i：转一整圈的位置数"},
    "view.rope.score": {"en": "q·k after RoPE against distance (q = k before rotation)",
                        "zh": "RoPE 之后的 q·k 随距离变化（旋转前 q = k）"},
    "view.rope.distance_axis": {"en": "distance from query to key (log scale)", "zh": "查询到键的距离（对数刻度）"},
    "view.rope.turns": {"en": "pair 0 has turned {fast} times, pair {last} {slow} of a turn",
                        "zh": "第 0 对已转 {fast} 圈，第 {last} 对转了 {slow} 圈"},
    "view.lens.title": {"en": "Logit lens: the most likely next token after each layer",
                        "zh": "Logit lens：每一层之后最可能的下一个词元"},
    "view.lens.embeddings": {"en": "embeddings", "zh": "嵌入"},
    "view.lens.after": {"en": "after layer {n}", "zh": "第 {n} 层之后"},
    "view.lens.hint": {"en": "Hover a cell for its top-{k} and their probabilities; underlined: the prompt's next "
                             "token.",
                       "zh": "把鼠标移到单元格上查看前 {k} 个词元及其概率；带下划线的是提示词中真正的下一个词元。"},
    "view.lens.cell": {"en": "{row}, position {pos} (after {token}): top-{k}",
                       "zh": "{row}，位置 {pos}（{token} 之后）：前 {k} 个"},
    "view.sampling.title": {"en": "Sampling: the next-token distribution", "zh": "采样：下一个词元的分布"},
    "view.sampling.temperature": {"en": "temperature {t}", "zh": "温度 {t}"},
    "view.sampling.greedy": {"en": "temperature 0 (greedy)", "zh": "温度 0（贪心）"},
    "view.sampling.top_p": {"en": "top-p {p}", "zh": "top-p {p}"},
    "view.sampling.kept": {"en": "{n} tokens can be drawn", "zh": "可以抽到 {n} 个词元"},
    "view.sampling.others": {"en": "all other tokens", "zh": "其余所有词元"},
    "view.sampling.outline": {"en": "outline: temperature 1, top-p 1 (the plain softmax)",
                              "zh": "轮廓：温度 1、top-p 1（普通的 softmax）"},
    "view.probability": {"en": "probability", "zh": "概率"},
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
