"""How a number is printed: the one place for percentages, intervals and differences.

Every share, score, interval and difference a report, the index or a caption prints goes
through these functions, so that one rounding rule holds everywhere: half up, as the published
report rounds (:mod:`analysis.method.rounding`; 17 of 40 prints 43%, never 42%).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..method import rounding
from ..method.disclosure import SUPPRESSED
from .model import Kind

if TYPE_CHECKING:
    from .model import Number

NOT_APPLICABLE = "not applicable"
NO_INTERVAL = "–"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: float | None, digits: int = 0) -> str:
    """A share as a percent; nan reads as not applicable, never as 0% or NaN%."""
    if value is None or _missing(value):
        return NOT_APPLICABLE
    return f"{rounding.text(100 * value, digits)}%"


def interval(lower: float | None, upper: float | None) -> str:
    """A 95% interval of a share, in whole percents ("61–83%")."""
    if lower is None or upper is None or _missing(lower) or _missing(upper):
        return NO_INTERVAL
    return f"{rounding.text(100 * lower)}–{rounding.text(100 * upper)}%"


def points(value: float, digits: int = 1) -> str:
    """A difference of two shares in percentage points, signed, with a true minus sign."""
    text = rounding.text(100 * value, digits, sign=True)
    if float(text) == 0:  # no sign on a difference that rounds to nothing ("0", not "−0")
        text = text[1:]
    return text.replace("-", "−")


def p_value(value: float) -> str:
    """A p-value with its relation, as a sentence reads it: "< 0.001", "= 0.034"."""
    return "< 0.001" if value < 0.001 else f"= {value:.3f}"


def number_text(n: Number) -> str:
    """How a number of the report model is printed: [c] when the policy hides it, "not
    applicable" (a share) or "–" (an interval) when it has no value, else by its kind."""
    if not n.shown:
        return SUPPRESSED
    v = n.value
    if n.kind is Kind.INTERVAL:
        return interval(*v) if isinstance(v, tuple) else NO_INTERVAL
    if v is None or isinstance(v, tuple) or _missing(v):
        return NOT_APPLICABLE
    if n.kind is Kind.COUNT:
        return f"{int(v):,}" if n.grouped else str(int(v))
    if n.kind in (Kind.SHARE, Kind.SCORE):
        return pct(v, n.digits) + (" *" if n.small else "")
    if n.kind is Kind.POINTS:
        return points(v, n.digits)
    if n.kind is Kind.PERCENT:
        return f"{rounding.text(v, n.digits)}%"
    if n.kind is Kind.P_VALUE:
        return p_value(v)
    return rounding.text(v, n.digits, grouped=n.grouped)
