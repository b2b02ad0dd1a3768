"""Questions asked of several jobs: comparisons with common random numbers, and sweeps."""
