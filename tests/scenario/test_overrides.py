"""Setting parameters to numbers (sweeps, the web page's sliders), and every parameter's
domain read from the schema."""

from __future__ import annotations

import math

import pytest

from negsim.scenario import ScenarioError, load_scenario
from negsim.scenario.overrides import (
    OverrideError,
    check_path,
    domain_of,
    settable,
    with_values,
)
from negsim.scenario.paths import iter_parameters
from negsim.scenario.yamldoc import read_yaml
from tests.conftest import BASELINE, DATA, SCENARIO_FILES

FILES = [*SCENARIO_FILES, DATA / "kitchen_sink.yaml"]


def edit(path, values):
    return with_values(read_yaml(path).data, values, str(path), path.parent)


def test_a_set_value_replaces_a_distribution_and_leaves_the_file_data_alone():
    data = read_yaml(BASELINE).data
    before = repr(data)
    scenario = with_values(data, {"actors.russia.war_cost": 0.01, "protocol.max_rounds": 30},
                           str(BASELINE), BASELINE.parent)
    assert scenario.actors["russia"].war_cost == 0.01
    assert scenario.protocol.max_rounds == 30
    assert repr(data) == before


def test_unknown_paths_are_named_with_the_valid_ones():
    paths = settable(load_scenario(BASELINE))
    with pytest.raises(OverrideError, match="did you mean 'actors.russia.war_cost'"):
        check_path("actors.russia.war_costs", paths)
    check_path("actors.russia.war_cost", paths)


def test_the_window_takes_whole_numbers_only():
    for bad in (0, 2.5, -3, math.inf):
        with pytest.raises(OverrideError, match="whole numbers"):
            edit(BASELINE, {"protocol.max_rounds": bad})


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_parameter_has_the_domain_that_validation_enforces(path):
    """Just outside a parameter's domain the scenario is refused at that path; at the domain's
    edge (or the file's own value) it is not refused for being out of range. One parameter
    of each kind per file (the same kind has the same annotation)."""
    scenario = load_scenario(path)
    kinds = {}
    for ref in iter_parameters(scenario):
        kinds.setdefault(tuple(p for p in ref.path if not isinstance(p, int))[-2:]
                         if ref.actor is None else ref.parameter, ref)
    for ref in kinds.values():
        domain = domain_of(scenario, ref.path)
        outside = []
        if math.isfinite(domain.lo):
            outside.append(domain.lo - max(1.0, abs(domain.lo)) if not domain.lo_open
                           else domain.lo)
        if math.isfinite(domain.hi):
            outside.append(domain.hi + max(1.0, abs(domain.hi)))
        for value in outside:
            with pytest.raises(ScenarioError) as caught:
                edit(path, {ref.dotted: value})
            # (a 'set' effect's value is reported at its target, which it must fit)
            where = {ref.dotted, ref.dotted.removesuffix(".value") + ".target"}
            assert any(p.path.replace("[", ".").replace("]", "") in where
                       for p in caught.value.problems), (ref.dotted, value)
        if domain.integer:
            with pytest.raises(ScenarioError):
                edit(path, {ref.dotted: domain.lo + 0.5})
    for ref in iter_parameters(scenario):  # and every parameter has one
        assert domain_of(scenario, ref.path) is not None


def test_the_window_has_its_own_domain():
    scenario = load_scenario(BASELINE)
    rounds = domain_of(scenario, ("protocol", "max_rounds"))
    assert rounds.integer and rounds.lo == 1
