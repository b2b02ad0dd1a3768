"""Hypothesis strategies: random valid scenarios covering every construct of the language.

2-6 actors, 1-6 issues, both protocols (the mediated one with and without a ``step``), all
strategies (time-dependent ones with a patience, 0 included, as a number or a distribution),
red lines, vetoes, contested issues, reservations written or left to their default, beliefs
about the drift of contested issues (with and without a weight), events (mediator exits known
or unknown to the actors, effects on every kind of target: the front, war cost, reservation,
capability, exponent, patience, a belief's drift or weight) and uncertain parameters. Used by
the property tests of the rules and engines.
"""

from __future__ import annotations

from hypothesis import strategies as st

from negsim.scenario import load_scenario_data

UNIT = st.floats(0.0, 1.0, allow_nan=False)
DRIFT = st.floats(-0.05, 0.05, allow_nan=False)

# The amount of an event effect on an actor's parameter, by parameter and operation: inside the
# parameter's domain for 'set', a non-negative factor for 'scale', either sign for 'add'.
_DEFAULT_VALUES = {"add": st.floats(-0.2, 0.2), "scale": st.floats(0.1, 1.0),
                   "set": st.floats(0.1, 1.0)}
EFFECT_VALUES = {
    "war_cost": _DEFAULT_VALUES, "reservation": _DEFAULT_VALUES, "capability": _DEFAULT_VALUES,
    "exponent": _DEFAULT_VALUES,
    "patience": {"add": st.floats(-10.0, 10.0), "scale": st.floats(0.0, 3.0),
                 "set": st.sampled_from([0.0]) | st.floats(0.0, 40.0)},
    "drift": {"add": DRIFT, "scale": st.floats(0.0, 3.0), "set": DRIFT},
    "weight": {"add": st.floats(-30.0, 30.0), "scale": st.floats(0.0, 3.0),
               "set": st.floats(0.1, 60.0)},
}


def unit_param(draw, value: float, uncertain: bool, low: float = 0.0, high: float = 1.0):
    """A number in [low, high], or a distribution inside [low, high] around it (any interval,
    not only [0, 1]: patience and beliefs use it too)."""
    if not uncertain or high - low < 1e-3 or not draw(st.booleans()):
        return value
    kind = draw(st.sampled_from(["uniform", "triangular", "beta", "choice", "normal"]))
    a = draw(st.floats(low, value, allow_nan=False))
    b = draw(st.floats(value, high, allow_nan=False))
    if b - a < 1e-6:
        return value
    if kind == "uniform":
        return {"dist": "uniform", "low": a, "high": b}
    if kind == "triangular":
        return {"dist": "triangular", "low": a, "mode": value, "high": b}
    if kind == "beta":
        return {"dist": "beta", "alpha": draw(st.floats(0.5, 5)), "beta": draw(st.floats(0.5, 5)),
                "low": a, "high": b}
    if kind == "choice":
        return {"dist": "choice", "values": [a, value, b]}
    return {"dist": "normal", "mean": value, "sd": max((b - a) / 4, 1e-3), "low": a, "high": b}


def patience(draw, rounds: int, uncertain: bool):
    """Rounds to concede to the floor: 0 (at once), the window, or anything up to twice it; a
    number or a distribution."""
    value = draw(st.sampled_from([0.0, float(rounds)]) | st.floats(0.0, 2.0 * rounds))
    return unit_param(draw, value, uncertain, 0.0, 2.0 * rounds)


@st.composite
def scenario_data(draw, protocol: str | None = None, events: bool = True,
                  uncertain: bool = True, max_actors: int = 6, max_issues: int = 6,
                  max_rounds: int = 25) -> dict:
    """Plain data of a valid scenario (checked by loading it)."""
    n_issues = draw(st.integers(1, max_issues))
    n_actors = draw(st.integers(2, max_actors))
    issues = [f"issue_{chr(ord('a') + k)}" for k in range(n_issues)]
    actors = [f"actor_{chr(ord('a') + j)}" for j in range(n_actors)]
    kind = protocol or draw(st.sampled_from(["alternating", "mediated"]))
    mediated = kind == "mediated"
    if mediated and n_actors < 3:
        actors.append("actor_m")
    mediator = actors[-1] if mediated else None
    rounds = draw(st.integers(1, max_rounds))

    issue_data = {}
    for k in issues:
        issue_data[k] = {"label": k.title(), "zero": "none", "one": "all",
                         "status_quo": unit_param(draw, draw(UNIT), uncertain),
                         "contested": draw(st.booleans())}

    actor_data = {}
    others = [a for a in actors if a != mediator]
    signatories = set(others[:2]) | {a for a in others[2:] if draw(st.booleans())}
    for a in actors:
        ideal, salience, red_lines = {}, {}, {}
        for k in issues:
            p = draw(UNIT)
            if draw(st.integers(0, 3)) == 0:  # a red line on this issue
                lo = draw(st.floats(0.0, p))
                hi = draw(st.floats(p, 1.0))
                red_lines[k] = {"min": lo, "max": hi}
                ideal[k] = unit_param(draw, p, uncertain, lo, hi)
            else:
                ideal[k] = unit_param(draw, p, uncertain)
            salience[k] = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]) | st.floats(1e-3, 3.0))
        if all(w == 0 for w in salience.values()):
            salience[issues[0]] = 1.0
        strategy = draw(st.sampled_from(["time_dependent", "reciprocal", "hardliner"]))
        if strategy == "time_dependent":
            strategy_data = {"type": strategy, "exponent": draw(st.floats(0.1, 10.0)),
                             "patience": patience(draw, rounds, uncertain)}
        elif strategy == "reciprocal":
            strategy_data = {"type": strategy, "rate": draw(st.floats(0.0, 3.0)),
                             "initial": draw(st.floats(0.0, 0.5))}
        else:
            strategy_data = {"type": strategy}
        veto = [] if a in signatories else [k for k in issues if draw(st.integers(0, 2)) == 0]
        actor_data[a] = {
            "name": a, "role": "mediator" if a == mediator else draw(
                st.sampled_from(["party", "stakeholder"])),
            "signatory": a in signatories, "veto": veto, "ideal": ideal, "salience": salience,
            "capability": draw(st.floats(0.1, 3.0)),
            "war_cost": draw(st.floats(0.0, 0.05)), "red_lines": red_lines,
            "strategy": strategy_data}
        if draw(st.booleans()):  # else the default, 0
            actor_data[a]["reservation"] = unit_param(draw, draw(UNIT), uncertain)
        beliefs = {}
        for k in issues:
            if issue_data[k]["contested"] and draw(st.booleans()):
                belief = {"drift": unit_param(draw, draw(DRIFT), uncertain, -0.05, 0.05)}
                if draw(st.booleans()):  # else the default weight
                    belief["weight"] = unit_param(draw, draw(st.floats(0.5, 60.0)), uncertain,
                                                  0.5, 60.0)
                beliefs[k] = belief
        if beliefs:
            actor_data[a]["beliefs"] = beliefs

    if mediated:
        protocol_data = {"type": "mediated", "mediator": mediator, "max_rounds": rounds,
                         "horizon": draw(st.floats(0.0, 20.0)),
                         "bias": unit_param(draw, draw(UNIT), uncertain)}
        if draw(st.booleans()):  # else the default, 1
            protocol_data["step"] = unit_param(draw, draw(st.floats(0.05, 1.0)), uncertain,
                                               0.05, 1.0)
    else:
        protocol_data = {"type": "alternating", "max_rounds": rounds,
                         "horizon": draw(st.floats(0.0, 20.0)),
                         "proposer_order": draw(st.sampled_from(["fixed", "random"]))}

    battlefield = {k: {"drift": draw(st.floats(-0.05, 0.05)),
                       "volatility": draw(st.floats(0.0, 0.05))}
                   for k in issues if issue_data[k]["contested"] and draw(st.booleans())}

    event_data = {}
    if events:
        contested = [k for k in issues if issue_data[k]["contested"]]
        for e in range(draw(st.integers(0, 2))):
            effects = []
            for _ in range(draw(st.integers(1, 2))):
                options = ["actor"] + (["front"] if contested else []) + (
                    ["exit"] if mediated else [])
                what = draw(st.sampled_from(options))
                if what == "exit":
                    effects.append({"op": "mediator_exit"})
                elif what == "front":
                    attr = draw(st.sampled_from(["drift", "volatility"]))
                    effects.append({"op": draw(st.sampled_from(["add", "scale"])),
                                    "target": f"battlefield.{draw(st.sampled_from(contested))}"
                                              f".{attr}",
                                    "value": draw(st.floats(0.0, 0.05))})
                else:
                    actor = draw(st.sampled_from(actors))
                    attrs = ["war_cost", "reservation", "capability"]
                    if actor_data[actor]["strategy"]["type"] == "time_dependent":
                        attrs += ["strategy.exponent", "strategy.patience"]
                    attrs += [f"beliefs.{k}.{name}" for k in contested
                              for name in ("drift", "weight")]
                    attr = draw(st.sampled_from(attrs))
                    op = draw(st.sampled_from(["add", "scale", "set"]))
                    effects.append({"op": op, "target": f"actors.{actor}.{attr}",
                                    "value": draw(EFFECT_VALUES[attr.split(".")[-1]][op])})
            start = draw(st.integers(0, rounds - 1))
            event = {
                "round": start if not uncertain or draw(st.booleans()) else
                {"dist": "uniform", "low": 0, "high": rounds - 1e-6},
                "probability": draw(st.sampled_from([1.0, 0.5]) | UNIT),
                "duration": draw(st.none() | st.integers(1, 5)),
                "effects": effects}
            if any(effect["op"] == "mediator_exit" for effect in effects):
                known = draw(st.sampled_from([None, True, False]))  # None: the default, true
                if known is not None:
                    event["known"] = known
            event_data[f"event_{e}"] = event

    data = {"name": "generated", "title": "generated", "issues": issue_data,
            "actors": actor_data, "protocol": protocol_data, "battlefield": battlefield,
            "events": event_data, "montecarlo": {"runs": 8, "seed": draw(st.integers(0, 99))}}
    load_scenario_data(data)  # the strategy only makes valid scenarios
    return data


def scenarios(**kwargs):
    """Validated Scenario objects (see scenario_data)."""
    return scenario_data(**kwargs).map(load_scenario_data)


# --- agendas and state-triggered events ------------------------------------------------------


def _stage_effect(draw, data: dict) -> dict:
    """One effect of a stage's agreement on the war: the front of a contested issue, or an
    actor's war cost, reservation, belief about a drift or (time-dependent) patience."""
    contested = [k for k, issue in data["issues"].items() if issue["contested"]]
    options = ["war_cost", "reservation"] + (["front", "belief"] if contested else [])
    what = draw(st.sampled_from(options))
    actor = draw(st.sampled_from(sorted(data["actors"])))
    if what == "front":
        k, attr = draw(st.sampled_from(contested)), draw(st.sampled_from(["drift",
                                                                          "volatility"]))
        op = draw(st.sampled_from(["set", "scale", "add"]))
        value = {"set": st.sampled_from([0.0]) | (DRIFT if attr == "drift" else
                                                  st.floats(0.0, 0.05)),
                 "scale": st.floats(0.0, 2.0), "add": st.floats(-0.02, 0.02)}[op]
        return {"op": op, "target": f"battlefield.{k}.{attr}", "value": draw(value)}
    if what == "belief":
        k = draw(st.sampled_from(contested))
        return {"op": "set", "target": f"actors.{actor}.beliefs.{k}.drift", "value": draw(DRIFT)}
    op = draw(st.sampled_from(["add", "scale", "set"]))
    return {"op": op, "target": f"actors.{actor}.{what}",
            "value": draw(EFFECT_VALUES[what][op])}


def add_agenda(draw, data: dict, max_stages: int = 3, effects: bool = True) -> dict:
    """``data`` with an agenda: the issues split at random into 1..max_stages stages (a stage
    may hold none), each with up to two effects on the war (``effects``), some with a
    duration, every stage but the last possibly with skip_after."""
    issues = list(data["issues"])
    S = draw(st.sampled_from([1] + [2, 3][:max_stages - 1] * 2)) if max_stages > 1 else 1
    home = [draw(st.integers(0, S - 1)) for _ in issues]
    stages = []
    for s in range(S):
        stage = {"id": f"stage_{'pqr'[s]}",
                 "issues": [k for k, h in zip(issues, home, strict=True) if h == s]}
        if effects:
            stage["effects"] = [_stage_effect(draw, data)
                                for _ in range(draw(st.integers(0, 2)))]
            if draw(st.booleans()):
                stage["duration"] = draw(st.integers(1, 6))
        if s < S - 1 and draw(st.booleans()):
            stage["skip_after"] = draw(st.integers(1, 6))
        stages.append(stage)
    data["protocol"]["agenda"] = stages
    return data


def condition(draw, data: dict) -> dict:
    """A random condition on the state of the talks (stages only under an agenda)."""
    actors = sorted(data["actors"])
    stages = [s["id"] for s in data["protocol"].get("agenda") or []]
    kinds = ["rejected", "accepted"] + (["agreed", "not_agreed"] if stages else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "rejected":
        return {"rejected": {"actor": draw(st.sampled_from(actors)),
                             "times": draw(st.integers(1, 4)),
                             "in_a_row": draw(st.booleans())}}
    if kind == "accepted":
        accepted = {"actor": draw(st.sampled_from(actors))}
        if stages and draw(st.booleans()):
            accepted["stage"] = draw(st.sampled_from(stages))
        return {"accepted": accepted}
    if kind == "agreed":
        return {"agreed": draw(st.sampled_from(stages))}
    T = data["protocol"]["max_rounds"]
    return {"not_agreed": {"stage": draw(st.sampled_from(stages)),
                           "round": draw(st.integers(0, T - 1))}}


def add_triggers(draw, data: dict) -> dict:
    """``data`` with some of its events started by a condition instead of a round, some
    ended by one, and maybe one more event a condition starts (on a war cost)."""
    events = data.setdefault("events", {})
    for event in events.values():
        if draw(st.booleans()):
            del event["round"]
            event["when"] = condition(draw, data)
            if event.get("known"):  # an exit a condition starts cannot be foreseen
                del event["known"]
        if draw(st.integers(0, 2)) == 0:
            event["ends"] = condition(draw, data)
    if draw(st.booleans()):
        actor = draw(st.sampled_from(sorted(data["actors"])))
        events["triggered"] = {
            "when": condition(draw, data),
            "probability": draw(st.sampled_from([1.0, 0.5, 0.0])),
            "effects": [{"op": "scale", "target": f"actors.{actor}.war_cost",
                         "value": draw(st.floats(0.0, 3.0))}]}
        if draw(st.booleans()):
            events["triggered"]["duration"] = draw(st.integers(1, 5))
        if draw(st.booleans()):
            events["triggered"]["ends"] = condition(draw, data)
    return data


@st.composite
def staged_scenario_data(draw, base, agenda: bool | None = None, triggers: bool = True) -> dict:
    """A scenario drawn from ``base`` (a strategy of scenario data, such as
    tests.model.test_theory.v2_scenario_data()) with an agenda (``agenda``: always, never, or
    None: either) and state-triggered events (``triggers``)."""
    data = draw(base)
    if agenda or (agenda is None and draw(st.booleans())):
        add_agenda(draw, data)
    if triggers:
        add_triggers(draw, data)
    load_scenario_data(data)  # only valid scenarios
    return data
