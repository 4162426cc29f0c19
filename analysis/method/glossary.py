"""The glossary's entries: ``data/glossary.yaml``, read and checked like every input.

Abbreviations (RoSH, MAPPA, OASys, ...) and the terms of probation practice and of our method,
each explained once in plain words, in a data file a researcher can edit. It is read as
people's tools save text (:mod:`analysis.method.textfile`: encodings, size limits) and every
problem is reported at once, each naming the file, the entry and the value; the build checks it
before it writes anything. The appendix that prints it is :mod:`analysis.chapters.glossary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core import paths
from ..core.errors import InputError, Problem
from . import textfile

DEFAULT_GLOSSARY = paths.REPO_ROOT / "data" / "glossary.yaml"
#: The glossary's groups, in the order the appendix prints them (their titles are wording:
#: chapters/wording/appendices.j2).
GROUPS = ("practice", "method")
FIELDS = ("term", "meaning", "group", "stands_for")
#: A term is a heading of a definition list: a line, not a paragraph.
MAX_TERM_CHARS = 80


class GlossaryError(InputError):
    """A malformed glossary file."""


@dataclass(frozen=True)
class Entry:
    """One term: its expansion when it is an abbreviation, and its meaning."""

    term: str
    meaning: str
    group: str
    stands_for: str = ""


def _text(raw: dict[object, object], key: str) -> str | None:
    """A field as one line of text (YAML folds long lines); None when it is not text."""
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return " ".join(str(value).split())


def _entry(raw: object, i: int, name: str) -> Entry | list[Problem]:
    """Entry ``i`` (1-based), or everything wrong with it."""
    where = f"entry {i}"
    if not isinstance(raw, dict):
        return [Problem(name, f"{where} is not a mapping of term, meaning and group",
                        value=str(raw), allowed="term: ..., meaning: ..., group: ...")]
    label = f"{where} ({raw.get('term')})" if raw.get("term") else where
    problems = [Problem(name, f"{label}: unknown field", value=str(k),
                        allowed=", ".join(FIELDS)) for k in raw if k not in FIELDS]
    texts = {key: _text(raw, key) for key in FIELDS}
    for key, text in texts.items():
        if text is None:
            problems.append(Problem(name, f"{label}: '{key}' must be text", value=str(raw[key])))
        elif len(text) > textfile.MAX_CELL_CHARS:
            problems.append(Problem(name, f"{label}: '{key}' is too long ({len(text):,} "
                                    "characters)", value=text,
                                    allowed=f"at most {textfile.MAX_CELL_CHARS:,} characters"))
    for key in ("term", "meaning", "group"):
        if texts[key] == "":
            problems.append(Problem(name, f"{label} needs a '{key}'", value=str(raw),
                                    allowed=", ".join(GROUPS) if key == "group" else None))
    if texts["term"] and len(texts["term"]) > MAX_TERM_CHARS:
        problems.append(Problem(name, f"{label}: the term is longer than a heading",
                                value=texts["term"],
                                allowed=f"at most {MAX_TERM_CHARS} characters"))
    if texts["group"] and texts["group"] not in GROUPS:
        problems.append(Problem(name, f"{label}: unknown group", value=texts["group"],
                                allowed=", ".join(GROUPS)))
    if problems:
        return problems
    return Entry(texts["term"] or "", texts["meaning"] or "", texts["group"] or "",
                 texts["stands_for"] or "")


def _parse(path: Path) -> tuple[tuple[Entry, ...], list[Problem]]:
    """Every entry, and every problem of the file."""
    import yaml

    from ..core.yamlfile import parse

    name = str(path)
    try:
        text = textfile.read_text(Path(path), "glossary file").text
    except InputError as exc:
        return (), exc.problems
    try:
        raw = parse(text)
    except yaml.YAMLError as exc:
        return (), [Problem(name, f"not valid YAML: {exc}")]
    items = raw.get("entries") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return (), [Problem(name, "expected a mapping with an 'entries' list")]
    entries: list[Entry] = []
    problems: list[Problem] = []
    for i, item in enumerate(items, start=1):
        parsed = _entry(item, i, name)
        if isinstance(parsed, Entry):
            entries.append(parsed)
        else:
            problems.extend(parsed)
    seen: dict[str, str] = {}
    for e in entries:
        key = e.term.lower()
        if key in seen:
            problems.append(Problem(name, f"term listed twice (first as '{seen[key]}')",
                                    value=e.term, allowed="each term once"))
        seen.setdefault(key, e.term)
    return tuple(sorted(entries, key=lambda e: e.term.lower())), problems


def check_glossary(path: Path = DEFAULT_GLOSSARY) -> list[Problem]:
    """Every problem of the glossary file (a missing file is one: every report prints it)."""
    if not Path(path).exists():
        return [Problem(str(path), "glossary file not found")]
    return _parse(Path(path))[1]


@lru_cache(maxsize=4)
def load_glossary(path: Path = DEFAULT_GLOSSARY) -> tuple[Entry, ...]:
    """Every entry, checked; sorted by term as printed (case-insensitive)."""
    if not Path(path).exists():
        raise GlossaryError([Problem(str(path), "glossary file not found")])
    entries, problems = _parse(Path(path))
    if problems:
        raise GlossaryError(problems)
    return entries
