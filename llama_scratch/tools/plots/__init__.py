"""Figures: functions that take tensors and return matplotlib figures, and save_figure to write them.

The notebooks, `make run` and `python -m llama_scratch figures` all use these, so a figure looks the same everywhere.
Every figure has a title saying what it shows (model, layer, head, prompt), fonts of at least 11 pt for slides, and
a colour bar wherever colour carries a value. Tensors may live on any device: they are moved to the CPU first.
Every function takes ``lang`` ("en" | "zh"; None: the default language, see tools.i18n) for its words; Chinese is
drawn with the committed CJK font (tools/fonts), so a figure is the same on every machine.

One module per topic (common: saving, fonts, titles; attention; rope); this package only re-exports them, as
``from llama_scratch import plots; plots.attention_heatmap(...)``.
"""

from .common import FIGURES_ENV, MIN_FONT, figures_dir, save_figure, slide_fonts, to_numpy  # isort: skip
# (common first: it picks the headless backend before anything imports pyplot)
from ..labels import can_draw, cjk_font, default_prompt, escape_undrawable, font_files, model_title, readable, \
    token_labels
from .attention import attention_across_layers, attention_grid, attention_heatmap, attention_stages
from .rope import rope_frequencies_figure, rope_relative_distance_figure, rope_spokes_figure
from .training import baselines_figure, head_scores_figure, loss_curves, schedule_figure

__all__ = ["FIGURES_ENV", "MIN_FONT", "figures_dir", "save_figure", "slide_fonts", "to_numpy", "cjk_font",
           "font_files", "can_draw", "escape_undrawable", "readable", "token_labels", "default_prompt",
           "model_title", "attention_heatmap", "attention_grid", "attention_across_layers", "attention_stages",
           "rope_frequencies_figure", "rope_spokes_figure", "rope_relative_distance_figure",
           "schedule_figure", "loss_curves", "baselines_figure", "head_scores_figure"]
