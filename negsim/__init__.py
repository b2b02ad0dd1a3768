"""negsim: a multi-issue bargaining simulator of the 2025 Russia-Ukraine peace negotiations."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("negsim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

from .results import Results  # noqa: E402
from .scenario import (  # noqa: E402
    Problem,
    Scenario,
    ScenarioError,
    load_scenario,
    load_scenario_text,
)
from .simulation import simulate  # noqa: E402

__all__ = ["Problem", "Results", "Scenario", "ScenarioError", "load_scenario",
           "load_scenario_text", "simulate", "__version__"]
