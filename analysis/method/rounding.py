"""The one rounding rule: half up, as the published report rounds (17 of 40 is 43%).

Python's ``round`` and ``f"{x:.0f}"`` round half to even (42.5 -> 42); every share, score,
interval and difference a report prints, every word chosen for a share and every published
percentage matched by the reconstruction is rounded here instead.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: Decimal places kept before rounding: removes binary noise (100 * 0.425 is 42.49999...).
_NOISE = 9


def half_up(value: float, digits: int = 0) -> Decimal:
    """``value`` rounded half away from zero to ``digits`` places (a Decimal, exact)."""
    exact = Decimal(repr(round(float(value), _NOISE)))
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def percent(share: float, digits: int = 0) -> Decimal:
    """A share (0..1) as the percent a report prints, rounded half up."""
    return half_up(100 * float(share), digits)


def percent_of(k: int, n: int) -> int:
    """100·k/n as the whole percent a report prints, computed exactly from the counts."""
    return int((Decimal(100 * k) / Decimal(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def whole_percent(share: float) -> int:
    """A share as the whole percent a report prints (rules and words compare this)."""
    return int(percent(share))


def text(value: float, digits: int = 0, sign: bool = False, grouped: bool = False) -> str:
    """``value`` rounded half up and written with ``digits`` places (``sign``: always a
    sign; ``grouped``: thousands separated by commas); never "-0"."""
    rounded = half_up(value, digits)
    if rounded == 0:
        rounded = abs(rounded)
    spec = ("+" if sign else "") + ("," if grouped else "") + f".{digits}f"
    return format(rounded, spec)
