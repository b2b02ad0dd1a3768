"""The evidence behind a scenario's numbers: the registry of verbatim quotes (registry.py) and
the extraction of candidate sentences from the source documents (extract.py)."""
