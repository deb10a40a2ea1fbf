"""A stand-in for the three fairscale pieces Meta's llama3/model.py imports, for one process without model parallelism.

fairscale ships only as a source archive whose build pulls an unpinned torch, so instead of installing it we give
Meta's code what it would get from fairscale with a model-parallel world of size 1: plain Linear and Embedding.
"""

import sys
import types

from torch import nn


def install():
    if "fairscale.nn.model_parallel.layers" in sys.modules:
        return

    def column_parallel_linear(in_features, out_features, bias=True, gather_output=True, init_method=None, **_):
        return nn.Linear(in_features, out_features, bias=bias)

    def row_parallel_linear(in_features, out_features, bias=True, input_is_parallel=False, init_method=None, **_):
        return nn.Linear(in_features, out_features, bias=bias)

    def vocab_parallel_embedding(num_embeddings, embedding_dim, init_method=None, **_):
        return nn.Embedding(num_embeddings, embedding_dim)

    layers = types.ModuleType("fairscale.nn.model_parallel.layers")
    layers.ColumnParallelLinear = column_parallel_linear
    layers.RowParallelLinear = row_parallel_linear
    layers.VocabParallelEmbedding = vocab_parallel_embedding
    initialize = types.ModuleType("fairscale.nn.model_parallel.initialize")
    initialize.get_model_parallel_world_size = lambda: 1
    initialize.get_model_parallel_rank = lambda: 0
    names = ["fairscale", "fairscale.nn", "fairscale.nn.model_parallel"]
    for name in names:
        sys.modules[name] = types.ModuleType(name)
    sys.modules["fairscale.nn.model_parallel.layers"] = layers
    sys.modules["fairscale.nn.model_parallel.initialize"] = initialize
    sys.modules["fairscale.nn.model_parallel"].layers = layers
    sys.modules["fairscale.nn.model_parallel"].initialize = initialize
    sys.modules["fairscale.nn"].model_parallel = sys.modules["fairscale.nn.model_parallel"]
    sys.modules["fairscale"].nn = sys.modules["fairscale.nn"]
