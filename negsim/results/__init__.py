"""What a Monte Carlo job produces: per-run outcomes, their mergeable tally, the summary, and
Results (saved to and loaded from a folder)."""

from .results import Results, common_actors, common_issues

__all__ = ["Results", "common_actors", "common_issues"]
