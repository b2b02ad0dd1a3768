"""Safe YAML reading that remembers where every key and value stands in the file.

Only plain data is accepted: mappings with string keys, sequences, strings, numbers,
booleans and null. Tags that would build Python objects (``!!python/object``...) are
refused before anything is constructed; anchors may be reused, but a document whose
aliases expand beyond a fixed size (an "alias bomb") is refused too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem, ScenarioError, format_path

MAX_BYTES = 1 << 20  # 1 MiB: a scenario is a page of text, never a data dump
MAX_NODES = 100_000  # after alias expansion
MAX_DEPTH = 64
MAX_SCALAR = 5_000  # characters in one string: a paragraph, not a book

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


@dataclass
class YamlDocument:
    """Plain data read from YAML, with the 1-based (line, column) of each key path.

    ``positions[path]`` points at the value at ``path``; ``key_positions[path]`` at the key
    that introduces it (the better place to point at for an unknown or misplaced key).
    """

    file: str
    data: object
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: tuple, prefer_key: bool = False) -> tuple[int, int]:
        """Best position for ``path``: itself, else its nearest ancestor present in the file."""
        for n in range(len(path), -1, -1):
            sub = path[:n]
            if prefer_key and sub in self.key_positions:
                return self.key_positions[sub]
            if sub in self.positions:
                return self.positions[sub]
        return (1, 1)


def read_yaml(path: str | Path) -> YamlDocument:
    """Read a YAML file safely; raise ScenarioError with located problems if it cannot be."""
    name = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL byte
        reason = getattr(exc, "strerror", None) or str(exc)
        problem = Problem(name, 1, 1, "<file>", f"cannot read: {reason}")
        raise ScenarioError([problem]) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(
            [Problem(name, 1, 1, "<file>", f"larger than the {MAX_BYTES // 1024} KiB limit")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problem = Problem(name, line, col, "<file>", "not valid UTF-8 text")
        raise ScenarioError([problem]) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str = "<string>") -> YamlDocument:
    """Parse YAML text (see read_yaml); ``name`` is used in error messages."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ScenarioError(
            [Problem(name, 1, 1, "<file>", f"larger than the {MAX_BYTES // 1024} KiB limit")]
        )
    yaml = YAML(typ="safe", pure=True)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        raise ScenarioError([_syntax_problem(exc, name)]) from None
    except (YAMLError, RecursionError, ValueError) as exc:
        msg = "nesting too deep" if isinstance(exc, RecursionError) else str(exc)
        raise ScenarioError([Problem(name, 1, 1, "<yaml>", msg)]) from None
    doc = YamlDocument(name, None)
    if root is None:
        doc.data = None
        return doc
    builder = _Builder(doc, yaml.constructor)
    doc.data = builder.build(root, ())
    if builder.problems:
        raise ScenarioError(builder.problems)
    return doc


def _syntax_problem(exc: MarkedYAMLError, name: str) -> Problem:
    """A YAML syntax error at its position, naming where the unfinished construct began."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    msg = str(exc.problem or exc)
    ctx, cmark = exc.context, exc.context_mark
    if ctx and cmark is not None and (cmark.line, cmark.column) != (line - 1, col - 1):
        msg += f" ({ctx} that starts at line {cmark.line + 1}, column {cmark.column + 1})"
    elif ctx:
        msg += f" ({ctx})"
    return Problem(name, line, col, "<yaml>", msg)


def _pos(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node graph into plain data, recording positions and problems."""

    def __init__(self, doc: YamlDocument, constructor):
        self.doc = doc
        self.constructor = constructor
        self.nodes = 0
        self.problems: list[Problem] = []
        self.active: set[int] = set()

    def problem(self, node: Node, path: tuple, message: str) -> None:
        line, col = _pos(node)
        self.problems.append(Problem(self.doc.file, line, col, format_path(path), message))

    def build(self, node: Node, path: tuple):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self.problem(node, path, f"document expands to more than {MAX_NODES} nodes "
                             "(aliases repeated too often)")
            return None
        if len(path) > MAX_DEPTH:
            self.problem(node, path, f"nested deeper than {MAX_DEPTH} levels")
            return None
        self.doc.positions.setdefault(path, _pos(node))
        if id(node) in self.active:
            self.problem(node, path, "an alias refers to its own anchor (recursive structure)")
            return None
        tag = str(node.tag)
        if isinstance(node, ScalarNode):
            if tag not in _SCALAR_TAGS:
                self.problem(node, path, f"tag {_short(tag)} is not allowed (plain data only)")
                return None
            return self._scalar(node, path, tag)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if tag != _CORE + "seq":
                    self.problem(node, path, f"tag {_short(tag)} is not allowed (plain data only)")
                    return None
                return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                if tag != _CORE + "map":
                    self.problem(node, path, f"tag {_short(tag)} is not allowed (plain data only)")
                    return None
                return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: ScalarNode, path: tuple, tag: str):
        text = node.value
        if len(text) > MAX_SCALAR:
            self.problem(node, path, f"longer than {MAX_SCALAR} characters")
            return None
        if not _encodable(text):
            self.problem(node, path, "contains a character that is not valid Unicode "
                         "(a lone surrogate such as \\ud800)")
            return None
        if tag.endswith(":timestamp"):
            return text  # a date is kept as the text written
        try:
            return self.constructor.construct_object(node, deep=True)
        except Exception:  # an explicit tag on text it cannot convert, e.g. !!int abc
            self.problem(node, path, f"{text!r} is not a valid {_short(tag)}")
            return None

    def _mapping(self, node: MappingNode, path: tuple) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if str(key_node.tag) == _CORE + "merge":
                self.problem(key_node, path,
                             "merge keys (<<) are not supported: write the keys out")
                continue
            if not isinstance(key_node, ScalarNode) or str(key_node.tag) not in _SCALAR_TAGS:
                self.problem(key_node, path, "mapping keys must be plain scalars")
                continue
            key = key_node.value  # keys are kept as the text written: `0.5:` is the key "0.5"
            if len(key) > MAX_SCALAR or not _encodable(key):
                self.problem(key_node, path, "mapping key too long or not valid Unicode")
                continue
            sub = path + (key,)
            if key in out:
                self.problem(key_node, sub, f"duplicate key {key!r}")
                continue
            self.doc.key_positions[sub] = _pos(key_node)
            out[key] = self.build(value_node, sub)
        return out


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _short(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
