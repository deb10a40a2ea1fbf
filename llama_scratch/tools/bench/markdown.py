"""The benchmark's report as Markdown: the settings and the machine, decode speed against the memory limit for
every variant side by side, one table per variant (ours vs HF) with its targets, and int8's quality."""

from __future__ import annotations

from .report import cpu_features

RESULT = {True: "met", False: "**not met**", None: "not determined"}


def _variant_label(v: dict) -> str:
    if v["quantize"]:
        return f"{v['quantize']} weights, bf16 activations"
    return v["dtype"] + (" (ours prepacked)" if v.get("prepack") else "")


def header(report: dict) -> list[str]:
    s, m, bw = report["settings"], report["machine"], report["bandwidth"]
    load = " / ".join(f"{a:.2f}" for a in (m["load_average"][0], report.get("load_average_after", [None])[0])
                      if a is not None)
    int8 = f", `quantize=\"{s['quantize']}\"` ({s['quantize']})" if s.get("quantize") else ""
    return [
        f"Benchmark: llama_scratch vs Hugging Face transformers {m['transformers']} ({report['date']})", "",
        f"- checkpoint `{report['checkpoint']}`: {report['n_params']:,} parameters"
        f"{', random demo weights' if report['is_demo'] else ''}",
        f"- {s['device']} ({m['device_name']}{cpu_features(m, s)}), {m['cores']} cores, {m['torch_threads']} torch "
        f"threads, torch {m['torch']}; median of {s['repeats']} run(s) each, ours and HF alternating",
        f"- 1-minute load average at the start / end: {load} (other work on the machine slows every number)",
        f"- decode: {s['new_tokens']} greedy tokens after a {report['prompt_tokens']}-token prompt; tokens/s over "
        "the tokens after the first",
        f"- ours: `load_model(checkpoint, dtype=...{', prepack=True' if s.get('prepack') == 'on' else ''})` "
        f"(float32, bfloat16){int8}; HF: `LlamaForCausalLM.from_pretrained(dir, dtype=...)`",
        f"- memory bandwidth (torch, {bw['threads']} threads, {bw['array_bytes'] / 2**20:.0f} MiB arrays, best of "
        f"each run, median of {bw['runs']}): read {bw['read'] / 1e9:.1f} GB/s, copy {bw['copy'] / 1e9:.1f} GB/s, "
        f"triad {bw['triad'] / 1e9:.1f} GB/s; the limit used below is the highest, **{bw['limit'] / 1e9:.1f} GB/s** "
        f"(spread between runs {100 * bw['limit_spread']:.0f} %)",
        f"- bytes read per token: every weight tensor (each block's 7 matrices and 2 norms, the final norm, the "
        f"output matrix, int8 scales) + the KV cache at the mean position the timed steps attend to "
        f"({report['variants'][0]['mean_context']:g})", "",
    ]


def speed_table(report: dict) -> list[str]:
    """Every variant and implementation: tokens/s, bytes per token, GB/s read, fraction of the bandwidth."""
    lines = ["| weights | implementation | decode tokens/s | bytes read per token (GB) | read (GB/s) "
             "| of measured bandwidth | its matmuls alone | ours / HF |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for v in report["variants"]:
        for impl in ("ours", "hf"):
            s = v[impl]
            if s is None:
                continue
            ratio = f"{v['ours']['decode_tokens_per_s'] / v['hf']['decode_tokens_per_s']:.2f}" \
                if impl == "ours" and v["hf"] else "–"
            alone = f"{100 * s['matmul_bandwidth_fraction']:.0f} %" if "matmul_bandwidth_fraction" in s else "–"
            lines.append(f"| {_variant_label(v)} | {'ours' if impl == 'ours' else 'HF'} | "
                         f"{s['decode_tokens_per_s']:.2f} | {s['decode_bytes_per_token'] / 1e9:.3f} | "
                         f"{s['decode_bytes_per_s'] / 1e9:.1f} | {100 * s['bandwidth_fraction']:.0f} % | {alone} | "
                         f"{ratio} |")
    return lines + ["", "*its matmuls alone*: the same weights through the same F.linear calls, one decode step's "
                        "worth, without attention, norms and the Python around them (bench/ceiling.py): the "
                        "ceiling these kernels allow.", ""]


def variant_table(report: dict, v: dict) -> list[str]:
    s, o, h = report["settings"], v["ours"], v["hf"] or {}
    lines = [f"### {_variant_label(v)}", ""]
    if v["hf"]:
        lines += [f"Same greedy tokens, ours vs HF: **{'yes' if v['same_tokens'] else 'no'}** "
                  f"({v['matching_prefix']}/{s['new_tokens']} identical from the start)", ""]
    lines += ["| measurement | ours | HF | ours / HF |", "|---|---:|---:|---:|"]

    def row(name, a, b, fmt="{:.2f}"):
        ratio = f"{a / b:.2f}" if (a is not None and b) else "–"
        lines.append(f"| {name} | {fmt.format(a) if a is not None else '–'} | "
                     f"{fmt.format(b) if b is not None else '–'} | {ratio} |")

    row("load time (s)", o["load_s"], h.get("load_s"))
    row("peak RSS after loading (MiB)", o["load_peak_rss_mb"], h.get("load_peak_rss_mb"), "{:.0f}")
    row("peak RSS, whole run (MiB)", o["peak_rss_mb"], h.get("peak_rss_mb"), "{:.0f}")
    row("peak RSS minus RSS after imports (MiB)", o["peak_rss_over_imports_mb"], h.get("peak_rss_over_imports_mb"),
        "{:.0f}")
    if "peak_gpu_mb" in o:
        row("peak GPU memory allocated (MiB)", o["peak_gpu_mb"], h.get("peak_gpu_mb"), "{:.0f}")
    for n in o["prefill_s"]:
        row(f"prefill {n} tokens (s)", o["prefill_s"][n], h.get("prefill_s", {}).get(n), "{:.3f}")
    row("first token after the prompt (s)", o["first_token_s"], h.get("first_token_s"), "{:.3f}")
    row(f"decode with KV cache, {s['new_tokens']} tokens (tokens/s)", o["decode_tokens_per_s"],
        h.get("decode_tokens_per_s"))
    if "no_cache_tokens_per_s" in o:
        only = "only " if s["no_cache_tokens"] < s["new_tokens"] else ""
        row(f"decode without cache, {only}{s['no_cache_tokens']} tokens (tokens/s)", o["no_cache_tokens_per_s"],
            None)
    lines += ["", "| target | measured | result |", "|---|---:|---|"]
    for t in v["targets"]:
        lines.append(f"| {t['target']} | {t['value']:.3f} | {RESULT[t['met']]}{t.get('note', '')} |")
    return lines + [""]


def quality_table(q: dict) -> list[str]:
    a, b = "int8 vs bf16", "bf16 vs fp32 (rounding, for scale)"
    li, lb = q["logits_int8_vs_bf16"], q["logits_bf16_vs_fp32"]
    gi, gb = q["greedy_int8_vs_bf16"], q["greedy_bf16_vs_fp32"]
    lines = ["### int8 quality", "",
             f"Logits over the same {q['sequence_length']} tokens (prompt + the bf16 model's greedy continuation), "
             f"every position and vocabulary entry; greedy: each model's own {q['n_tokens']} tokens.", "",
             f"| measurement | {a} | {b} |", "|---|---:|---:|",
             f"| max abs logit difference | {li['max']:.4f} | {lb['max']:.4f} |",
             f"| mean abs logit difference | {li['mean']:.5f} | {lb['mean']:.5f} |",
             f"| max / std of the logits | {li['max_over_std']:.4f} | {lb['max_over_std']:.4f} |",
             f"| greedy tokens identical from the start | {gi['identical_prefix']}/{gi['tokens']} | "
             f"{gb['identical_prefix']}/{gb['tokens']} |",
             f"| greedy: same token at the same position | {gi['same_position']}/{gi['tokens']} | "
             f"{gb['same_position']}/{gb['tokens']} |"]
    if "held_out" in q:
        loss = q["held_out"]["loss"]
        lines.append(f"| held-out loss ({q['held_out']['tokens']} tokens), fp32 / bf16 / int8 | "
                     f"{loss['float32']:.4f} / {loss['bfloat16']:.4f} / {loss['int8']:.4f} | "
                     f"int8 vs bf16: {100 * q['held_out']['int8_vs_bf16_increase']:+.2f} % |")
    return lines + [""]


def markdown(report: dict) -> str:
    """The whole report as Markdown."""
    lines = header(report) + speed_table(report)
    for v in report["variants"]:
        lines += variant_table(report, v)
    if "quality" in report:
        lines += quality_table(report["quality"])
    return "\n".join(lines)
