"""Figures: functions that take tensors and return matplotlib figures, and save_figure to write them.

The notebooks, `make run` and `python -m llama_scratch figures` all use these, so a figure looks the same everywhere.
Every figure has a title saying what it shows (model, layer, head, prompt), fonts of at least 11 pt for slides, and
a colour bar wherever colour carries a value. Tensors may live on any device: they are moved to the CPU first.
Every function takes ``lang`` ("en" | "zh"; None: the default language, see tools.i18n) for its words; Chinese is
drawn with the committed CJK font (tools/fonts), so a figure is the same on every machine.

One module per topic (common: saving, fonts, titles; then one per notebook's subject: parameters, tokens,
embedding, norm, positions, rope, attention, forward, generation, bench, training); this package only re-exports
them, as ``from llama_scratch import plots; plots.attention_heatmap(...)``.
"""

from .common import FIGURES_ENV, MIN_FONT, figures_dir, save_figure, slide_fonts, to_numpy  # isort: skip
# (common first: it picks the headless backend before anything imports pyplot)
from ..labels import can_draw, cjk_font, default_prompt, escape_undrawable, font_files, model_title, readable, \
    token_labels
from .attention import attention_across_layers, attention_grid, attention_heatmap, attention_stages
from .bench import decode_vs_limit
from .embedding import embedding_figure
from .forward import logit_lens_figure, mask_change_figure, token_by_layer_figure, top_k_figure
from .generation import kv_cache_timing_figure, sampling_figure
from .norm import rms_norm_figure
from .ffn import residual_stream, silu_vs_relu
from .parameters import parameters_by_component
from .positions import sinusoidal_encoding_figure
from .rope import rope_frequencies_figure, rope_relative_distance_figure, rope_spokes_figure
from .tokens import token_boundaries
from .training import baselines_figure, head_scores_figure, loss_curves, schedule_figure

__all__ = ["FIGURES_ENV", "MIN_FONT", "figures_dir", "save_figure", "slide_fonts", "to_numpy", "cjk_font",
           "font_files", "can_draw", "escape_undrawable", "readable", "token_labels", "default_prompt",
           "model_title",
           # by notebook: 00, 01, 02, 03, 04, 05, 06, 07, 08, 09, 10
           "parameters_by_component", "token_boundaries", "embedding_figure", "rms_norm_figure",
           "sinusoidal_encoding_figure", "rope_frequencies_figure", "rope_spokes_figure",
           "rope_relative_distance_figure", "attention_heatmap", "attention_grid", "attention_across_layers",
           "attention_stages", "silu_vs_relu", "residual_stream", "top_k_figure", "mask_change_figure",
           "logit_lens_figure", "token_by_layer_figure", "sampling_figure", "kv_cache_timing_figure",
           "decode_vs_limit", "schedule_figure", "loss_curves", "baselines_figure", "head_scores_figure"]
