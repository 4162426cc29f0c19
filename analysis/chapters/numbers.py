"""How the disclosure policy's decisions are printed in a report: shares, intervals, "k of n".

:mod:`analysis.method.disclosure` decides which counts of people are hidden; this module is
the one place that turns a decision and a value into the text a reader sees ([c] for a hidden
figure, "not applicable" for a question that applied to no case, * on a small denominator).
"""

from __future__ import annotations

from ..method.disclosure import SUPPRESSED, Disclosure, Policy
from . import style
from .html import NOT_APPLICABLE, interval, note, pct


def share(d: Disclosure, k: str, n: str, mark_small: bool = True) -> str:
    """k / n as a whole percent, * on a small denominator; not applicable when n = 0."""
    if d.values[n] == 0:
        return NOT_APPLICABLE
    if d.share_hidden(k, n):
        return SUPPRESSED
    text = pct(d.values[k] / d.values[n])
    return text + " *" if mark_small and d.values[n] < style.SMALL_N else text


def share_interval(d: Disclosure, k: str, n: str, lower: float, upper: float) -> str:
    """A 95% interval for k / n: with n it narrows k down, so it is hidden with the share."""
    if d.values[n] != 0 and d.share_hidden(k, n):
        return SUPPRESSED
    return interval(lower, upper)


def k_of_n(d: Disclosure, k: str, n: str, noun: str = "cases") -> str:
    """'24 of 87 cases', '[c] of 87 cases' (or '[c] of [c]': a hidden denominator)."""
    return f"{d.count(k)} of {d.count(n)} {noun}".rstrip()


def unlinked_share(policy: Policy, k: float, n: float, value: float) -> str:
    """A share counted outside the linked tables (a group's pooled figure)."""
    if n == 0:
        return NOT_APPLICABLE
    return SUPPRESSED if policy.hides_share(k, n) else pct(value)


def rules_text(policy: Policy) -> str:
    """The publication rules in plain words (empty outside publication mode)."""
    if not policy.publish:
        return ""
    t = policy.threshold
    return (f"Publication rules: no number of people from 1 to {t - 1} is shown; "
            f"{SUPPRESSED} marks a hidden figure (confidential). A percentage and its "
            f"interval are hidden when the number of people they count, or the number left "
            f"out (those not judged sufficient), is below {t}. Zeros are shown unless "
            f"their total is below {t}. Other figures (another row, a total or subtotal, "
            f"the next step of a path, an all-areas total) are hidden too wherever they "
            f"would let a hidden number be worked out by subtraction, and charts leave "
            f"hidden figures out.")


def rules_note(policy: Policy) -> str:
    """The publication rules as an HTML paragraph (empty outside publication mode)."""
    return note(rules_text(policy)) if policy.publish else ""
