"""Notebook 04 (RoPE): the prompt whose queries and keys are rotated, and the words of the sinusoidal figure."""

STRINGS = {
    "nb04.prompt": {"en": "Rotary embeddings turn queries and keys.",
                    "zh": "旋转位置编码转动查询和键。"},
    "plot.positions.position_axis": {"en": "position", "zh": "位置"},
    "plot.positions.dimension_axis": {"en": "dimension (sin, cos interleaved)", "zh": "维度（sin、cos 交替）"},
    "plot.positions.value": {"en": "value", "zh": "取值"},
    "plot.positions.sinusoidal": {"en": "Sinusoidal position encoding (base {base}) over {d} dimensions: "
                                        "fast pairs at the top",
                                  "zh": "正弦位置编码（底数 {base}），共 {d} 维：变化快的维度对在上方"},
}
