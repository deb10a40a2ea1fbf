"""The checks of notebook 07's exercises: right answers (a padding mask written out element by element from its
definition, the residual stream read from Hugging Face's LlamaForCausalLM with hooks, plain arithmetic) pass, the
typical wrong ones fail, an unanswered one returns None. Also the notebook's figures (tools/plots/forward.py) in
both languages."""

import math
import re

import matplotlib.pyplot as plt
import pytest
import torch

import llama_scratch as ls
from llama_scratch import plots
from llama_scratch.checkpoints.hf import hf_model_from_state_dict
from llama_scratch.tools import exercises


def check(ex_id, answer, **context):
    return exercises.check(ex_id, answer, lang="en", **context)


def test_unanswered_exercises_return_none(capsys):
    for k in range(1, 5):
        assert check(f"7.{k}", ...) is None
    assert capsys.readouterr().out.count("not answered yet") == 4


def loop_mask(lengths, t, left, own=True, causal=True, honour_side=True):
    """The padding mask from its definition, one element at a time: query i may see key j when j <= i and key j is
    a real token, or j == i. The switches build the typical mistakes."""
    out = torch.zeros(len(lengths), 1, t, t, dtype=torch.bool)
    for r, n in enumerate(lengths):
        real = set(range(t - n, t)) if (left or not honour_side) else set(range(n))
        for i in range(t):
            for j in range(t):
                out[r, 0, i, j] = (j <= i or not causal) and (j in real or (own and i == j))
    return out


def test_padding_mask_from_lengths():
    assert check("7.1", loop_mask)
    assert check("7.1", lambda lengths, t, left: loop_mask(lengths, t, left).long())  # 0/1 is fine too
    assert not check("7.1", lambda lengths, t, left: loop_mask(lengths, t, left, own=False))  # NaN rows
    assert not check("7.1", lambda lengths, t, left: loop_mask(lengths, t, left, honour_side=False))  # left only
    assert not check("7.1", lambda lengths, t, left: loop_mask(lengths, t, left, causal=False))  # sees the future
    assert not check("7.1", lambda lengths, t, left: loop_mask(lengths, t, left)[:, 0])  # [b, t, t]: no head axis
    assert not check("7.1", lambda lengths, t, left: None)  # the blank body


@pytest.fixture(scope="module")
def hf_residual(tiny_dir, tiny_model):
    """(tokens [1, s], the residual stream at the last position as Hugging Face computes it: n_layers + 1 [d])."""
    hf = hf_model_from_state_dict(ls.read_state_dict(tiny_dir / "consolidated.00.pth"), tiny_model.config)
    tokens = torch.randint(0, 5000, (1, 9), generator=torch.Generator().manual_seed(3))
    seen = []
    hooks = [hf.model.embed_tokens.register_forward_hook(lambda m, i, o: seen.append(o))]
    hooks += [layer.register_forward_hook(lambda m, i, o: seen.append(o[0] if isinstance(o, tuple) else o))
              for layer in hf.model.layers]
    with torch.inference_mode():
        hf(input_ids=tokens)
    for h in hooks:
        h.remove()
    return tokens, [h[0, -1].float() for h in seen]


def test_residual_norms(tiny_model, hf_residual):
    tokens, stream = hf_residual
    right = [h.norm().item() for h in stream]
    assert len(right) == tiny_model.config.n_layers + 1
    assert check("7.2", right, model=tiny_model, tokens=tokens)
    assert check("7.2", torch.tensor(right), model=tiny_model, tokens=tokens)
    assert not check("7.2", right[1:], model=tiny_model, tokens=tokens)  # the embeddings row left out
    assert not check("7.2", [h.pow(2).sum().item() for h in stream], model=tiny_model, tokens=tokens)  # squared
    normed = [ls.rms_norm(h, tiny_model.norm.weight, 1e-5).norm().item() for h in stream]
    assert not check("7.2", normed, model=tiny_model, tokens=tokens)  # after the final norm


def test_perplexity_and_bits():
    assert check("7.3", (math.exp(1.5), 1.5 / math.log(2)))
    assert check("7.3", [4.4817, 2.164])
    assert not check("7.3", (2 ** 1.5, 1.5 / math.log(2)))  # 2^loss with a loss in nats
    assert not check("7.3", (math.exp(1.5), 1.5 * math.log(2)))  # nats -> bits the wrong way
    assert not check("7.3", (1.5 / math.log(2), math.exp(1.5)))  # swapped


def test_matmul_count():
    n_layers = 16  # Llama-3.2-1B's params.json
    assert check("7.4", (n_layers * 7 + 1, n_layers * 2))
    assert not check("7.4", (n_layers * 7, n_layers * 2))  # forgot the output projection
    assert not check("7.4", (n_layers * 7 + 2, n_layers * 2))  # counted the embedding lookup
    assert not check("7.4", (n_layers * 6 + 1, n_layers * 2))  # SwiGLU as two matrices
    assert not check("7.4", (n_layers * 7 + 1, n_layers * 2 * 32))  # one product per head


def test_forward_figures_speak_both_languages():
    """Every word of the notebook's figures in Chinese under lang="zh" (no English word left) and in English."""
    lens_probs, cells = torch.rand(3, 4), [["a", "b", "c", "d"]] * 3
    labels = ["<|begin_of_text|>", "x", "y", "z"]
    for lang in ("en", "zh"):
        figs = [plots.top_k_figure(torch.tensor([0.5, 0.3]), ["a", "b"], model_name="M", lang=lang),
                plots.mask_change_figure(torch.rand(4), torch.rand(4), labels, 2, model_name="M", lang=lang),
                plots.logit_lens_figure(lens_probs, cells, labels, model_name="M", prompt="p", lang=lang),
                plots.token_by_layer_figure(torch.rand(3), "␣grass", [9, 2, 1], model_name="M", lang=lang)]
        words = []
        for fig in figs:
            fig.canvas.draw()
            words += [t.get_text() for t in fig.findobj(plt.Text)
                      if t.get_visible() and not re.fullmatch(r"\$.*\$", t.get_text())]  # tick numbers
        joined = "\n".join(w for w in words if w not in labels + ["a", "b", "c", "d", "M"])
        english = set(re.findall(r"[A-Za-z_]{2,}", joined)) - {"begin_of_text", "grass", "logits", "logit"}
        if lang == "zh":
            assert "logit 透镜" in joined and "第 0 块之后" in joined and "第 1 名" in joined
            assert not english, sorted(english)
        else:
            assert "Logit lens" in joined and "after block 0" in joined and "rank 1" in joined
        plt.close("all")
    with pytest.raises(ValueError, match="probs"):
        plots.top_k_figure(torch.rand(3), ["a"])
