"""The glossary appendix of every report, from ``data/glossary.yaml``.

Abbreviations (RoSH, MAPPA, OASys, ...) and the terms of probation practice and of our method
are explained once, in plain words, in a data file a researcher can edit; every area report and
the aggregate report print it. The file is read and checked in :mod:`analysis.method.glossary`;
this module renders it.
"""

from __future__ import annotations

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
from .templating import render

__all__ = ["DEFAULT_GLOSSARY", "GROUPS", "Entry", "GlossaryError", "check_glossary",
           "glossary", "load_glossary"]


def glossary(anchor: str = "glossary", path: Path = DEFAULT_GLOSSARY) -> Exhibit:
    """The glossary appendix: practice terms, then method terms, each alphabetical."""
    entries = load_glossary(path)
    groups = [(title, [e for e in entries if e.group == key]) for key, title in GROUPS.items()]
    data = pd.DataFrame([e.__dict__ for e in entries], columns=list(Entry.__annotations__))
    return Exhibit(render("glossary.html.j2", anchor=anchor, groups=groups), data)
