"""Evaluation as the papers report it: retrieval, zero-shot classification, captioning."""
