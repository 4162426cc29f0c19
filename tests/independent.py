"""Second implementations of the package's statistics, written from the papers in the tests'
own code (never calling the package), for the tests to check the package against."""

from __future__ import annotations

import math

from scipy import stats

Z = stats.norm.ppf(0.975)


def newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe (1998) method 10, written from the paper: Wilson limits of each share."""
    def wilson(k: int, n: int) -> tuple[float, float]:
        p = k / n
        centre, half = p + Z * Z / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
        return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)

    p1, p2 = k1 / n1, k2 / n2
    (l1, u1), (l2, u2) = wilson(k1, n1), wilson(k2, n2)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
