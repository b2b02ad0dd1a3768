"""``python -m negsim``."""

from .cli import main

main()
