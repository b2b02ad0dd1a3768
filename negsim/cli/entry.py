"""The ``negsim`` console script: Ctrl-C, SIGTERM and SIGHUP exit 130, 143 and 129 without a
traceback, even while the command line is still being imported; a broken pipe exits 141
quietly."""

from __future__ import annotations

import sys

from .signals import Terminated, install


def main() -> None:
    """Import the command line and run it."""
    install()
    try:
        from .main import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Terminated as exc:
        sys.stderr.write(f"{exc.word}\n")
        sys.exit(exc.exit_code)
    run()
