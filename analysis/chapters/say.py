"""The chapters' words: the wording files of ``wording/`` (Jinja2 macros, one file per
chapter), filled with numbers and names (:mod:`analysis.report.wording`).

A researcher changes what a report says by editing those files; Python passes values only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..report.model import Text
from ..report.wording import wording

WORDING = Path(__file__).resolve().parent / "wording"


def say(name: str, /, **values: Any) -> Text:
    """The text of wording macro ``file.macro`` (e.g. ``"outcomes.headline"``)."""
    return wording(WORDING).say(name, **values)


def plain(name: str, /, **values: Any) -> str:
    """The words of a wording macro without markup (alternative text, headings)."""
    return wording(WORDING).plain(name, **values)
