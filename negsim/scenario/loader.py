"""Load a scenario file: safe YAML, then the schema, then evidence citations, all errors at once."""

from __future__ import annotations

from pathlib import Path

from .diagnostics import validate_document
from .errors import Problem, ScenarioError, format_path
from .lint import lint
from .schema import Scenario
from .yamldoc import YamlDocument, parse_yaml, read_yaml


def load_scenario(path: str | Path, strict: bool = False) -> Scenario:
    """Read and validate a scenario file; raise ScenarioError listing every problem found.

    With ``strict``, a numeric parameter that neither cites evidence nor states an
    assumption is a problem too.
    """
    doc = read_yaml(path)
    scenario = _build(doc, Path(path).resolve().parent, strict)
    scenario._source = Path(path)
    return scenario


def load_scenario_and_data(path: str | Path) -> tuple[Scenario, object]:
    """Read a scenario file once: the validated scenario and the plain data it was built from
    (for edits such as overrides.with_values)."""
    doc = read_yaml(path)
    scenario = _build(doc, Path(path).resolve().parent, False)
    scenario._source = Path(path)
    return scenario, doc.data


def load_scenario_text(text: str, name: str = "<string>", base_dir: str | Path = ".",
                       strict: bool = False) -> Scenario:
    """Validate scenario YAML given as text; relative paths resolve against ``base_dir``."""
    return _build(parse_yaml(text, name), Path(base_dir).resolve(), strict)


def load_scenario_data(data: object, name: str = "<data>", base_dir: str | Path = ".",
                       strict: bool = False) -> Scenario:
    """Validate a scenario given as plain data (dicts, lists, numbers, strings).

    Errors carry the path but no real position (line and column 1).
    """
    return _build(YamlDocument(name, data), Path(base_dir).resolve(), strict)


def _uncited(scenario: Scenario, doc: YamlDocument) -> list[Problem]:
    from .paths import is_cited, iter_parameters

    problems = []
    for ref in iter_parameters(scenario):
        if not is_cited(ref.value) and _written(doc.data, ref.path):
            line, col = doc.locate(ref.path)
            problems.append(Problem(doc.file, line, col, ref.dotted,
                                    "cites no evidence and states no assumption (strict mode)"))
    return problems


def _written(data, path: tuple) -> bool:
    """Whether the file itself writes the parameter at ``path`` (not a documented default)."""
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


def _display(path: Path) -> Path:
    """A path as people want it in messages: normalised, relative to the working directory
    when it lies below it."""
    try:
        path = path.resolve()
    except (OSError, ValueError):
        return path
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _build(doc: YamlDocument, base_dir: Path, strict: bool = False) -> Scenario:
    data = doc.data
    if not isinstance(data, dict):
        raise ScenarioError([Problem(doc.file, 1, 1, "<document>",
                                     "a scenario is a mapping with keys name, title, issues, "
                                     "actors, protocol, ...")])
    problems: list[Problem] = []
    context = {
        "issues": set(data["issues"]) if isinstance(data.get("issues"), dict) else None,
        "actors": set(data["actors"]) if isinstance(data.get("actors"), dict) else None,
    }
    registry = None
    registry_path = data.get("evidence_registry")
    if registry_path is None:
        context["evidence_ids"] = None
    elif isinstance(registry_path, str):
        from ..evidence.registry import load_registry

        try:
            registry = load_registry(_display(base_dir / registry_path))
            context["evidence_ids"] = set(registry.evidence)
        except ScenarioError as exc:
            line, col = doc.locate(("evidence_registry",))
            problems.append(Problem(doc.file, line, col, "evidence_registry",
                                    f"the evidence registry {registry_path!r} is not valid "
                                    f"(its problems follow)"))
            problems.extend(exc.problems)
    scenario, found = validate_document(Scenario, doc, context)
    problems.extend(found)
    if scenario is not None and strict:
        problems.extend(_uncited(scenario, doc))
    if problems:
        raise ScenarioError(problems)
    scenario._registry = registry
    scenario._warnings = [
        Problem(doc.file, *doc.locate(path), format_path(path), f"warning: {message}")
        for path, message in lint(scenario)]
    return scenario
