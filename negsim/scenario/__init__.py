"""The scenario language: schema, safe loading and located errors."""

from .errors import Problem, ScenarioError
from .loader import load_scenario, load_scenario_data, load_scenario_text
from .schema import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario", "load_scenario_data",
           "load_scenario_text"]
