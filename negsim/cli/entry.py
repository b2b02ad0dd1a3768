"""The ``negsim`` console script: Ctrl-C exits 130 without a traceback, even while the
command line is still being imported."""

from __future__ import annotations

import sys


def main() -> None:
    """Import the command line and run it."""
    try:
        from .main import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()
