"""The ``negsim`` command line: the commands (main.py), their tables (report.py), and the
console-script entry point (entry.py)."""
