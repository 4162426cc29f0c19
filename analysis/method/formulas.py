"""Text a spreadsheet would run as a formula, kept as text in every CSV the package writes.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before looking) is a formula to Excel and LibreOffice: a group label typed as
``=HYPERLINK(...)`` in ``areas.csv`` would run when a reader opens a table. Such text is
written with a leading apostrophe, which spreadsheets show as text and do not print (the
advice of OWASP's "CSV injection" page). Numbers are never changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """The value as a CSV cell should hold it: text a spreadsheet would run, quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell made inert (the frame itself when none needs it)."""
    text = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) in
            ("string", "str")]
    changed = {c: frame[c].map(inert) for c in text
               if frame[c].map(lambda v: inert(v) is not v).any()}
    return frame.assign(**changed) if changed else frame
