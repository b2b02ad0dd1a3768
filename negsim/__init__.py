"""negsim: a multi-issue bargaining simulator of the 2025 Russia-Ukraine peace negotiations.

The names below are imported on first use, so that ``import negsim`` (and the command line)
starts fast and a Ctrl-C while starting is handled like any other.
"""

from importlib import import_module

_EXPORTS = {"Problem": "scenario", "Results": "results", "Scenario": "scenario",
            "ScenarioError": "scenario", "load_scenario": "scenario",
            "load_scenario_text": "scenario", "simulate": "simulation"}

__all__ = [*_EXPORTS, "__version__"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("negsim")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0.0.0"


def __getattr__(name: str):
    if name == "__version__":  # read on first use: importing negsim stays instant
        value = globals()["__version__"] = _version()
        return value
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'negsim' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
