"""How a number is printed: the one place for percentages, intervals and differences.

Every share, score, interval and difference a report, the index or a caption prints goes
through these functions, so that one rounding rule holds everywhere.
"""

from __future__ import annotations

import math

NOT_APPLICABLE = "not applicable"
NO_INTERVAL = "–"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: float | None, digits: int = 0) -> str:
    """A share as a percent; nan reads as not applicable, never as 0% or NaN%."""
    if value is None or _missing(value):
        return NOT_APPLICABLE
    return f"{100 * value:.{digits}f}%"


def interval(lower: float | None, upper: float | None) -> str:
    """A 95% interval of a share, in whole percents ("61–83%")."""
    if lower is None or upper is None or _missing(lower) or _missing(upper):
        return NO_INTERVAL
    return f"{100 * lower:.0f}–{100 * upper:.0f}%"
