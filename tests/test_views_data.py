"""The numbers inside the interactive views' HTML equal the reference implementations' and the package's.

Peers: Meta's llama3/model.py (its softmax inputs recorded: the raw and the masked scores of every layer; its own
blocks run one by one for the logit lens), Meta's sample_top_p from llama3/generation.py (the distribution it
hands to torch.multinomial), Hugging Face's Llama 3 RoPE initialisation. The JSON is parsed out of the HTML.
"""

import ast
import importlib.util
import json
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import llama_scratch as ls
from llama_scratch.analysis.attention import attention_stages
from llama_scratch.analysis.lens import logit_lens
from llama_scratch.core.generate import sampling_probabilities
from llama_scratch.tools import views
from conftest import meta_model_module, meta_reference_model

PROMPT = "The llama looked at the alpaca, 羊驼笑了。"


def payload(html: str) -> dict:
    """The JSON a view's script reads, parsed out of its HTML."""
    found = re.findall(r'<script type="application/json" class="lsv-data">(.*?)</script>', html, re.S)
    assert len(found) == 1, "one data block per view"
    return json.loads(found[0])


class _RecordSoftmax:
    """Stands in for torch.nn.functional inside Meta's module and keeps every softmax input (scores + mask)."""

    def __init__(self):
        self.inputs = []

    def __getattr__(self, name):
        return getattr(F, name)

    def softmax(self, x, dim):
        self.inputs.append(x.detach().clone())
        return F.softmax(x, dim=dim)


@pytest.fixture(scope="module")
def meta_run(tiny_dir, tiny_model, tokenizer):
    """Meta's reference on PROMPT, block by block: per layer (raw scores, masked scores, weights) [h, s, s] and
    the lens probabilities [s, v] of the embeddings and of each block's output."""
    ids = tokenizer.encode(PROMPT, bos=True)
    tokens, s = torch.tensor([ids]), len(ids)
    factor = tiny_model.config.rope_scaling_factor
    model = meta_reference_model(ls.read_state_dict(tiny_dir / "consolidated.00.pth"),
                                 tiny_model.config.params_json(), factor, max_seq_len=s)
    module, recorder = meta_model_module(factor), _RecordSoftmax()
    saved, module.F = module.F, recorder
    stages, hidden = [], []
    try:
        with torch.inference_mode():
            h = model.tok_embeddings(tokens)
            freqs, mask = model.freqs_cis[:s], torch.full((s, s), float("-inf")).triu(1)
            hidden.append(h)
            for layer in model.layers:
                layer.attention(layer.attention_norm(h), 0, freqs, None)  # no mask: the raw scores
                h = layer(h, 0, freqs, mask)
                raw, masked = recorder.inputs[-2][0], recorder.inputs[-1][0]
                stages.append((raw, masked, F.softmax(masked, dim=-1)))
                hidden.append(h)
            lens = [F.softmax(model.output(model.norm(x)).float(), dim=-1)[0] for x in hidden]
    finally:
        module.F = saved
    return {"ids": ids, "stages": stages, "lens": lens}


def test_attention_explorer_equals_meta_and_the_model(tiny_model, tokenizer, meta_run):
    view = views.attention_explorer(tiny_model, tokenizer, PROMPT)
    data = payload(view.html())["data"]
    s, config = len(meta_run["ids"]), tiny_model.config
    assert data["layers"] == list(range(config.n_layers)) and data["n_heads"] == config.n_heads
    with torch.inference_mode():
        _, maps = tiny_model(torch.tensor([meta_run["ids"]]), return_attention=True)  # L x [1, h, s, s]
    mask = torch.tensor(data["mask"], dtype=torch.bool).view(s, s)
    assert torch.equal(mask, torch.ones(s, s, dtype=torch.bool).tril())
    for layer, (raw, masked, weights) in enumerate(meta_run["stages"]):
        scores = torch.tensor(data["scores"][layer]).view(config.n_heads, s, s)
        shown = torch.tensor(data["weights"][layer]).view(config.n_heads, s, s)
        torch.testing.assert_close(scores, raw, atol=2e-4, rtol=0)  # rounded to 4 decimals
        torch.testing.assert_close(scores.masked_fill(~mask, float("-inf")), masked, atol=2e-4, rtol=0)
        torch.testing.assert_close(shown, weights, atol=1e-4, rtol=0)
        torch.testing.assert_close(shown, maps[layer][0], atol=1e-4, rtol=0)


def test_attention_stages_are_the_models_attention(tiny_model):
    tokens = torch.randint(0, tiny_model.config.vocab_size, (2, 9), generator=torch.Generator().manual_seed(3))
    with torch.inference_mode():
        _, maps = tiny_model(tokens, return_attention=True)
    stages = attention_stages(tiny_model, tokens, layers=[1, 3])
    assert sorted(stages) == [1, 3]
    for layer, st in stages.items():
        torch.testing.assert_close(st.weights, maps[layer].float(), atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(torch.softmax(st.masked, -1), st.weights, atol=1e-6, rtol=1e-5)
        assert torch.isinf(st.masked).sum() == 2 * tiny_model.config.n_heads * 9 * 8 // 2  # above the diagonal
    with pytest.raises(ValueError, match="layers 0..3"):
        attention_stages(tiny_model, tokens, layers=[4])


def test_logit_lens_equals_meta_block_by_block(tiny_model, tokenizer, meta_run):
    view = views.logit_lens_view(tiny_model, tokenizer, PROMPT, k=5)
    data = payload(view.html())["data"]
    s = len(meta_run["ids"])
    assert len(data["ids"]) == tiny_model.config.n_layers + 1 and data["next"] == meta_run["ids"][1:] + [-1]
    for row, probs in enumerate(meta_run["lens"]):  # probs [s, v]
        ids, shown = torch.tensor(data["ids"][row]), torch.tensor(data["probs"][row])  # [s, 5]
        torch.testing.assert_close(probs.gather(-1, ids), shown, rtol=2e-3, atol=0)  # 4 significant digits
        torch.testing.assert_close(probs.topk(5).values, shown, rtol=2e-3, atol=0)  # ... and they are the top 5
        assert all(data["labels"][str(i)] for i in ids.flatten().tolist())
    with torch.inference_mode():
        last = torch.softmax(tiny_model(torch.tensor([meta_run["ids"]])), -1)[0]  # [s, v]
    lens = logit_lens(tiny_model, torch.tensor([meta_run["ids"]]), k=3)
    assert lens.top_ids.shape == (tiny_model.config.n_layers + 1, 1, s, 3)
    torch.testing.assert_close(lens.top_probs[-1, 0], last.topk(3).values)


def meta_sample_top_p():
    """Meta's sample_top_p (llama3/generation.py, the function alone) with torch.multinomial recording the
    distribution it is given; returns (sample_top_p, recorded list)."""
    origin = importlib.util.find_spec("llama_models.llama3.generation").origin
    source = Path(origin).read_text(encoding="utf-8")
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "sample_top_p")
    recorded = []

    class Torch:
        def __getattr__(self, name):
            return getattr(torch, name)

        def multinomial(self, probs, num_samples):
            recorded.append(probs.clone())
            return torch.zeros(probs.shape[0], num_samples, dtype=torch.long)

    namespace = {"torch": Torch()}
    exec(compile(ast.Module(body=[node], type_ignores=[]), origin, "exec"), namespace)
    return namespace["sample_top_p"], recorded


def test_sampling_view_equals_metas_top_p(tiny_model, tokenizer):
    view = views.sampling_view(tiny_model, tokenizer, PROMPT, n=8)
    data = payload(view.html())["data"]
    with torch.inference_mode():
        logits = tiny_model(torch.tensor([tokenizer.encode(PROMPT, bos=True)]))[:, -1]  # [1, v]
    assert data["ids"] == logits[0].argsort(descending=True)[:8].tolist()
    sample_top_p, recorded = meta_sample_top_p()
    for it, t in enumerate(data["temperatures"]):
        for ip, p in enumerate(data["top_ps"]):
            if t not in (0.0, 0.5, 1.0, 2.0) or p not in (0.1, 0.5, 0.9, 1.0):
                continue  # a 4 x 4 sample of the grid (each point sorts the vocabulary in both implementations)
            if t == 0:  # Meta: argmax, i.e. everything on the most likely token
                want = F.one_hot(torch.tensor([0]), logits.shape[-1]).float()  # [1, v], most likely first
            else:  # Meta: softmax(logits / temperature), then sample_top_p; the distribution it draws from
                sample_top_p(torch.softmax(logits / t, dim=-1), p)
                want = recorded.pop()  # [1, v], most likely first
            torch.testing.assert_close(torch.tensor(data["probs"][it][ip]), want[0, :8], rtol=2e-3, atol=1e-12)
            torch.testing.assert_close(torch.tensor(data["others"][it][ip]), want[0, 8:].sum(), rtol=2e-3,
                                       atol=1e-9)
            # Where the nucleus ends in the far tail rests on float32 cumsum rounding; the tokens the two
            # implementations disagree on must carry (almost) no probability.
            lo, hi = sorted((data["kept"][it][ip], int((want > 0).sum())))
            assert hi - lo <= 1e-3 * logits.shape[-1] and softmax_tail(logits, t, lo, hi) < 1e-5, (t, p, lo, hi)


def softmax_tail(logits, t, lo, hi) -> float:
    """The plain softmax probability of the tokens ranked lo..hi-1 (0 when lo == hi)."""
    if lo == hi:
        return 0.0
    return torch.softmax(logits[0] / max(t, 1e-6), -1).sort(descending=True).values[lo:hi].sum().item()


def test_sample_next_token_draws_from_sampling_probabilities():
    logits = torch.randn(1, 40, generator=torch.Generator().manual_seed(0)) * 3  # [1, v]
    probs = sampling_probabilities(logits, 0.8, 0.7)[0]  # [v]
    g = torch.Generator().manual_seed(1)
    draws = torch.stack([ls.sample_next_token(logits.expand(500, -1), 0.8, 0.7, g) for _ in range(40)]).flatten()
    counts = torch.bincount(draws, minlength=40).double()  # 20,000 draws
    assert counts[probs == 0].sum() == 0, "a token outside the nucleus was drawn"
    expected = probs.double() * len(draws)
    assert ((counts - expected).abs() <= 5 * expected.clamp(min=1).sqrt()).all()  # within 5 sigma per token
    assert torch.equal(sampling_probabilities(logits, 0.0)[0], F.one_hot(logits.argmax(-1), 40)[0].float())


def test_rope_explorer_is_the_real_1b_and_equals_hf_and_the_package():
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    from llama_scratch.checkpoints.hf import hf_config

    data = payload(views.rope_explorer().html())["data"]
    real = ls.config_from_params(ls.LLAMA_3_2_1B_PARAMS)
    assert (data["head_dim"], data["theta"], data["factor"]) == (64, 500000.0, 32.0) and data["scaled"]
    hf_scaled = ROPE_INIT_FUNCTIONS["llama3"](hf_config(real), "cpu")[0]  # [32]
    torch.testing.assert_close(torch.tensor(data["inv_freq_scaled"]), hf_scaled.float(), rtol=1e-6, atol=0)
    unscaled = 1.0 / 500000.0 ** (torch.arange(0, 64, 2, dtype=torch.float64) / 64)
    torch.testing.assert_close(torch.tensor(data["inv_freq"], dtype=torch.float64), unscaled, rtol=1e-6, atol=0)
    wavelength = 2 * torch.pi / unscaled  # Meta's bands: < 8192 / 4 kept, > 8192 / 1 divided by the factor
    want = ["kept" if w < 2048 else "divided" if w > 8192 else "blended" for w in wavelength.tolist()]
    assert data["band"] == want and set(want) == {"kept", "blended", "divided"}
    positions = torch.tensor(data["positions"])
    assert positions[0] == 0 and positions[-1] == real.max_seq_len and (positions.diff() > 0).all()
    for suffix, freqs in (("", ls.rope_inverse_frequencies(64, 500000.0)), ("_scaled", ls.rope_frequencies(real))):
        cos, sin = ls.rope_angles(freqs, positions)
        torch.testing.assert_close(torch.tensor(data["cos" + suffix]), cos, atol=1e-5, rtol=0)
        torch.testing.assert_close(torch.tensor(data["sin" + suffix]), sin, atol=1e-5, rtol=0)
        # q·k with q = k: the sum over pairs of |q_i|^2 cos(distance * freq_i), in float64 (Meta's complex form)
        q = torch.randn(64, generator=torch.Generator().manual_seed(0)).double().view(32, 2)
        angle = positions.double()[:, None] * freqs.double()[None, :]  # [n, 32]
        want = (q.pow(2).sum(-1)[None, :] * torch.cos(angle)).sum(-1)  # [n]
        near = positions <= 8192  # float32 angles drift by ~position x 6e-8 rad further out
        torch.testing.assert_close(torch.tensor(data["qk" + suffix])[near], want[near].float(), atol=2e-3, rtol=1e-4)
        torch.testing.assert_close(torch.tensor(data["qk" + suffix]), want.float(), atol=0.5, rtol=0)
