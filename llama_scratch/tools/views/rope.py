"""The RoPE explorer: a distance slider turning each pair of q against k, the Llama 3 bands, q·k against distance."""

from __future__ import annotations

import math

import torch

from ...checkpoints import LLAMA_3_2_1B_PARAMS
from ...core import apply_rope, config_from_params, llama3_scale_frequencies, rope_angles, rope_bands, \
    rope_frequencies, rope_inverse_frequencies
from .. import plots
from .base import View, rounded


class RopeExplorer(View):
    """data: positions [n] (distances of the slider), inv_freq and inv_freq_scaled [e/2], band [e/2] ("kept",
    "blended", "divided"), cos/sin and cos_scaled/sin_scaled [n][e/2] (rope_angles at each distance), qk and
    qk_scaled [n] (q·k with k at position 0, q at the distance, q = k before rotation), the config's numbers."""

    kind = "rope"
    text_keys = ("view.rope.title", "view.rope.config", "view.rope.distance", "view.rope.scaled",
                 "view.rope.unscaled", "view.rope.pairs", "view.rope.pair", "view.rope.kept", "view.rope.blended",
                 "view.rope.divided", "view.rope.wavelength", "view.rope.score", "view.rope.distance_axis",
                 "view.rope.turns")

    def __init__(self, data: dict, config, lang=None):
        super().__init__(data, lang)
        self._config = config

    def static(self):
        """The wavelength of every pair, unscaled and scaled, with the three bands (plots.rope_frequencies_figure)."""
        return plots.rope_frequencies_figure(self._config, model_name=self.data["model"] or None, lang=self.lang)


def distance_grid(max_position: int, linear: int = 32, n_log: int = 80) -> torch.Tensor:
    """Distances for the slider: 0..linear one by one, then about n_log steps spaced evenly in log up to
    max_position.  -> [n] long, increasing."""
    far = torch.logspace(math.log10(linear + 1), math.log10(max_position), n_log).round().long()
    return torch.unique(torch.cat([torch.arange(linear + 1), far]))


def rotated_scores(inv_freq: torch.Tensor, distances: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """q·k after RoPE with k = q [e] at position 0 and q at each distance.  -> [n] float32."""
    n, e = len(distances), q.shape[-1]
    cq, sq = rope_angles(inv_freq, distances)  # [n, e/2]
    ck, sk = rope_angles(inv_freq, torch.zeros_like(distances))  # [n, e/2]
    qr = apply_rope(q.expand(1, n, 1, e), cq, sq)  # [1, n, 1, e]
    kr = apply_rope(q.expand(1, n, 1, e), ck, sk)  # [1, n, 1, e]
    return (qr * kr).sum(-1).flatten()  # [n]


def rope_explorer(config=None, *, model_name: str | None = None, distance: int = 8, seed: int = 0,
                  lang: str | None = None) -> RopeExplorer:
    """The RoPE explorer for ``config`` (default: the real Llama-3.2-1B's params.json; RoPE needs no weights).

    The frequencies come from layers.rope_inverse_frequencies / llama3_scale_frequencies and their bands from
    rope_bands (the scaling is shown on and off whatever params.json says; it starts as rope_frequencies(config)
    has it), the rotations from rope_angles, the scores from apply_rope. ``distance``: where the slider starts.
    """
    if config is None:
        config = config_from_params(LLAMA_3_2_1B_PARAMS)
        model_name = "Llama-3.2-1B" if model_name is None else model_name
    e = config.head_dim
    inv = rope_inverse_frequencies(e, config.rope_theta)  # [e/2]
    scaled = llama3_scale_frequencies(inv, config.rope_scaling_factor, config.rope_low_freq_factor,
                                      config.rope_high_freq_factor, config.rope_original_max_position)  # [e/2]
    bands = rope_bands(inv, config.rope_low_freq_factor, config.rope_high_freq_factor,
                       config.rope_original_max_position)  # the bands the scaling uses, masks [e/2]
    band = ["kept" if k else "divided" if d else "blended" for k, d in zip(bands.kept.tolist(), bands.divided.tolist())]
    positions = distance_grid(config.max_seq_len)  # [n]
    q = torch.randn(e, generator=torch.Generator().manual_seed(seed))  # [e]
    data = {"model": model_name or "", "head_dim": e, "theta": config.rope_theta,
            "factor": config.rope_scaling_factor, "original_max_position": config.rope_original_max_position,
            "low_freq_factor": config.rope_low_freq_factor, "high_freq_factor": config.rope_high_freq_factor,
            "scaled": bool(torch.equal(rope_frequencies(config), scaled)), "band": band,
            "start": int(torch.searchsorted(positions, torch.tensor(distance)).clamp(max=len(positions) - 1)),
            "positions": positions.tolist(), "inv_freq": inv.tolist(), "inv_freq_scaled": scaled.tolist()}
    for suffix, freqs in (("", inv), ("_scaled", scaled)):
        cos, sin = rope_angles(freqs, positions)  # [n, e/2] each
        data["cos" + suffix], data["sin" + suffix] = rounded(cos, 5), rounded(sin, 5)
        data["qk" + suffix] = rounded(rotated_scores(freqs, positions, q), 4)
    return RopeExplorer(data, config, lang)
