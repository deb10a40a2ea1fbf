"""Measuring what a model learned: plain functions over tensors and a model (attention stages, logit lens)."""
