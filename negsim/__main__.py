"""``python -m negsim``."""

from .entry import main

main()
