"""The glossary appendix of every report, from ``data/glossary.yaml``.

Abbreviations (RoSH, MAPPA, OASys, ...) and the terms of probation practice and of our method
are explained once, in plain words, in a data file a researcher can edit; every area report and
the aggregate report print it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from ..core import paths
from ..core.errors import InputError, Problem
from ..core.yamlfile import parse
from ..report.exhibit import Exhibit
from ..report.model import Definitions, Heading, Paragraph, Role, Text
from .say import plain, say

DEFAULT_GLOSSARY = paths.REPO_ROOT / "data" / "glossary.yaml"
GROUPS = ("practice", "method")  # in the order the appendix prints them


class GlossaryError(InputError):
    """A malformed glossary file."""


@dataclass(frozen=True)
class Entry:
    """One term: its expansion when it is an abbreviation, and its meaning."""

    term: str
    meaning: str
    group: str
    stands_for: str = ""


def _entry(raw: object, i: int, name: str) -> Entry | Problem:
    if not isinstance(raw, dict) or not raw.get("term") or not raw.get("meaning"):
        return Problem(name, f"entry {i} needs a 'term' and a 'meaning'", value=str(raw))
    group = str(raw.get("group", ""))
    if group not in GROUPS:
        return Problem(name, f"entry {i} ({raw['term']}): unknown group", value=group,
                       allowed=", ".join(GROUPS))
    return Entry(str(raw["term"]), " ".join(str(raw["meaning"]).split()), group,
                 str(raw.get("stands_for") or ""))


@lru_cache(maxsize=4)
def load_glossary(path: Path = DEFAULT_GLOSSARY) -> tuple[Entry, ...]:
    """Every entry, checked; sorted by term as printed (case-insensitive)."""
    name = str(path)
    try:
        raw = parse(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GlossaryError([Problem(name, "glossary file not found")]) from None
    except yaml.YAMLError as exc:
        raise GlossaryError([Problem(name, f"not valid YAML: {exc}")]) from None
    items = raw.get("entries") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise GlossaryError([Problem(name, "expected a mapping with an 'entries' list")])
    parsed = [_entry(e, i, name) for i, e in enumerate(items, start=1)]
    problems = [p for p in parsed if isinstance(p, Problem)]
    entries = [e for e in parsed if isinstance(e, Entry)]
    seen: set[str] = set()
    for e in entries:
        if e.term.lower() in seen:
            problems.append(Problem(name, "term listed twice", value=e.term))
        seen.add(e.term.lower())
    if problems:
        raise GlossaryError(problems)
    return tuple(sorted(entries, key=lambda e: e.term.lower()))


def glossary(anchor: str = "glossary", path: Path = DEFAULT_GLOSSARY) -> Exhibit:
    """The glossary appendix: practice terms, then method terms, each alphabetical."""
    entries = load_glossary(path)
    groups = [(plain("appendices.glossary_group", group=key),
               [e for e in entries if e.group == key]) for key in GROUPS]
    blocks: list = [Heading("Glossary", 2, anchor), Paragraph(say("appendices.glossary_intro"))]
    for i, (title, listed) in enumerate([g for g in groups if g[1]], start=1):
        blocks.append(Heading(title, 3, f"{anchor}-{i}"))
        blocks.append(Definitions(tuple((_term(e), Text.of(e.meaning)) for e in listed),
                                  role="glossary"))
    data = pd.DataFrame([e.__dict__ for e in entries], columns=list(Entry.__annotations__))
    return Exhibit(tuple(blocks), data)


def _term(e: Entry) -> Text:
    """A term, with what it stands for when it is an abbreviation."""
    if not e.stands_for:
        return Text.of(e.term)
    return Text.of(e.term, " ", Role("stands-for", (f"({e.stands_for})",)))
