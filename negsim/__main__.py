"""``python -m negsim``."""

from .cli.entry import main

main()
