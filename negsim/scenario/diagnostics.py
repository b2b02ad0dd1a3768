"""Turn pydantic validation errors into located, readable problems."""

from __future__ import annotations

import typing
from functools import cache

from pydantic import BaseModel, Tag, ValidationError

from .errors import Problem, did_you_mean, format_path
from .yamldoc import YamlDocument


def validate_document(model: type[BaseModel], doc: YamlDocument, context: dict):
    """Validate ``doc.data`` as ``model``; return (instance or None, located problems)."""
    try:
        return model.model_validate(doc.data, context=context), []
    except ValidationError as exc:
        problems: list[Problem] = []
        for err in exc.errors(include_url=False):
            problems.extend(_located(err, doc, model))
        return None, problems


def _walk(loc: tuple, data) -> tuple[tuple, bool]:
    """Keys of ``loc`` that exist in ``data`` (pydantic adds union tags that do not)."""
    path: list = []
    cur = data
    is_key = False
    for part in loc:
        if part == "[key]":
            is_key = True
            break
        if isinstance(cur, dict) and part in cur:
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            path.append(part)
            cur = cur[part]
    return tuple(path), is_key


def _located(err: dict, doc: YamlDocument, model: type[BaseModel]):
    path, is_key = _walk(tuple(err["loc"]), doc.data)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "cross_field":
        for sub, message in ctx["problems"]:
            full = path + tuple(sub)
            line, col = doc.locate(full)
            yield Problem(doc.file, line, col, format_path(full), message)
        return
    if kind == "missing":
        name = err["loc"][-1]
        line, col = doc.locate(path, prefer_key=True)
        holder = model_at(model, tuple(err["loc"]))
        hints = getattr(holder, "missing_hints", {}) if holder is not None else {}
        message = hints.get(name, "required key missing")
        yield Problem(doc.file, line, col, format_path(path + (name,)), message)
        return
    if kind == "extra_forbidden":
        key = str(path[-1] if path else err["loc"][-1])
        holder = model_at(model, tuple(err["loc"]))
        removed = getattr(holder, "removed_keys", {}) if holder is not None else {}
        message = removed.get(key) or _unknown_key(key, holder)
        line, col = doc.locate(path, prefer_key=True)
        yield Problem(doc.file, line, col, format_path(path), message)
        return
    line, col = doc.locate(path, prefer_key=is_key)
    message = message_for(err)
    if is_key:
        message = f"key {path[-1]!r}: {message}" if path else message
    yield Problem(doc.file, line, col, format_path(path), message)


def _describe(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a {len(str(abs(value)))}-digit number"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:60]!r}" + ("…" if len(value) > 60 else "")
    return repr(value)


_EXPECTED = {
    "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
    "int_parsing": "a whole number", "int_from_float": "a whole number",
    "string_type": "text", "bool_type": "true or false", "bool_parsing": "true or false",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "list_type": "a list",
}
_COMPARE = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt"),
            "less_than_equal": ("≤", "le"), "less_than": ("<", "lt")}


def message_for(err: dict) -> str:
    """A readable message for one pydantic error (without its location)."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_describe(value)}"
    if kind in _COMPARE:
        sign, key = _COMPARE[kind]
        limit = ctx[key]
        limit = f"{limit:g}" if isinstance(limit, (int, float)) else limit
        return f"must be {sign} {limit} (got {_describe(value)})"
    if kind == "finite_number":
        return f"must be a finite number (got {_describe(value)})"
    if kind == "multiple_of":
        return f"must be a whole number (got {_describe(value)})"
    if kind == "string_pattern_mismatch":
        return (f"must be a snake_case id (lowercase letters, digits and _, starting with a "
                f"letter), got {_describe(value)}")
    if kind == "literal_error":
        return f"must be {ctx.get('expected')} (got {_describe(value)})"
    if kind == "union_tag_invalid":
        return (f"unknown {ctx.get('discriminator', 'type')} {ctx.get('tag')!r}; "
                f"expected {ctx.get('expected_tags')}")
    if kind == "union_tag_not_found":
        return f"needs {ctx.get('discriminator', 'a type')} (which kind this is)"
    if kind in ("too_short", "too_long"):
        return err["msg"].replace("Dictionary", "mapping").replace("List", "list")
    if kind.startswith("value_error") or kind.startswith("assertion_error"):
        return str(err["msg"]).removeprefix("Value error, ")
    return err["msg"]


def _unknown_key(key: str, holder: type[BaseModel] | None) -> str:
    if holder is None:
        return f"unknown key {key!r}"
    shared = ("evidence", "assumption", "note")  # provenance keys, listed last
    allowed = [f for f in holder.model_fields if f not in shared] + [
        f for f in shared if f in holder.model_fields]
    hint = did_you_mean(key, allowed)
    if hint:
        return f"unknown key {key!r}{hint}"
    return f"unknown key {key!r}; allowed here: {', '.join(allowed)}"


def model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model holding the last element of a pydantic error location (union tags included)."""
    options: list = [root]
    for part in loc[:-1]:
        options = [nxt for ann in options for nxt in _step(ann, part)]
        if not options:
            return None
    models = {atom for ann in options for atom, _ in _atoms(ann) if _is_model(atom)}
    return models.pop() if len(models) == 1 else None


def _is_model(atom) -> bool:
    return isinstance(atom, type) and issubclass(atom, BaseModel)


@cache
def _atoms(annotation) -> tuple:
    """(type, tags) pairs an annotation may resolve to: Annotated and unions unwrapped."""
    out = []
    stack = [(annotation, frozenset())]
    while stack:
        ann, tags = stack.pop()
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            base, *meta = typing.get_args(ann)
            extra = {m.tag for m in meta if isinstance(m, Tag)}
            stack.append((base, tags | extra))
        elif origin in (typing.Union, __import__("types").UnionType):
            stack.extend((arg, tags) for arg in typing.get_args(ann))
        else:
            if _is_model(ann):  # a discriminated member is tagged by its Literal type/op/dist
                for name in ("type", "op", "dist"):
                    field = ann.model_fields.get(name)
                    if field is not None and typing.get_origin(field.annotation) is typing.Literal:
                        tags = tags | set(typing.get_args(field.annotation))
            out.append((ann, tags))
    return tuple(out)


def _step(annotation, part) -> list:
    found = []
    for atom, tags in _atoms(annotation):
        if part in tags:
            found.append(atom)
        elif _is_model(atom) and part in atom.model_fields:
            found.append(atom.model_fields[part].annotation)
        elif typing.get_origin(atom) is dict:
            found.append(typing.get_args(atom)[1])
        elif typing.get_origin(atom) is list and isinstance(part, int):
            found.append(typing.get_args(atom)[0])
    return found
