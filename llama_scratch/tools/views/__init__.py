"""Interactive views for notebooks, exported HTML and standalone pages: HTML + vanilla JavaScript, data inside.

    from llama_scratch.tools import views
    views.attention_explorer(model, tokenizer, prompt)   # layer/head pickers, raw -> masked -> softmax, hover
    views.rope_explorer()                                # the real Llama-3.2-1B's RoPE: rotation, bands, q·k
    views.logit_lens_view(model, tokenizer, prompt)      # layer x position grid of top tokens, hover for top-k
    views.sampling_view(model, tokenizer, prompt)        # next-token distribution under temperature / top-p

Each returns a View: a notebook shows it (with a static PNG for untrusted notebooks and PDF export),
view.save("name.html") writes a standalone page, view.static() gives the matplotlib figure. base.py says how
they stay offline.
"""

from .attention import AttentionExplorer, attention_explorer
from .base import View
from .lens import LogitLensView, logit_lens_view
from .rope import RopeExplorer, rope_explorer
from .sampling import SamplingView, sampling_view

__all__ = ["View", "AttentionExplorer", "attention_explorer", "RopeExplorer", "rope_explorer", "LogitLensView",
           "logit_lens_view", "SamplingView", "sampling_view", "make_views"]


def make_views(model, tokenizer, prompt: str, model_name: str = "", layers=None, lang: str | None = None) -> dict:
    """name -> view, the set `python -m llama_scratch figures --format html` saves (the RoPE explorer of this
    model's config; the attention explorer of ``layers``, default all)."""
    return {
        "attention_explorer": attention_explorer(model, tokenizer, prompt, layers=layers, model_name=model_name,
                                                 lang=lang),
        "rope_explorer": rope_explorer(model.config, model_name=model_name, lang=lang),
        "logit_lens": logit_lens_view(model, tokenizer, prompt, model_name=model_name, lang=lang),
        "sampling": sampling_view(model, tokenizer, prompt, model_name=model_name, lang=lang),
    }
