"""The vectorised Monte Carlo engine: the same rules as the Mesa engine, on whole batches."""

from .chunks import chunk_size, run_chunked
from .vector import run_vector

__all__ = ["chunk_size", "run_chunked", "run_vector"]
