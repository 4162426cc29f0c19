"""Wilson limits against values worked out independently of statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.method.intervals import share, wilson


def hand_wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson (1927) score interval written out from the formula in methods.md."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize("k,n", [(13, 87), (0, 10), (10, 10), (1, 1), (47, 58), (33, 51)])
def test_wilson_matches_the_formula(k: int, n: int) -> None:
    lo, hi = wilson([k], [n])
    assert (lo[0], hi[0]) == pytest.approx(hand_wilson(k, n), abs=1e-12)


def test_wilson_published_example() -> None:
    # Newcombe (1998), Stat Med 17:857-872, table I: 81/263 -> 0.2553 to 0.3662 (Wilson).
    lo, hi = wilson([81], [263])
    assert lo[0] == pytest.approx(0.2553, abs=5e-5)
    assert hi[0] == pytest.approx(0.3662, abs=5e-5)


def test_n_zero_has_no_share_and_no_interval() -> None:
    lo, hi = wilson([0], [0])
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    assert np.isnan(share([0], [0])[0])


def test_wilson_equals_statsmodels_bit_for_bit() -> None:
    """The package computes Wilson limits itself (statsmodels' import loads scipy.stats into
    every kernel); statsmodels remains the reference, and they must agree exactly."""
    import numpy as np
    from statsmodels.stats.proportion import proportion_confint

    n = np.repeat(np.arange(1, 121), np.arange(1, 121) + 1)
    k = np.concatenate([np.arange(m + 1) for m in range(1, 121)])
    for level in (0.95, 0.998, 0.8):
        lo, hi = wilson(k, n, level)
        ref_lo, ref_hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
        assert np.array_equal(lo, ref_lo) and np.array_equal(hi, ref_hi), level
