"""A scenario with some of its parameters set to numbers: what sweeps and the web page's
sliders do.

A parameter is named by its dotted path in the file (``actors.ukraine.war_cost``); every
numeric parameter that ``negsim evidence`` lists can be set, plus ``protocol.max_rounds``. A
distribution set to a number becomes that number. The edited scenario is validated again, so
a value outside the parameter's range is refused with the schema's own message.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from .errors import ScenarioError, did_you_mean
from .loader import load_scenario_data
from .params import MAX_ROUNDS, Domain
from .paths import ParamRef, iter_parameters
from .schema import Modify, Scenario, effect_domain

ROUNDS = Domain(1.0, float(MAX_ROUNDS), integer=True)  # the domain of protocol.max_rounds


class OverrideError(ValueError):
    """A value that cannot be set as asked (unknown path, bad value); the message says why."""


def settable_refs(scenario: Scenario) -> list[ParamRef]:
    """Every parameter that can be set, in file order: the numeric parameters, then the
    window (``protocol.max_rounds``)."""
    window = ParamRef(("protocol", "max_rounds"), float(scenario.protocol.max_rounds), None,
                      None, "protocol.max_rounds")
    return [*iter_parameters(scenario), window]


def settable(scenario: Scenario) -> list[str]:
    """Every path that can be set in this scenario, in file order."""
    return [ref.dotted for ref in settable_refs(scenario)]


def check_path(param: str, valid: list[str]) -> None:
    """Raise OverrideError naming the valid paths when ``param`` is not one of them."""
    if param not in valid:
        raise OverrideError(f"unknown parameter path {param!r}{did_you_mean(param, valid)}; "
                            f"the paths of this scenario are:\n  " + "\n  ".join(valid))


def with_values(data: object, values: Mapping[str, float], name: str,
                base_dir: str | Path) -> Scenario:
    """The scenario whose file holds ``data``, with each path of ``values`` set to its number,
    validated again (ScenarioError when a value does not fit its parameter)."""
    edited = copy.deepcopy(data)
    for param, value in values.items():
        if param == "protocol.max_rounds":
            if not ROUNDS.contains(value):
                raise OverrideError(f"protocol.max_rounds takes whole numbers in [1, "
                                    f"{MAX_ROUNDS:,}] (got {value:g})")
            value = int(value)
        keys = [int(p) if p.isdigit() else p for p in param.split(".")]
        node = edited
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return load_scenario_data(edited, name=name, base_dir=base_dir)


def reasons(exc: ScenarioError) -> str:
    """The messages of a ScenarioError, joined (positions are meaningless for edited data)."""
    return "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in exc.problems)


def domain_of(scenario: Scenario, path: tuple) -> Domain:
    """The domain of the parameter at ``path`` (as iter_parameters gives it), read from the
    schema's own annotations, so it cannot drift from what validation enforces."""
    if path == ("protocol", "max_rounds"):
        return ROUNDS
    node: object = scenario
    annotation, metadata = None, []
    parent = None
    for key in path:
        parent = node
        if isinstance(node, BaseModel):
            field = type(node).model_fields[key]
            annotation, metadata = field.annotation, list(field.metadata)
            if isinstance(annotation, typing.ForwardRef) or any(
                    isinstance(a, typing.ForwardRef) for a in typing.get_args(annotation)):
                annotation = typing.get_type_hints(type(node), include_extras=True)[key]
            node = getattr(node, key)
        else:  # inside a dict or a list held by the last model field
            annotation = _items(annotation)
            metadata = []
            node = node[key]
    if isinstance(parent, Modify):  # an effect's amount: its domain depends on its op
        return effect_domain(parent)
    domain = _find_domain(metadata, annotation)
    if domain is None:
        raise KeyError(f"no domain for {'.'.join(map(str, path))}")
    return domain


def _members(annotation) -> list:
    """The members of a union (``X | None`` included), or the annotation alone."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _items(annotation):
    """The type of the items of a ``dict[..., X]`` or ``list[X]`` annotation (maybe optional)."""
    for member in _members(annotation):
        args = typing.get_args(member)
        if typing.get_origin(member) in (dict, list) and args:
            return args[-1]
    raise KeyError(f"not a container: {annotation!r}")


def _find_domain(metadata: list, annotation) -> Domain | None:
    """The Domain whose check validates a parameter type (in the field's metadata or in an
    ``Annotated`` member of its union)."""
    candidates = list(metadata)
    for member in _members(annotation):
        candidates += list(getattr(member, "__metadata__", ()))
    for meta in candidates:
        owner = getattr(getattr(meta, "func", None), "__self__", None)
        if isinstance(owner, Domain):
            return owner
    return None
