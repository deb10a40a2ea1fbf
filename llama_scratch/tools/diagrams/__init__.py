"""Diagrams drawn by code, as SVG (and PNG/PDF through matplotlib): the model's architecture with one part
highlighted, grouped-query attention's head sharing, and the KV cache. Sizes come from a ModelConfig; every word
comes from llama_scratch.tools.i18n. In a notebook the returned Diagram shows itself inline:

    ls.diagrams.architecture(config, highlight="rope")
    ls.diagrams.gqa(config)
    ls.diagrams.kv_cache(config)
"""

from .architecture import PARTS, architecture
from .canvas import Diagram
from .heads import gqa, kv_cache

__all__ = ["PARTS", "Diagram", "architecture", "gqa", "kv_cache"]
