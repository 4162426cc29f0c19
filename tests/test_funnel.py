"""Tests for analysis.method.funnel (Spiegelhalter 2005 funnel plots for proportions).

Every expected value is worked out independently of the implementation: normal and arcsine
quantities are written out with the ``math`` module, percentiles are interpolated by hand from
``sorted`` lists, and the chi-square tail uses its closed form for even degrees of freedom.
(The exact binomial limits are tested in test_comparisons.py, where they are decided.)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from analysis.method.funnel import (
    Z95,
    Z998,
    OverdispersionResult,
    adjusted_limits,
    mean_of_shares,
    overdispersion,
    pooled_share,
)

# --------------------------------------------------------------------------- hand helpers


def hand_quantile(values: list[float], prob: float) -> float:
    """Type-7 (linear) sample quantile by hand: h = (I-1) p into the sorted list, interpolate.

    This is R's default ``quantile()`` (what FunnelPlotR's winsorisation() calls) and numpy's
    default, written out here from the definition."""
    xs = sorted(values)
    h = (len(xs) - 1) * prob
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


@contextmanager
def no_division_by_zero() -> Iterator[None]:
    """Fail on any floating-point divide-by-zero/invalid operation or any warning."""
    with warnings.catch_warnings(), np.errstate(divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


# --------------------------------------------------------------------------- constants


def test_z_constants_match_normal_quantiles() -> None:
    # Source: Phi^{-1}(0.975) = 1.95996398..., Phi^{-1}(0.999) = 3.09023230... (standard
    # normal tables; also the constants in Spiegelhalter 2005 and FunnelPlotR's code).
    # Checked here by the normal CDF via math.erf: Phi(z) = (1 + erf(z / sqrt 2)) / 2.
    assert (1 + math.erf(Z95 / math.sqrt(2))) / 2 == pytest.approx(0.975, abs=1e-7)
    assert (1 + math.erf(Z998 / math.sqrt(2))) / 2 == pytest.approx(0.999, abs=1e-7)


# --------------------------------------------------------------------------- over-dispersion


def _hand_overdispersion(
    k: list[int], n: list[int], winsor: float
) -> tuple[list[float], float, float, float]:
    """Step-by-step plain-Python phi, tau2 and chi-square statistic (Spiegelhalter 2005 s.4,
    FunnelPlotR's proportion method): pooled target, arcsine z, type-7 Winsorising."""
    p0 = sum(k) / sum(n)
    theta0 = math.asin(math.sqrt(p0))
    z = [
        (math.asin(math.sqrt(ki / ni)) - theta0) * 2 * math.sqrt(ni)
        for ki, ni in zip(k, n, strict=True)
    ]
    lo, hi = hand_quantile(z, winsor), hand_quantile(z, 1 - winsor)
    zw = [lo if zi < lo else hi if zi > hi else zi for zi in z]
    units = len(z)
    phi = sum(zi * zi for zi in zw) / units
    w = [4.0 * ni for ni in n]  # w = 1/s^2 with s = 1/(2 sqrt n)
    if units * phi > units - 1:
        tau2 = (units * phi - (units - 1)) / (sum(w) - sum(wi * wi for wi in w) / sum(w))
    else:
        tau2 = 0.0
    return zw, phi, tau2, units * phi


def test_overdispersion_step_by_step() -> None:
    # Nine made-up units, deliberately more spread than binomial. Everything is recomputed by
    # _hand_overdispersion with math/sorted lists; the 10% quantile of 9 z-scores sits at
    # h = 8 * 0.1 = 0.8 between the smallest two (so Winsorising genuinely interpolates).
    k = [12, 30, 8, 45, 3, 70, 20, 9, 40]
    n = [40, 100, 30, 120, 25, 150, 90, 20, 200]
    zw, phi, tau2, stat = _hand_overdispersion(k, n, 0.10)
    result = overdispersion(k, n)
    assert result.n_units == 9
    assert result.method == "arcsine"
    assert result.target == pytest.approx(sum(k) / sum(n), abs=1e-15)
    np.testing.assert_allclose(result.winsorised_z, zw, rtol=0, atol=1e-12)
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    assert stat > 8 and result.dispersed
    assert result.tau2 > 0
    # chi-square tail on 8 df, closed form for even df 2m: exp(-x/2) sum_{j<m} (x/2)^j / j!
    x = stat / 2
    p_hand = math.exp(-x) * sum(x**j / math.factorial(j) for j in range(4))
    assert result.p_value == pytest.approx(p_hand, rel=1e-9)


def test_winsorising_clamps_both_tails() -> None:
    # Hand check of the Winsorising rule on the same data: exactly the values below the
    # hand 10% quantile are raised to it and those above the 90% quantile lowered to it.
    k = [12, 30, 8, 45, 3, 70, 20, 9, 40]
    n = [40, 100, 30, 120, 25, 150, 90, 20, 200]
    p0 = sum(k) / sum(n)
    z = [
        (math.asin(math.sqrt(ki / ni)) - math.asin(math.sqrt(p0))) * 2 * math.sqrt(ni)
        for ki, ni in zip(k, n, strict=True)
    ]
    lo, hi = hand_quantile(z, 0.1), hand_quantile(z, 0.9)
    got = overdispersion(k, n).winsorised_z
    assert min(got) == pytest.approx(lo, abs=1e-12)
    assert max(got) == pytest.approx(hi, abs=1e-12)
    # 9 values, 10% per tail: only the single smallest and single largest z move.
    moved = [i for i, (gi, zi) in enumerate(zip(got, z, strict=True)) if abs(gi - zi) > 1e-12]
    assert moved == sorted([z.index(min(z)), z.index(max(z))])
    # winsor = 0 leaves z untouched
    np.testing.assert_allclose(overdispersion(k, n, winsor=0.0).winsorised_z, z, atol=1e-12)


def test_under_dispersed_gives_zero_tau2() -> None:
    # Made-up units all at or next to 1/2 - far less spread than binomial noise.
    # Hand: I*phi is tiny, below I - 1 = 5, so tau2 = 0 and not dispersed.
    k = [50, 100, 25, 51, 49, 75]
    n = [100, 200, 50, 100, 100, 150]
    _, phi, tau2, stat = _hand_overdispersion(k, n, 0.10)
    assert stat < 5 and tau2 == 0.0
    result = overdispersion(k, n)
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == 0.0
    assert not result.dispersed


def test_overdispersion_drops_n0_and_needs_two_units() -> None:
    # Source: n = 0 units carry no information; the nine-unit example plus a 0/0 unit must
    # give the same answer, without dividing by zero. One unit cannot show dispersion.
    k = [12, 30, 8, 45, 3, 70, 20, 9, 40, 0]
    n = [40, 100, 30, 120, 25, 150, 90, 20, 200, 0]
    with no_division_by_zero():
        result = overdispersion(k, n)
    _, phi, tau2, _ = _hand_overdispersion(k[:-1], n[:-1], 0.10)
    assert result.n_units == 9
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    with pytest.raises(ValueError):
        overdispersion([3, 0], [10, 0])


# --------------------------------------------------------------------------- adjusted limits


def _result(phi: float, tau2: float, p0: float) -> OverdispersionResult:
    return OverdispersionResult(
        phi=phi,
        tau2=tau2,
        n_units=10,
        winsorised_z=np.array([]),
        dispersed=tau2 > 0,
        p_value=float("nan"),
        target=p0,
    )


def test_adjusted_limits_by_hand() -> None:
    # Hand arithmetic, p0 = 0.3, n = 100: theta0 = asin(sqrt(0.3)), s = 1/(2*10) = 0.05.
    # Additive, tau2 = 0.0004: spread = sqrt(0.0025 + 0.0004) = sqrt(0.0029);
    #   limit = sin(theta0 +/- 1.959964 * sqrt(0.0029))^2.
    # Multiplicative, phi = 2.25: spread = 1.5 * 0.05 = 0.075;
    #   limit = sin(theta0 +/- 3.090232 * 0.075)^2.
    theta0 = math.asin(math.sqrt(0.3))
    res = _result(phi=2.25, tau2=0.0004, p0=0.3)
    add_hi = math.sin(theta0 + 1.959964 * math.sqrt(0.0029)) ** 2
    add_lo = math.sin(theta0 - 1.959964 * math.sqrt(0.0029)) ** 2
    mul_hi = math.sin(theta0 + 3.090232 * 0.075) ** 2
    mul_lo = math.sin(theta0 - 3.090232 * 0.075) ** 2
    assert adjusted_limits(0.3, [100], res, Z95)[0] == pytest.approx(add_hi, abs=1e-12)
    assert adjusted_limits(0.3, [100], res, -Z95)[0] == pytest.approx(add_lo, abs=1e-12)
    got_hi = adjusted_limits(0.3, [100], res, Z998, method="multiplicative")[0]
    got_lo = adjusted_limits(0.3, [100], res, -Z998, method="multiplicative")[0]
    assert got_hi == pytest.approx(mul_hi, abs=1e-12)
    assert got_lo == pytest.approx(mul_lo, abs=1e-12)


def test_adjusted_limits_without_dispersion_are_arcsine_limits() -> None:
    # Hand: tau2 = 0 (additive) or phi <= 1 (multiplicative, floored at 1) leaves the plain
    # arcsine limit sin(theta0 + z / (2 sqrt n))^2; p0 = 0.3, n = 400 -> s = 0.025.
    theta0 = math.asin(math.sqrt(0.3))
    plain = math.sin(theta0 + Z95 * 0.025) ** 2
    res = _result(phi=0.6, tau2=0.0, p0=0.3)
    assert adjusted_limits(0.3, [400], res, Z95)[0] == pytest.approx(plain, abs=1e-12)
    got = adjusted_limits(0.3, [400], res, Z95, method="multiplicative")[0]
    assert got == pytest.approx(plain, abs=1e-12)


def test_adjusted_limits_clip_angle_and_n0() -> None:
    # Hand: p0 = 0.99, n = 5 -> theta0 = asin(sqrt .99) = 1.4706, + 3.09 * sqrt(0.05 + 0.01)
    # = 1.4706 + 0.757 > pi/2 -> angle clipped to pi/2 -> limit exactly 1; mirror for
    # p0 = 0.01 lower -> angle < 0 -> 0. n = 0 -> nan.
    res = _result(phi=2.0, tau2=0.01, p0=0.5)
    assert adjusted_limits(0.99, [5], res, Z998)[0] == 1.0
    assert adjusted_limits(0.01, [5], res, -Z998)[0] == 0.0
    with no_division_by_zero():
        got = adjusted_limits(0.5, [0, 5], res, Z95)
    assert math.isnan(got[0]) and 0.5 < got[1] <= 1.0
    with pytest.raises(ValueError):
        adjusted_limits(0.5, [5], res, Z95, method="both")


# --------------------------------------------------------------------------- pooled vs mean


def test_pooled_vs_mean_by_hand() -> None:
    # Hand: units 9/10 and 10/100. Pooled = 19/110 = 0.172727...; mean of shares =
    # (0.9 + 0.1) / 2 = 0.5. A 0/0 unit changes neither (mean skips it; pooled adds 0/0).
    assert pooled_share([9, 10], [10, 100]) == pytest.approx(19 / 110, abs=1e-15)
    assert mean_of_shares([9, 10], [10, 100]) == pytest.approx(0.5, abs=1e-15)
    with no_division_by_zero():
        assert pooled_share([9, 10, 0], [10, 100, 0]) == pytest.approx(19 / 110, abs=1e-15)
        assert mean_of_shares([9, 10, 0], [10, 100, 0]) == pytest.approx(0.5, abs=1e-15)
        assert math.isnan(pooled_share([0], [0]))
        assert math.isnan(mean_of_shares([0], [0]))


