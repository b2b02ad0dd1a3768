"""Located problems in input files and the exception that carries them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, at a line and column (both 1-based)."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


class ScenarioError(Exception):
    """Raised when input is not valid; holds every problem found.

    Problems are grouped by file, files in the order they were first reported (a scenario
    before the registry it names), and sorted by position within a file.
    """

    def __init__(self, problems: list[Problem]):
        files = list(dict.fromkeys(p.file for p in problems))
        unique = set(problems)
        self.problems = sorted(unique, key=lambda p: (files.index(p.file), p.line, p.column,
                                                      p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, options) -> str:
    """' (did you mean 'x'?)' for the closest option to ``word``, or '' when none is close."""
    close = difflib.get_close_matches(word, [o for o in options if o != word], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def format_path(parts: tuple) -> str:
    """Render a key path such as ('actors', 'russia', 'ideal', 0) as 'actors.russia.ideal[0]'."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<document>"
