"""The precision at which an area report shows the all-areas figures: decided here, once.

An area's summary and comparison chapters read the cross-area figures about their area only
through its *view*: its rows of the comparisons table, the columns those chapters print or
draw, each rounded (half up, :mod:`analysis.method.rounding`) to the finest precision a report
shows it at. Shares, limits and gaps keep 0.1 percentage point, what a chart can draw (a gap
prints in whole points), but never so that a figure prints otherwise than its full value does
(:func:`shown`); a gap in cases keeps the whole case it prints; the chance of a flag keeps the
four places its sum needs for the one decimal it prints. Because a chapter reads nothing
finer, a change in another area that moves no figure of the view cannot change the chapter,
and the build may keep it (its digest covers the view, :mod:`analysis.pipeline.views`).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .rounding import half_up

if TYPE_CHECKING:
    import pandas as pd

    from .bank import QuestionBank

#: 0.1 percentage point, as a share: how finely a chart places a share or a limit (and what
#: a gap keeps, whose sign and order choose the gaps a report lists in words).
DRAWN_DIGITS = 3
#: A whole percent or a whole point, as a share: how a share or a gap prints in words.
PRINTED_DIGITS = 2
#: A gap in cases prints whole cases.
CASES_DIGITS = 0
#: The chance of a flag: summed over up to a few dozen rows, printed to one decimal.
CHANCE_DIGITS = 4

#: A figure drawn and printed: kept to the chart's precision, without ever printing otherwise.
SHARE = (DRAWN_DIGITS, PRINTED_DIGITS)
#: The comparisons table's columns an area's chapters read, each with the decimal places it
#: is kept to and those it prints at (None: not a figure, kept as it is).
VIEW_COLUMNS: dict[str, tuple[int, int] | None] = {
    "scope": None, "area_id": None, "kind": None, "measure": None, "decision": None,
    "k": None, "n": None,
    "share": SHARE, "share_lower": SHARE, "share_upper": SHARE, "pooled": SHARE,
    "lower": SHARE, "upper": SHARE, "gap": SHARE, "gap_lower": SHARE, "gap_upper": SHARE,
    "gap_cases": (CASES_DIGITS, CASES_DIGITS), "gap_cases_lower": (CASES_DIGITS, CASES_DIGITS),
    "gap_cases_upper": (CASES_DIGITS, CASES_DIGITS),
    "chance": (CHANCE_DIGITS, CHANCE_DIGITS),
}
_TEXT = ("scope", "area_id", "kind", "measure", "decision")
_COUNTS = ("k", "n")
#: The comparisons table's scope of every area (the others are groups).
ALL = "all"
#: A view's rows in a stable order, so that the same figures give the same bytes.
_KEY = ["scope", "kind", "measure"]


def shown(value: Any, digits: int, printed: int) -> float:
    """``value`` rounded half up to ``digits`` places, as a chart can show it, but printing
    (rounded to ``printed`` places) exactly as ``value`` does: where rounding twice would
    cross a printed figure's rounding boundary (0.8449 to 0.845, then 85%), the nearest
    figure on ``value``'s side of the boundary, one place finer (0.8449). NaN stays NaN."""
    number = float(value)
    if math.isnan(number):
        return number
    kept = half_up(number, digits)
    wanted, got = half_up(number, printed), half_up(float(kept), printed)
    if got == wanted:
        return float(kept)
    boundary = (wanted + got) / 2
    step = Decimal(1).scaleb(-(digits + 1))
    return float(boundary - step if got > wanted else boundary + step)


#: Kept of every row: what says which figure a row is.
_IDENTITY = ("scope", "area_id", "kind", "measure")
#: Kept of a row of the area against one of its groups: the group's figure and the decision
#: (a report prints and draws no other column of it).
_GROUP_ROW = (*_IDENTITY, "pooled", "decision")
#: Kept of an outcome's row: all but the limits, which decided it (the decision is kept)
#: but which no report draws for an outcome (its chart draws the area's own interval).
_OUTCOME_ROW = tuple(c for c in VIEW_COLUMNS if c not in ("lower", "upper"))
#: Kept of a question that is neither key nor an outcome: its all-areas share, printed only
#: (a priority of the summary), so to the whole percent it prints at.
_PRINTED_ROW = (*_IDENTITY, "pooled")
#: An outcome's gap to the all-areas score and its interval: printed in whole points, never
#: drawn (the outcome's chart draws the area's score, its interval and the all-areas score),
#: so kept to the whole point (a key question's gaps are kept finer: which gaps a report lists
#: is chosen by their size and by whether their interval leaves out zero).
_PRINTED_GAP = ("gap", "gap_lower", "gap_upper")


def _cell(name: str, value: Any, precision: tuple[int, int] | None) -> Any:
    """One cell of a view as JSON: text, a whole count or None, a rounded figure or None."""
    if value is None or value != value:
        return None
    if name in _TEXT:
        return str(value)
    if precision is None:
        return int(value)
    return shown(value, *precision)


def _row(row: dict[str, Any], key: frozenset[str]) -> dict[str, Any]:
    """One row of a view: the columns a report reads of it, each to its precision (the
    others empty, so that a figure no chapter reads never changes the view)."""
    if row["scope"] != ALL:
        kept: tuple[str, ...] = _GROUP_ROW
    elif row["kind"] != "question":
        kept = _OUTCOME_ROW
    elif row["measure"] not in key:
        kept = _PRINTED_ROW
    else:
        kept = tuple(VIEW_COLUMNS)
    printed = {"pooled"} if kept is _PRINTED_ROW else \
        set(_PRINTED_GAP) if kept is _OUTCOME_ROW else set()
    return {name: _cell(name, row[name], (PRINTED_DIGITS, PRINTED_DIGITS)
                        if name in printed else VIEW_COLUMNS[name])
            if name in kept else None for name in VIEW_COLUMNS}


def key_questions(bank: QuestionBank) -> frozenset[str]:
    """The key questions: the only ones whose comparison a report prints and draws."""
    return frozenset(q for q, question in bank.question_by_id.items() if question.key)


def area_view(comparisons: pd.DataFrame, area_id: str, key: frozenset[str]) -> str:
    """An area's rows of the comparisons table (every scope), as the area's chapters read
    them (``key``: the key questions, whose comparison the report prints and draws in full;
    against a group, a report shows only the outcomes and key questions): JSON text whose
    bytes change only when a figure they show changes."""
    mine = comparisons[comparisons["area_id"] == area_id].sort_values(_KEY)
    rows = [_row(row, key) for row in mine[list(VIEW_COLUMNS)].to_dict("records")
            if row["scope"] == ALL or row["kind"] != "question" or row["measure"] in key]
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def read_view(text: str) -> pd.DataFrame:
    """A view back as the comparisons table's rows (its columns, the table's types)."""
    import pandas as pd

    frame = pd.DataFrame(json.loads(text), columns=list(VIEW_COLUMNS))
    for name in VIEW_COLUMNS:
        if name in _TEXT:
            frame[name] = frame[name].astype("str")
        elif name in _COUNTS:
            frame[name] = frame[name].astype("Int64")
        else:
            frame[name] = frame[name].astype("float64")
    return frame
