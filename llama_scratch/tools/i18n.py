"""The words on figures, views, diagrams and exercise messages, in English and Chinese.

The notebooks of the English and the Chinese edition share identical code cells, so the language is never typed
in a cell: it comes from the environment (LLAMA_SCRATCH_LANG=zh) or from the kernel's working directory (a notebook
in notebooks/zh/ runs with that folder as its working directory).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
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
                                 "zh": "h = {h} 个查询头，k = {k} 个 KV 头，e = {e}"},
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
                          "zh": "分组查询注意力：{h} 个查询头共享 {k} 个 KV 头（n_rep = h / k = {n_rep}）"},
    "diagram.gqa.query_heads": {"en": "query heads j = 0 … {last}", "zh": "查询头 j = 0 … {last}"},
    "diagram.gqa.kv_heads": {"en": "kv heads g = 0 … {last}", "zh": "KV 头 g = 0 … {last}"},
    "diagram.gqa.rule": {"en": "query head j reads kv head j // n_rep = j // {n_rep} (not j % k)",
                         "zh": "查询头 j 读取 KV 头 j // n_rep = j // {n_rep}（不是 j % k）"},
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
                             "zh": "每个词元：2 × {n_layers} 层 × {k} 个 KV 头 × {e} × {nbytes} 字节 = "
                                   "{total} 字节（{kib} KiB，{dtype}，每个序列）"},
    "diagram.kv.full": {"en": "a full context of {t} tokens: {gib} GiB per sequence",
                        "zh": "完整的 {t} 词元上下文：每个序列 {gib} GiB"},
    # Titles of figures and views
    "model.demo_title": {"en": "{name} (demo: random weights)", "zh": "{name}（演示：随机权重）"},
    "model.trained_title": {"en": "{name} (trained demo, not Meta's weights)", "zh": "{name}（训练过的演示模型，不是 Meta 的权重）"},
    # --- figures (llama_scratch.tools.plots) ---
    "plot.default_prompt": {"en": "The llama looked at the alpaca, and it smiled.", "zh": "美洲驼看着羊驼，它笑了。"},
    "plot.prompt": {"en": 'prompt: "{prompt}"', "zh": "提示词：“{prompt}”"},
    "plot.separator": {"en": ", ", "zh": "，"},
    "plot.layer_n": {"en": "layer {n}", "zh": "第 {n} 层"},
    "plot.head_n": {"en": "head {n}", "zh": "头 {n}"},
    "plot.attention.heatmap": {"en": "Attention weights", "zh": "注意力权重"},
    "plot.attention.grid": {"en": "All heads of one layer", "zh": "同一层的所有头"},
    "plot.attention.across_layers": {"en": "One head in every layer", "zh": "同一个头在每一层"},
    "plot.attention.stages": {"en": "From scores to attention weights", "zh": "从分数到注意力权重"},
    "plot.attention.weight": {"en": "attention weight", "zh": "注意力权重"},
    "plot.attention.query_axis": {"en": "query (attending)", "zh": "查询（发出注意）"},
    "plot.attention.key_axis": {"en": "key (attended to)", "zh": "键（被注意）"},
    "plot.attention.query": {"en": "query", "zh": "查询"},
    "plot.attention.key": {"en": "key", "zh": "键"},
    "plot.attention.scores": {"en": "raw scores q·k/√e", "zh": "原始分数 q·k/√e"},
    "plot.attention.masked": {"en": "causal mask: -inf above diagonal (grey)", "zh": "因果掩码：对角线以上为 -inf（灰色）"},
    "plot.attention.softmax": {"en": "softmax per row: weights", "zh": "逐行 softmax：权重"},
    "plot.attention.score": {"en": "score", "zh": "分数"},
    "plot.rope.model": {"en": ", {model}", "zh": "，{model}"},
    "plot.rope.unscaled": {"en": "theta only (unscaled)", "zh": "仅用 theta（未缩放）"},
    "plot.rope.scaled": {"en": "Llama 3 scaled (factor {factor})", "zh": "Llama 3 缩放（因子 {factor}）"},
    "plot.rope.kept": {"en": "kept: wavelength < {high}", "zh": "保留：波长 < {high}"},
    "plot.rope.blended": {"en": "blended: {high} to {low}", "zh": "混合：{high} 到 {low}"},
    "plot.rope.divided": {"en": "divided by {factor}: wavelength > {low}", "zh": "除以 {factor}：波长 > {low}"},
    "plot.rope.pair_axis": {"en": "pair index i (dimensions 2i, 2i+1)", "zh": "维度对序号 i（维度 2i、2i+1）"},
    "plot.rope.wavelength_axis": {"en": "wavelength in positions (log scale)", "zh": "波长（位置数，对数刻度）"},
    "plot.rope.uses_scaled": {"en": "scaled", "zh": "缩放后的频率"},
    "plot.rope.uses_unscaled": {"en": "unscaled: use_scaled_rope is false",
                                "zh": "未缩放的频率：use_scaled_rope 为 false"},
    "plot.rope.frequencies": {"en": "RoPE wavelength per pair (head_dim {e}, theta {theta}; model uses {used}{model})",
                              "zh": "旋转位置编码（RoPE）：每个维度对的波长（head_dim {e}，theta {theta}；"
                                    "模型使用{used}{model}）"},
    "plot.rope.pair": {"en": "pair {p}: {rate} rad/position\n(one turn every {wavelength} positions)",
                       "zh": "第 {p} 对：{rate} rad/位置\n（每 {wavelength} 个位置转一圈）"},
    "plot.rope.dim_even": {"en": "dimension 2i", "zh": "维度 2i"},
    "plot.rope.dim_odd": {"en": "dimension 2i+1", "zh": "维度 2i+1"},
    "plot.rope.position": {"en": "position", "zh": "位置"},
    "plot.rope.spokes": {"en": "RoPE rotates (1, 0) of each pair by position x frequency, positions 0..{last} "
                               "(head_dim {e}{model})",
                         "zh": "旋转位置编码（RoPE）把每个维度对的 (1, 0) 旋转“位置 × 频率”，位置 0..{last}"
                               "（head_dim {e}{model}）"},
    "plot.rope.key_at": {"en": "key at position {p}", "zh": "键位于位置 {p}"},
    "plot.rope.key_at_same": {"en": "key at position {p} (the same curve)", "zh": "键位于位置 {p}（同一条曲线）"},
    "plot.rope.distance_axis": {"en": "relative distance + 1 (log scale)", "zh": "相对距离 + 1（对数刻度）"},
    "plot.rope.score_axis": {"en": "q·k after RoPE (q = k before rotation)", "zh": "RoPE 之后的 q·k（旋转前 q = k）"},
    "plot.rope.distance": {"en": "RoPE: the score depends only on the relative distance (head_dim {e}, "
                                 "theta {theta}{model})",
                           "zh": "旋转位置编码（RoPE）：分数只取决于相对距离（head_dim {e}，theta {theta}{model}）"},
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
    """"zh" when $LLAMA_SCRATCH_LANG is zh or the working directory is a folder named zh (or zh/solutions), else
    "en"."""
    lang = os.environ.get(LANG_ENV, "").strip().lower()
    if lang in LANGUAGES:
        return lang
    here = Path.cwd()
    return "zh" if "zh" in (here.name, here.parent.name if here.name == "solutions" else "") else "en"


def resolve(lang: str | None) -> str:
    """lang itself when it is one of LANGUAGES, the default language for None; ValueError otherwise."""
    if lang is None:
        return default_language()
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def add_texts() -> None:
    """Merge every tools/texts/*.py's STRINGS into STRINGS (a notebook's examples and its plots' words); a key
    defined twice is an error naming both files."""
    seen = {}
    for found in sorted(pkgutil.iter_modules([str(Path(__file__).with_name("texts"))]), key=lambda m: m.name):
        module = importlib.import_module(f"{__package__}.texts.{found.name}")
        for key in module.STRINGS:
            if key in STRINGS:
                where = seen.get(key, "i18n.py")
                raise ValueError(f"text {key!r} is defined in tools/texts/{found.name}.py and in {where}")
            seen[key] = f"tools/texts/{found.name}.py"
        STRINGS.update(module.STRINGS)


def text(key: str, lang: str | None = None, **fmt) -> str:
    """The string ``key`` in ``lang`` (default: default_language()), with ``fmt`` filled in. A notebook's own
    examples live in tools/texts/nbNN.py (a code cell says ``ls.text("nb01.mixed")`` and reads English in
    notebooks/, Chinese in notebooks/zh/)."""
    try:
        entry = STRINGS[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in llama_scratch.tools.i18n.STRINGS or tools/texts/") from None
    return entry[resolve(lang)].format(**fmt)


add_texts()
