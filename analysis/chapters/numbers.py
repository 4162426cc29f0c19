"""The numbers of an area's or all areas' report, as the disclosure policy lets them be shown.

:mod:`analysis.method.disclosure` decides which counts of people are hidden; this module makes
every count and share a chapter prints into a :class:`~analysis.report.model.Number` carrying
that decision and its lineage (the counts it is computed from), so that the same count is
hidden in every exhibit that prints it and every printed figure can be traced to its cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..method.disclosure import SUPPRESSED, Disclosure, Policy, k_key, n_key
from ..method.rounding import half_up
from ..report.format import NOT_APPLICABLE
from ..report.model import (
    Cell,
    Difference,
    External,
    Kind,
    Lineage,
    Mean,
    Number,
    Paragraph,
    Ratio,
    Sum,
    Text,
    Wilson,
    depends_on,
    share_of,
)
from . import style
from .say import say

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    import pandas as pd

__all__ = ["NOT_APPLICABLE", "Gap", "constant", "count", "external", "gap", "interval",
           "k_of_n", "not_applicable", "percent", "rules", "score", "score_lineage", "share",
           "share_interval", "unlinked_share", "verdict"]


def count(d: Disclosure, key: str) -> Number:
    """A count of people, hidden when the policy hides it."""
    return Number(d.values[key], Kind.COUNT, Cell(key), shown=d.shown(key))


def share(d: Disclosure, k: str, n: str, mark_small: bool = True) -> Number:
    """k / n as a whole percent, * on a small denominator; not applicable when n = 0 (unless
    the zero is hidden: then [c] like any hidden share); hidden with its count or
    denominator (:meth:`Disclosure.shows`, the lineage rule)."""
    whole = d.values[n]
    if whole == 0:
        return Number(None, Kind.SHARE, share_of(k, n), shown=d.shows((k, n)))
    return Number(d.values[k] / whole, Kind.SHARE, share_of(k, n),
                  shown=d.shows((k, n)),
                  small=mark_small and whole < style.SMALL_N)


def not_applicable(d: Disclosure, k: str, n: str) -> Number:
    """What stands for a figure of k / n when n = 0 ("not applicable"): [c] when that zero is
    hidden, since "not applicable" would give it away."""
    return Number(None, Kind.SHARE, share_of(k, n), shown=d.shows((k, n)))


def share_interval(d: Disclosure, k: str, n: str, lower: float, upper: float) -> Number:
    """The 95% Wilson interval of k / n: with n it narrows k down, so it is hidden with the
    share."""
    hidden = not d.shows((k, n))
    value = None if math.isnan(lower) or math.isnan(upper) else (float(lower), float(upper))
    return Number(value, Kind.INTERVAL, Wilson(k, n, "interval"), shown=not hidden)


def k_of_n(d: Disclosure, k: str, n: str, noun: str = "cases") -> Text:
    """'24 of 87 cases', '[c] of 87 cases' (or '[c] of [c]': a hidden denominator)."""
    return say("common.k_of_n", k=count(d, k), n=count(d, n), noun=noun)


def unlinked_share(policy: Policy, k: float, n: float, value: float,
                   lineage: Lineage) -> Number:
    """A share counted outside the linked tables (a group's pooled figure): hidden when its
    count, denominator or complement is small; not applicable when n = 0."""
    if n == 0:
        return Number(None, Kind.SHARE, lineage)
    return Number(float(value), Kind.SHARE, lineage, shown=not policy.hides_share(k, n))


def score(value: float, lineage: Lineage, digits: int = 0) -> Number:
    """A score (a mean of shares) as a percent."""
    return Number(None if math.isnan(value) else float(value), Kind.SCORE, lineage,
                  digits=digits)


def interval(lower: float, upper: float, lineage: Lineage) -> Number:
    """An interval of shares or scores ("–" when it has no value)."""
    value = None if math.isnan(lower) or math.isnan(upper) else (float(lower), float(upper))
    return Number(value, Kind.INTERVAL, lineage)


def external(value: float, kind: Kind, source: str, digits: int = 0,
             grouped: bool = False) -> Number:
    """A figure that is not computed from the case data (published, context, design)."""
    return Number(float(value), kind, External(source), digits=digits, grouped=grouped)


def constant(value: float, source: str = "method", digits: int = 0) -> Number:
    """A number of the method or the design (a rule's cut-off, a number of areas or
    resamples): printed like any figure, computed from no case."""
    return Number(float(value), Kind.NUMBER, External(source), digits=digits)


def percent(value: float, source: str = "method") -> Number:
    """A cut-off of the method in percent (a rule's 80%)."""
    return Number(float(value), Kind.PERCENT, External(source))


def rules(policy: Policy) -> tuple[Paragraph, ...]:
    """The publication rules in plain words under a chapter's tables (none outside
    publication mode)."""
    if not policy.publish:
        return ()
    return (Paragraph(say("common.publication_rules",
                          threshold=constant(policy.threshold, "policy"),
                          below=constant(policy.threshold - 1, "policy"), hidden=SUPPRESSED),
                      "note"),)


def score_lineage(rows: pd.DataFrame, reading: str, prefix: str = "") -> Lineage:
    """How a score is computed from its questions' counts, as the scoring reading says:
    the mean of their shares, the mean of their criteria's means, or pooled counts. ``rows``
    are the questions (those with n > 0 count); ``prefix`` qualifies the keys of their counts
    (``"<area>/"`` for one area of several, ``"all/"`` for the pooled counts)."""
    applied = rows[rows["n"] > 0] if "n" in rows else rows
    pairs = tuple(zip(applied["question"].astype(str), applied["criterion"].astype(str),
                      strict=True))
    return _score_lineage(pairs, reading, prefix)


@lru_cache(maxsize=4096)
def _score_lineage(pairs: tuple[tuple[str, str], ...], reading: str, prefix: str) -> Lineage:
    """One lineage object per score (a report names the same score in many places)."""
    def keys(q: str) -> tuple[str, str]:
        return prefix + k_key(q), prefix + n_key(q)

    if reading == "pooled":
        return Ratio(Sum(tuple(Cell(keys(q)[0]) for q, _ in pairs)),
                     Sum(tuple(Cell(keys(q)[1]) for q, _ in pairs)))
    if reading == "criteria":
        criteria: dict[str, list[str]] = {}
        for q, c in pairs:
            criteria.setdefault(c, []).append(q)
        return Mean(tuple(Mean(tuple(share_of(*keys(q)) for q in qs))
                          for qs in criteria.values()))
    return Mean(tuple(share_of(*keys(q)) for q, _ in pairs))


@dataclass(frozen=True)
class Gap:
    """A figure's gap to its comparison figure, as a report states it: signed whole points
    with the 95% interval's limits, the same as sizes (``size``, ``near`` to ``far``: the
    limits nearer and further from zero) for words that carry the direction, and for a
    question the gap in cases (k - n p0 as a size, with its interval's limits as sizes; None
    for an outcome). ``side`` is "below", "above" or "level" (rounds to 0 points)."""

    points: Number
    lower: Number
    upper: Number
    size: Number
    near: Number
    far: Number
    cases: Number | None
    cases_near: Number | None
    cases_far: Number | None
    side: str


def gap(row: Mapping[str, Any], first: Lineage, second: Lineage, shown: bool) -> Gap | None:
    """The gap of a comparisons-table row (``gap``, ``gap_lower``, ``gap_upper`` and, for a
    question, ``gap_cases`` with its limits): its lineage is ``first`` minus ``second``, its
    interval and cases opaque functions of both; hidden with either figure. None when the
    row has no gap (a figure that is not applicable)."""
    if any(math.isnan(float(row.get(c, math.nan))) for c in ("gap", "gap_lower", "gap_upper")):
        return None
    lineage = Difference(first, second)
    around = depends_on(lineage)

    def points(v: float, ln: Lineage) -> Number:
        return Number(float(v), Kind.POINTS, ln, shown=shown)

    def size(v: float) -> Number:
        return Number(abs(float(v)) * 100, Kind.NUMBER, around, shown=shown)

    value, lo, hi = float(row["gap"]), float(row["gap_lower"]), float(row["gap_upper"])
    near, far = sorted((lo, hi), key=abs) if value != 0 else (lo, hi)
    side = "level" if half_up(value * 100) == 0 else ("below" if value < 0 else "above")
    raw = row.get("gap_cases")
    cases = math.nan if raw is None else float(raw)
    counted = not math.isnan(cases)

    def case_size(v: float) -> Number:
        return Number(abs(float(v)), Kind.NUMBER, around, shown=shown)

    c_lo, c_hi = (float(row["gap_cases_lower"]), float(row["gap_cases_upper"])) if counted \
        else (math.nan, math.nan)
    c_near, c_far = sorted((c_lo, c_hi), key=abs)
    return Gap(points(value, lineage), points(lo, around), points(hi, around), size(value),
               size(near), size(far), case_size(cases) if counted else None,
               case_size(c_near) if counted else None, case_size(c_far) if counted else None,
               side)


def verdict(words: str, *figures: Number) -> str:
    """A decision in words beside the figures it is made from, withheld ([c]) with any of
    them: "unusually low" bounds a hidden count as a printed figure would, so the lineage
    rule of the disclosure in force (:func:`analysis.report.guard.active`) decides it too."""
    from ..report.guard import active

    d = active()
    cells = frozenset().union(*(f.cells() for f in figures))
    hidden = any(not f.shown for f in figures) or (d is not None and not d.shows(cells))
    return SUPPRESSED if hidden else words
