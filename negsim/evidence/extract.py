"""Candidate evidence in new documents: sentences that name an actor and an issue, with the
stance cues they contain, so that an analyst can find the sentences that should move a
preference and cite them in a scenario.

Plain text only, no network and no model: documents are split into sentences by punctuation
(with the usual abbreviations protected), and each sentence is matched against vocabularies
of actors (with aliases: Kremlin, Moscow and Putin for Russia; Kyiv and Zelensky for
Ukraine; ...), of issues (Crimea and Donbas for territory, SWIFT for sanctions relief,
peacekeepers for security guarantees, ...) and of stance cues (demand, reject, insist,
unacceptable, will not, ...). A scenario adds its own actor and issue ids, names and labels,
and limits the listing to its actors and issues.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass
from pathlib import Path

# Aliases are matched as whole words, ignoring case, except those written in capitals
# (US, EU, UK, NATO), which must appear in capitals ("us" is not the United States).
ACTORS: dict[str, tuple[str, ...]] = {
    "russia": ("Russia", "Russian", "Russians", "Kremlin", "Moscow", "Putin", "Peskov",
               "Zakharova", "Lavrov", "Ryabkov", "Dmitriev", "Ushakov", "Patrushev"),
    "ukraine": ("Ukraine", "Ukrainian", "Ukrainians", "Kyiv", "Kiev", "Zelensky", "Zelenskyy",
                "Zelenskiy", "Yermak"),
    "united_states": ("United States", "US", "U.S.", "USA", "America", "American", "Americans",
                      "Washington", "White House", "Trump", "Rubio", "Witkoff", "Kellogg",
                      "Hegseth", "Vance", "Waltz"),
    "europe": ("Europe", "European", "Europeans", "EU", "European Union",
               "European Commission", "Brussels", "UK", "Britain", "British", "France",
               "French", "Germany", "German", "Macron", "Starmer", "Whitehall", "Kallas",
               "Lammy", "Healey", "coalition of the willing"),
}

ISSUES: dict[str, tuple[str, ...]] = {
    "territory": ("territory", "territories", "territorial", "land", "Crimea", "Crimean",
                  "Donbas", "Donbass", "Donetsk", "Luhansk", "Zaporizhzhia", "Kherson",
                  "borders", "occupied", "annexed", "annexation", "line of contact",
                  "territorial realities"),
    "nato": ("NATO", "North Atlantic", "alliance", "neutral", "neutrality", "Article 5",
             "join NATO"),
    "sanctions_relief": ("sanction", "sanctions", "SWIFT", "frozen assets", "G7", "G8",
                         "sanctions relief"),
    "security_guarantees": ("security guarantee", "security guarantees", "guarantee",
                            "guarantees", "peacekeepers", "peacekeeping", "troops",
                            "coalition of the willing", "deterrence", "reassurance force",
                            "assurances", "security assurances", "demilitarisation",
                            "demilitarization", "Article 5"),
    "military_aid": ("military aid", "military assistance", "military support", "weapons",
                     "arms", "intelligence sharing", "intelligence-sharing", "aid"),
    "minerals_deal": ("mineral", "minerals", "rare earth", "rare earths", "raw materials",
                      "resources deal"),
    "ceasefire": ("ceasefire", "cease-fire", "truce", "cessation of hostilities",
                  "hostilities"),
    "interim_government": ("interim government", "interim administration", "election",
                           "elections", "legitimacy", "legitimate", "signatures"),
}

CUES = ("demand", "demands", "demanded", "reject", "rejects", "rejected", "insist", "insists",
        "insisted", "unacceptable", "will not", "won't", "would not", "cannot", "can not",
        "refuse", "refuses", "refused", "never", "categorically", "condition", "conditions",
        "prerequisite", "red line", "must", "require", "requires", "accept", "accepts",
        "accepted", "ready", "prepared", "willing", "threatened", "threatens", "non-negotiable",
        "not negotiable", "renounce", "oppose", "opposes", "opposed", "agree", "agreed")

ABBREVIATIONS = ("U.S.", "U.K.", "U.N.", "E.U.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "e.g.",
                 "i.e.", "etc.", "vs.", "Gen.", "Sen.", "Rep.", "Jan.", "Feb.", "Mar.", "Apr.",
                 "Aug.", "Sept.", "Sep.", "Oct.", "Nov.", "Dec.", "No.")

# a sentence ends after . ! ? … and any closing quotes or brackets (group 1), before the
# next capital; a blank line, or a line break marked as a boundary (\x1e), ends one too
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])([\"”’')\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9])|\n\s*\n|\x1e")
_BULLET = re.compile(r"[ \t]*(?:[-•*–—]|\d{1,2}[.)])\s")
PARAGRAPH_LINE = 100  # a line this long before a break is a paragraph of its own
MAX_SENTENCE = 1200  # longer runs of text without sentence ends are cut at a space


@dataclass(frozen=True)
class Candidate:
    """A sentence that names ``actor`` and ``issue``: where it is and its stance cues."""

    actor: str
    issue: str
    document: str
    line: int
    column: int
    sentence: str
    cues: tuple[str, ...]

    def as_dict(self) -> dict:
        """JSON-ready: cues as a list."""
        data = asdict(self)
        data["cues"] = list(self.cues)
        return data


def _pattern(words) -> re.Pattern | None:
    """One regex for a vocabulary: whole words; capitalised acronyms match case-sensitively."""
    exact = [w for w in words if w.isupper() or "." in w]
    loose = [w for w in words if w not in exact]
    parts = []
    if loose:
        parts.append("(?i:" + "|".join(_word(w) for w in sorted(loose, key=len, reverse=True))
                     + ")")
    if exact:
        parts.append("|".join(_word(w) for w in sorted(exact, key=len, reverse=True)))
    return re.compile("|".join(parts)) if parts else None


def _word(word: str) -> str:
    escaped = re.escape(word).replace(r"\ ", r"[\s\-]+")
    return rf"(?<![\w.]){escaped}(?![\w])"


def sentences(text: str):
    """(start offset, sentence) for every sentence of ``text``, whitespace normalised."""
    protected = _mark_line_breaks(text)
    for abbreviation in ABBREVIATIONS:  # keep "U.S. officials" in one sentence
        protected = protected.replace(abbreviation, abbreviation.replace(".", "\0"))
    start = 0
    for match in _SENTENCE_END.finditer(protected):
        yield from _one(text, start, match.start() + len(match.group(1) or ""))
        start = match.end()
    yield from _one(text, start, len(text))


def _mark_line_breaks(text: str) -> str:
    """``text`` with the single line breaks that end a sentence replaced by \x1e (same
    length, so offsets hold): before a bullet, and after a long line (one paragraph per
    line) when the next line starts with a capital or a digit."""
    chars = list(text)
    start = 0
    for i, char in enumerate(text):
        if char != "\n":
            continue
        line, following = text[start:i], text[i + 1:i + 3]
        start = i + 1
        paragraph = len(line) >= PARAGRAPH_LINE and (following[:1].isupper()
                                                      or following[:1].isdigit())
        if paragraph or _BULLET.match(text, i + 1):
            chars[i] = "\x1e"
    return "".join(chars)


def _one(text: str, start: int, stop: int):
    raw = text[start:stop]
    stripped = raw.strip()
    if not stripped:
        return
    offset = start + (len(raw) - len(raw.lstrip()))
    while len(stripped) > MAX_SENTENCE:  # no sentence end for too long: cut at a space
        cut = stripped.rfind(" ", 0, MAX_SENTENCE)
        cut = cut if cut > 0 else MAX_SENTENCE
        yield offset, " ".join(stripped[:cut].split())
        rest = stripped[cut:]
        offset += cut + (len(rest) - len(rest.lstrip()))
        stripped = rest.lstrip()
    yield offset, " ".join(stripped.split())


def _found(pattern: re.Pattern | None, sentence: str) -> bool:
    return bool(pattern and pattern.search(sentence))


class Extractor:
    """The vocabularies to match, built in, or extended and restricted by a scenario."""

    def __init__(self, scenario=None):
        actors = {a: list(words) for a, words in ACTORS.items()}
        issues = {k: list(words) for k, words in ISSUES.items()}
        if scenario is not None:
            actors = {a: actors.get(a, []) + _names(a, actor.name)
                      for a, actor in scenario.actors.items()}
            issues = {k: issues.get(k, []) + _names(k, issue.label)
                      for k, issue in scenario.issues.items()}
        self.actors = {a: _pattern(words) for a, words in actors.items()}
        self.issues = {k: _pattern(words) for k, words in issues.items()}
        self.cues = [(cue, _pattern([cue])) for cue in CUES]

    def candidates(self, path: Path) -> list[Candidate]:
        """Every (actor, issue) named together in a sentence of the document at ``path``."""
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        out = []
        for offset, sentence in sentences(text):
            actors = [a for a, p in self.actors.items() if _found(p, sentence)]
            issues = [k for k, p in self.issues.items() if _found(p, sentence)]
            if not actors or not issues:
                continue
            cues = tuple(cue for cue, p in self.cues if _found(p, sentence))
            line = bisect_right(line_starts, offset)
            column = offset - line_starts[line - 1] + 1
            for actor in actors:
                for issue in issues:
                    out.append(Candidate(actor, issue, Path(path).name, line, column, sentence,
                                         cues))
        return out


def _names(ident: str, name: str) -> list[str]:
    """An id and a display name as vocabulary: 'sanctions_relief' -> 'sanctions relief'."""
    words = [ident.replace("_", " ")]
    if name:
        words.append(name)
    return words


def extract(paths, scenario=None) -> list[Candidate]:
    """Candidates from every document, in document order, then sentence order."""
    extractor = Extractor(scenario)
    out = []
    for path in paths:
        out.extend(extractor.candidates(path))
    return out
