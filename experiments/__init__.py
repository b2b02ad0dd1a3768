"""Experiments: one module per question the source documents raise (``make experiments``)."""
