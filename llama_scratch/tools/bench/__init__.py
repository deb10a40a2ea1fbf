"""``python -m llama_scratch bench``: our model against Hugging Face transformers on the same weights.

command (arguments and the run), hf_copy (the HF-format copy of a checkpoint), worker (one measurement in a fresh
process), report (medians, targets, the Markdown table). Nothing is imported here, so that the worker process of
our model does not import transformers (its memory is measured).
"""
