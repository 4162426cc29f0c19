"""Disclosure control: the one policy that formats counts and shares shown to people.

In publication mode (``--publish``) a count of people below the threshold is shown as ``[c]``
(the Government Statistical Service's symbol for a confidential cell), and so is a share whose
denominator, count or complement is below it. Every chapter, the aggregate report and the index
format the counts and shares they show through a :class:`Disclosure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import style
from .html import NOT_APPLICABLE, interval, note, pct

SUPPRESSED = "[c]"
DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class Disclosure:
    """Whether small numbers are suppressed, and below which count."""

    publish: bool = False
    threshold: int = DEFAULT_THRESHOLD

    def count(self, k: int | float) -> str:
        """A count of people, or [c] when it is small enough to identify someone."""
        if self.publish and 0 < k < self.threshold:
            return SUPPRESSED
        return str(int(k))

    @property
    def smallest_shown(self) -> int:
        """The smallest denominator whose share can be shown (0 outside publication mode)."""
        return self.threshold if self.publish else 0

    def hides_any(self, n: int | float, counts: Sequence[int | float]) -> bool:
        """A distribution is hidden (left out of charts) when its total or any cell is small."""
        return self.publish and (n < self.threshold
                                 or any(0 < c < self.threshold for c in counts))

    def hides_share(self, k: int | float, n: int | float) -> bool:
        """A share is hidden when its denominator, count or complement is small."""
        return self.publish and (n < self.threshold or 0 < k < self.threshold
                                 or 0 < n - k < self.threshold)

    def share(self, k: int | float, n: int | float, value: float, *,
              mark_small: bool = True) -> str:
        """k / n as a whole percent; ``*`` marks a share on fewer than ``style.SMALL_N``."""
        if n == 0:
            return NOT_APPLICABLE
        if self.hides_share(k, n):
            return SUPPRESSED
        text = pct(value)
        return text + " *" if mark_small and n < style.SMALL_N else text

    def interval(self, k: int | float, n: int | float, lower: float, upper: float) -> str:
        """A 95% interval, hidden with its share."""
        if n != 0 and self.hides_share(k, n):
            return SUPPRESSED
        return interval(lower, upper)

    def note(self, *, charts: bool = True) -> str:
        """The publication note under a table, empty outside publication mode."""
        if not self.publish:
            return ""
        tail = " and left out of charts." if charts else "."
        return note(f"Publication mode: counts below {self.threshold}, and shares whose "
                    f"denominator or count is below {self.threshold}, are shown as "
                    f"{SUPPRESSED}{tail}")
