"""The glossary appendix of every report, from ``data/glossary.yaml``.

Abbreviations (RoSH, MAPPA, OASys, ...) and the terms of probation practice and of our method
are explained once, in plain words, in a data file a researcher can edit; every area report and
the aggregate report print it. The file is read and checked in :mod:`analysis.method.glossary`;
this module renders it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..method.glossary import (
    DEFAULT_GLOSSARY,
    GROUPS,
    Entry,
    GlossaryError,
    check_glossary,
    load_glossary,
)
from ..report.exhibit import Exhibit
from ..report.model import Definitions, Heading, Paragraph, Role, Text
from .say import plain, say

__all__ = ["DEFAULT_GLOSSARY", "GROUPS", "Entry", "GlossaryError", "check_glossary",
           "glossary", "load_glossary"]


def glossary(anchor: str = "glossary", path: Path = DEFAULT_GLOSSARY,
             groups: Sequence[str] = GROUPS) -> Exhibit:
    """The glossary appendix: practice terms, then method terms, each alphabetical; only the
    ``groups`` given (an area's report prints the practice terms, its annex the method's)."""
    entries = [e for e in load_glossary(path) if e.group in groups]
    titled = [(plain("appendices.glossary_group", group=key),
               [e for e in entries if e.group == key]) for key in GROUPS]
    blocks: list = [Heading("Glossary", 2, anchor), Paragraph(say(
        "appendices.glossary_intro", method_elsewhere="method" not in groups,
        practice_elsewhere="practice" not in groups))]
    for i, (title, listed) in enumerate([g for g in titled if g[1]], start=1):
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
