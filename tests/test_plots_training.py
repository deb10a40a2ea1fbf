"""The training figures of notebook 10: each draws its numbers, in English and in Chinese with no English word
left (log V stays: it is a formula)."""

import math
import re

import matplotlib.pyplot as plt
import pytest
import torch

from llama_scratch import plots
from test_plots_lang import words_of

KEPT_LATIN = {"log"}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def training_figures(lang):
    loss = [math.log(300) - 0.01 * i for i in range(120)]
    scores = torch.tensor([[0.1, 0.9, 0.2], [0.3, 0.05, 0.7]])  # [n_layers, h]
    return {
        "schedule": plots.schedule_figure([1e-3] * 120, [0.0] * 60 + [1.0] * 60, lang=lang),
        "loss": plots.loss_curves(loss, [49, 99], [3.0, 2.0], [3.1, 2.2], vocab_size=128256,
                                  baselines={"unigram": 4.5, "bigram": 2.5}, model_name="M", lang=lang),
        "baselines": plots.baselines_figure(1.2, 4.5, 2.5, 128256, model_name="M", lang=lang),
        "heads": plots.head_scores_figure(scores, scores.flip(1), model_name="M", lang=lang),
    }


def test_training_figures_show_their_numbers_in_english():
    figures = training_figures("en")
    texts = {key: "\n".join(words_of(fig, [])) for key, fig in figures.items()}
    assert "Learning rate" in texts["schedule"] and "unused" in texts["schedule"]
    assert "log V (uniform guess): 11.76" in texts["loss"] and "unigram" in texts["loss"]
    assert "Loss while training — M" in texts["loss"]
    bars = [t.get_text().strip() for t in figures["baselines"].findobj(plt.Text)]
    assert {"11.76", "4.50", "2.50", "1.20"} <= set(bars)  # log V, the baselines and the model's loss
    assert "previous-token score" in texts["heads"] and "induction score" in texts["heads"]
    heads_cells = [t for t in figures["heads"].findobj(plt.Text) if re.fullmatch(r"\d\.\d\d", t.get_text())]
    assert sorted(t.get_text() for t in heads_cells) == sorted(["0.10", "0.90", "0.20", "0.30", "0.05", "0.70"] * 2)
    assert not re.search(r"[\u4e00-\u9fff]", "".join(texts.values()))


def test_training_figures_in_chinese_have_no_english_word():
    for key, fig in training_figures("zh").items():
        joined = "\n".join(words_of(fig, []))
        assert re.search(r"[\u4e00-\u9fff]", joined), key
        english = set(re.findall(r"[A-Za-z_]{2,}", joined)) - KEPT_LATIN - {"M"}
        assert not english, f"{key}: English words left in the Chinese figure: {sorted(english)}"
