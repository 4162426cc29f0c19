"""Tests for analysis.method.funnel (Spiegelhalter 2005 funnel plots for proportions).

Every expected value is worked out independently of the implementation: binomial CDFs are
summed exactly with ``math.comb`` and ``fractions.Fraction`` (no scipy), normal and arcsine
quantities are written out with the ``math`` module, percentiles are interpolated by hand from
``sorted`` lists, and the chi-square tail uses its closed form for even degrees of freedom.
No published table of interpolated binomial funnel limits was found to test against
(FunnelPlotR's own tests check only shapes, not numbers), so hand arithmetic is the reference.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import pytest

from analysis.method.funnel import (
    Z95,
    Z998,
    OverdispersionResult,
    adjusted_limits,
    exact_binomial_limit,
    funnel_limits,
    funnel_table,
    mean_of_shares,
    normal_limit,
    overdispersion,
    pooled_share,
)

# --------------------------------------------------------------------------- hand helpers


def hand_cdf(r: int, n: int, p: Fraction) -> Fraction:
    """Exact binomial CDF P(Y <= r) = sum_{i<=r} C(n, i) p^i (1-p)^(n-i), as a Fraction."""
    if r < 0:
        return Fraction(0)
    return sum(
        (Fraction(math.comb(n, i)) * p**i * (1 - p) ** (n - i) for i in range(min(r, n) + 1)),
        Fraction(0),
    )


def hand_limit(p: Fraction, n: int, q: Fraction) -> float:
    """Spiegelhalter's interpolated limit from exact CDFs: smallest r with F(r) >= q, then
    alpha = (F(r) - q) / (F(r) - F(r-1)), limit = (r - alpha) / n."""
    r = 0
    while hand_cdf(r, n, p) < q:
        r += 1
    f_r, f_below = hand_cdf(r, n, p), hand_cdf(r - 1, n, p)
    alpha = (f_r - q) / (f_r - f_below)
    return float((r - alpha) / n)


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


# --------------------------------------------------------------------------- exact limits


def test_exact_limit_n10_p05_written_out() -> None:
    # Hand arithmetic, Binomial(10, 1/2): C(10, i) = 1 10 45 120 210 252 210 120 45 10 1,
    # cumulative counts (out of 1024): 1 11 56 176 386 638 848 968 1013 1023 1024.
    # q = 0.975 -> 0.975 * 1024 = 998.4: r = 8 (1013 >= 998.4 > 968);
    #   alpha = (1013 - 998.4) / (1013 - 968) = 14.6 / 45; limit = (8 - 14.6/45) / 10.
    # q = 0.025 -> 25.6: r = 2 (56 >= 25.6 > 11); alpha = (56 - 25.6) / 45 = 30.4 / 45;
    #   limit = (2 - 30.4/45) / 10.
    # q = 0.999 -> 1022.976: r = 9; alpha = (1023 - 1022.976) / 10 = 0.0024; limit 0.89976.
    # q = 0.001 -> 1.024: r = 1; alpha = (11 - 1.024) / 10 = 0.9976; limit = 0.00024.
    cum = [sum(math.comb(10, i) for i in range(r + 1)) for r in range(11)]
    assert cum == [1, 11, 56, 176, 386, 638, 848, 968, 1013, 1023, 1024]
    cases = {
        0.975: (8 - 14.6 / 45) / 10,  # 0.767555...
        0.025: (2 - 30.4 / 45) / 10,  # 0.132444...
        0.999: (9 - 0.0024) / 10,  # 0.89976
        0.001: (1 - 0.9976) / 10,  # 0.00024
    }
    for q, expected in cases.items():
        got = exact_binomial_limit(0.5, [10], q)
        assert got[0] == pytest.approx(expected, abs=1e-12), q


@pytest.mark.parametrize(
    ("p0", "n", "q"),
    [
        ("1/10", 20, "0.975"),
        ("1/10", 20, "0.025"),
        ("1/10", 20, "0.999"),
        ("3/10", 37, "0.001"),
        ("3/10", 37, "0.975"),
        ("17/20", 60, "0.025"),
        ("17/20", 60, "0.999"),
        ("1/50", 5, "0.975"),
    ],
)
def test_exact_limit_matches_exact_fraction_cdf(p0: str, n: int, q: str) -> None:
    # Source: hand_limit() above - exact rational binomial CDFs from math.comb, the
    # quantile found by stepping r upward, alpha and (r - alpha)/n in exact arithmetic.
    expected = hand_limit(Fraction(p0), n, Fraction(q))
    got = exact_binomial_limit(float(Fraction(p0)), [n], float(Fraction(q)))
    assert got[0] == pytest.approx(expected, abs=1e-9)


def test_exact_limit_is_vectorised_and_n0_is_nan() -> None:
    # Source: the n = 10 values written out in test_exact_limit_n10_p05_written_out; n = 0
    # has no binomial distribution, so nan; n = 1 with p = 1/2: F(0) = 1/2, F(1) = 1 ->
    # q = 0.975 gives r = 1, alpha = (1 - 0.975) / (1 - 0.5) = 0.05, limit 0.95.
    with no_division_by_zero():
        got = exact_binomial_limit(0.5, [10, 0, 1], 0.975)
    assert got[0] == pytest.approx((8 - 14.6 / 45) / 10, abs=1e-12)
    assert math.isnan(got[1])
    assert got[2] == pytest.approx(0.95, abs=1e-12)


@pytest.mark.parametrize("p0", [0.0, 1.0])
def test_exact_limit_degenerate_target(p0: float) -> None:
    # Source: Binomial(n, 0) and Binomial(n, 1) are point masses at 0 and n, so every
    # quantile of y/n is p0 itself.
    for q in (0.001, 0.025, 0.975, 0.999):
        got = exact_binomial_limit(p0, [1, 7, 250], q)
        assert got.tolist() == [p0, p0, p0]
    frame = funnel_limits(p0, [3, 50])
    for col in ("lower95", "upper95", "lower998", "upper998"):
        assert frame[col].tolist() == [p0, p0]


def test_exact_limit_rejects_bad_input() -> None:
    # Source: definitions - p0 must be a proportion, q a probability, n whole and >= 0.
    with pytest.raises(ValueError):
        exact_binomial_limit(1.5, [10], 0.975)
    with pytest.raises(ValueError):
        exact_binomial_limit(0.5, [10], 1.0)
    with pytest.raises(ValueError):
        exact_binomial_limit(0.5, [10.5], 0.975)
    with pytest.raises(ValueError):
        exact_binomial_limit(0.5, [-1], 0.975)


# --------------------------------------------------------------------------- normal limits


def test_normal_limits_by_hand() -> None:
    # Hand arithmetic: p0 = 0.2, n = 100: sd = sqrt(0.2 * 0.8 / 100) = sqrt(0.0016) = 0.04.
    # 95%: 0.2 -/+ 1.959964 * 0.04 = 0.2 -/+ 0.07839856 -> 0.12160144, 0.27839856.
    # 99.8%: 0.2 -/+ 3.090232 * 0.04 = 0.2 -/+ 0.12360928 -> 0.07639072, 0.32360928.
    assert normal_limit(0.2, [100], Z95)[0] == pytest.approx(0.27839856, abs=1e-12)
    assert normal_limit(0.2, [100], -Z95)[0] == pytest.approx(0.12160144, abs=1e-12)
    frame = funnel_limits(0.2, [100], method="normal")
    assert frame.loc[0, "lower95"] == pytest.approx(0.12160144, abs=1e-12)
    assert frame.loc[0, "upper95"] == pytest.approx(0.27839856, abs=1e-12)
    assert frame.loc[0, "lower998"] == pytest.approx(0.07639072, abs=1e-12)
    assert frame.loc[0, "upper998"] == pytest.approx(0.32360928, abs=1e-12)
    assert list(frame.columns) == ["n", "lower95", "upper95", "lower998", "upper998"]


def test_exact_limits_approach_normal_for_large_n() -> None:
    # Source: de Moivre-Laplace - for n = 100000 the binomial quantile of y/n is the normal
    # one, p0 +/- z sqrt(p0 (1-p0) / n) (computed here with math), up to O(1/n) terms
    # (continuity ~ 1/(2n) = 5e-6 and skewness). Tolerance 2e-5 is ~1% of one sd (~1.4e-3).
    n = 100_000
    for p0 in (0.05, 0.3, 0.5, 0.8):
        sd = math.sqrt(p0 * (1 - p0) / n)
        exact = funnel_limits(p0, [n], method="exact")
        assert exact.loc[0, "lower95"] == pytest.approx(p0 - Z95 * sd, abs=2e-5)
        assert exact.loc[0, "upper95"] == pytest.approx(p0 + Z95 * sd, abs=2e-5)
        assert exact.loc[0, "lower998"] == pytest.approx(p0 - Z998 * sd, abs=2e-5)
        assert exact.loc[0, "upper998"] == pytest.approx(p0 + Z998 * sd, abs=2e-5)


# --------------------------------------------------------------------------- funnel_limits


def test_funnel_limits_exact_columns_use_the_right_quantiles() -> None:
    # Source: the written-out n = 10, p0 = 1/2 values above (q = .025/.975/.001/.999).
    frame = funnel_limits(0.5, [10])
    assert frame.loc[0, "n"] == 10
    assert frame.loc[0, "lower95"] == pytest.approx((2 - 30.4 / 45) / 10, abs=1e-12)
    assert frame.loc[0, "upper95"] == pytest.approx((8 - 14.6 / 45) / 10, abs=1e-12)
    assert frame.loc[0, "lower998"] == pytest.approx(0.00024, abs=1e-12)
    assert frame.loc[0, "upper998"] == pytest.approx(0.89976, abs=1e-12)


def test_limits_narrow_with_n() -> None:
    # Source: the variance p0(1-p0)/n falls with n, so limits must narrow. Normal limits are
    # strictly monotone at every n. Exact interpolated limits wiggle between neighbouring n
    # (binomial discreteness, which the interpolation smooths only partly), so they are
    # checked on a grid where each n is ~3x the last.
    n_all = np.arange(1, 3001)
    for p0 in (0.05, 0.3, 0.5, 0.9):
        upper = normal_limit(p0, n_all, Z95)
        lower = normal_limit(p0, n_all, -Z95)
        assert np.all(np.diff(upper) < 0) and np.all(np.diff(lower) > 0)
        normal = funnel_limits(p0, n_all, method="normal")  # clipped: non-strict
        assert np.all(np.diff((normal["upper998"] - normal["lower998"]).to_numpy()) <= 0)
        grid = [10, 30, 100, 300, 1000, 3000, 10000, 100000]
        exact = funnel_limits(p0, grid)
        for col in ("upper95", "upper998"):
            assert np.all(np.diff(exact[col].to_numpy()) <= 0), (p0, col)
        for col in ("lower95", "lower998"):
            assert np.all(np.diff(exact[col].to_numpy()) >= 0), (p0, col)
        assert np.all(np.diff((exact["upper95"] - exact["lower95"]).to_numpy()) < 0)


def test_limits_bracket_target_and_nest() -> None:
    # Source: definition - a 2.5% quantile is <= the mean-ish target <= the 97.5% quantile,
    # and 99.8% limits lie outside 95% limits. Checked at every n = 1..1500.
    # (Not for n * p0 tiny: with p0 = 0.02, n = 1, F(0) = 0.98 >= 0.975 so r = 0 and the
    # interpolated upper 95% limit is (0 - alpha)/1 < 0, clipped to 0 < p0 - a property
    # of Spiegelhalter's interpolation, asserted below.)
    n_all = np.arange(1, 1501)
    for p0 in (0.1, 0.3, 0.5, 0.8, 0.95):
        f = funnel_limits(p0, n_all)
        assert np.all(f["lower998"] <= f["lower95"])
        assert np.all(f["lower95"] <= p0)
        assert np.all(p0 <= f["upper95"])
        assert np.all(f["upper95"] <= f["upper998"])
    tiny = funnel_limits(0.02, [1])
    assert tiny.loc[0, "upper95"] == 0.0


def test_limits_clipped_to_unit_interval() -> None:
    # Hand arithmetic: exact lower limit, p0 = 0.02, n = 5, q = 0.025: F(0) = 0.98^5 =
    # 0.9039 >= 0.025 so r = 0, alpha = (0.9039 - 0.025)/0.9039 = 0.972, raw limit
    # -0.972/5 = -0.194 -> clipped to 0. Normal upper, p0 = 0.98, n = 5: 0.98 + 1.959964 *
    # sqrt(0.98 * 0.02 / 5) = 0.98 + 0.1227 = 1.1027 -> clipped to 1.
    f0 = 0.98**5
    raw = (0 - (f0 - 0.025) / f0) / 5
    assert exact_binomial_limit(0.02, [5], 0.025)[0] == pytest.approx(raw, abs=1e-12)
    assert funnel_limits(0.02, [5]).loc[0, "lower95"] == 0.0
    assert 0.98 + Z95 * math.sqrt(0.98 * 0.02 / 5) > 1
    assert funnel_limits(0.98, [5], method="normal").loc[0, "upper95"] == 1.0
    assert funnel_limits(0.02, [5], method="normal").loc[0, "lower95"] == 0.0


def test_funnel_limits_n0_row_is_nan_and_bad_method() -> None:
    # Source: n = 0 has no distribution; the row is kept (one row per requested n) as nan.
    with no_division_by_zero():
        f = funnel_limits(0.3, [0, 10])
    assert f.loc[0, ["lower95", "upper95", "lower998", "upper998"]].isna().all()
    assert not f.loc[1, ["lower95", "upper95"]].isna().any()
    with pytest.raises(ValueError):
        funnel_limits(0.3, [10], method="wilson")


# --------------------------------------------------------------------------- funnel_table


def test_funnel_table_by_hand() -> None:
    # Made-up units; D has n = 0 and must be dropped.
    # Pooled target by hand: (30+5+12+0+60+26+22) / (100+50+40+0+120+50+100) = 155/460.
    # z by hand: (asin(sqrt(k/n)) - asin(sqrt(p0))) / (1 / (2 sqrt(n))).
    # Flags by hand: compare k/n with hand_limit() (exact Fraction CDFs) at the unit's n.
    k = [30, 5, 12, 0, 60, 26, 22]
    n = [100, 50, 40, 0, 120, 50, 100]
    labels = ["A", "B", "C", "D", "E", "F", "G"]
    p0 = Fraction(155, 460)
    with no_division_by_zero():
        table = funnel_table(k, n, labels)
    assert table["label"].tolist() == ["A", "B", "C", "E", "F", "G"]
    expected_flags = []
    for row, (kk, nn) in enumerate([(30, 100), (5, 50), (12, 40), (60, 120), (26, 50), (22, 100)]):
        share = kk / nn
        z = (math.asin(math.sqrt(share)) - math.asin(math.sqrt(float(p0)))) * 2 * math.sqrt(nn)
        lo95, hi95 = hand_limit(p0, nn, Fraction("0.025")), hand_limit(p0, nn, Fraction("0.975"))
        lo998, hi998 = hand_limit(p0, nn, Fraction("0.001")), hand_limit(p0, nn, Fraction("0.999"))
        assert table.loc[row, "share"] == pytest.approx(share, abs=1e-15)
        assert table.loc[row, "z"] == pytest.approx(z, abs=1e-9)
        assert table.loc[row, "lower95"] == pytest.approx(max(lo95, 0.0), abs=1e-9)
        assert table.loc[row, "upper95"] == pytest.approx(min(hi95, 1.0), abs=1e-9)
        assert table.loc[row, "lower998"] == pytest.approx(max(lo998, 0.0), abs=1e-9)
        assert table.loc[row, "upper998"] == pytest.approx(min(hi998, 1.0), abs=1e-9)
        if share > hi998:
            expected_flags.append("above 99.8%")
        elif share > hi95:
            expected_flags.append("above 95%")
        elif share < lo998:
            expected_flags.append("below 99.8%")
        elif share < lo95:
            expected_flags.append("below 95%")
        else:
            expected_flags.append("within")
    assert table["flag"].tolist() == expected_flags
    # and, read off the hand limits once, literally:
    assert expected_flags == [
        "within",
        "below 99.8%",
        "within",
        "above 99.8%",
        "above 95%",
        "below 95%",
    ]


def test_funnel_table_explicit_target() -> None:
    # Hand arithmetic: target 0.5, unit 5/10 -> z = 0 exactly and "within"; unit 10/10 with
    # n = 10 -> share 1 > upper99.8% limit 0.89976 (written out above) -> "above 99.8%".
    table = funnel_table([5, 10], [10, 10], ["x", "y"], target=0.5)
    assert table["z"].tolist()[0] == pytest.approx(0.0, abs=1e-12)
    assert table["flag"].tolist() == ["within", "above 99.8%"]
    # y: (asin(1) - asin(sqrt(.5))) * 2 sqrt(10) = (pi/2 - pi/4) * 2 sqrt(10)
    assert table["z"].tolist()[1] == pytest.approx(math.pi / 4 * 2 * math.sqrt(10), abs=1e-12)


def test_funnel_table_rejects_k_above_n() -> None:
    # Source: definition - a share cannot exceed 1.
    with pytest.raises(ValueError):
        funnel_table([11], [10], ["x"])


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


def test_funnel_table_default_target_is_pooled_not_mean() -> None:
    # Hand: 9/10 and 10/100 -> pooled 19/110; z of the first unit by hand uses 19/110,
    # (asin(sqrt .9) - asin(sqrt(19/110))) * 2 sqrt(10); with the mean 0.5 it would differ.
    table = funnel_table([9, 10], [10, 100], ["a", "b"])
    z_pooled = (math.asin(math.sqrt(0.9)) - math.asin(math.sqrt(19 / 110))) * 2 * math.sqrt(10)
    assert table.loc[0, "z"] == pytest.approx(z_pooled, abs=1e-12)


def test_all_sufficient_is_not_flagged_when_it_is_not_unusual() -> None:
    """22 of 22 against p0 = 0.9: P(X = 22) = 0.9**22 = 0.098 (hand), far above 2.5%.

    The interpolated 95% upper limit at n = 22 is just under 100%, so a plain comparison of
    the share with the drawn limit would call 100% "above"; the exact tail test does not.
    """
    table = funnel_table([22, 18], [22, 20], ["a", "b"], target=0.9)
    row = table.set_index("label").loc["a"]
    assert row["upper95"] < 1.0
    assert row["p_upper"] == pytest.approx(0.9**22, rel=1e-9)
    assert row["flag"] == "within"


def test_flags_follow_exact_tail_probabilities() -> None:
    """p0 = 0.5, n = 20: P(X >= 15) = 21700/1048576 = 0.0207, P(X >= 14) = 0.0577 (hand)."""
    tail15 = sum(math.comb(20, j) for j in range(15, 21)) / 2**20
    tail14 = sum(math.comb(20, j) for j in range(14, 21)) / 2**20
    assert 0.001 < tail15 < 0.025 < tail14
    table = funnel_table([15, 14, 5, 6], [20, 20, 20, 20], ["hi", "edge", "lo", "lo-edge"],
                         target=0.5).set_index("label")
    assert table.loc["hi", "flag"] == "above 95%"
    assert table.loc["edge", "flag"] == "within"
    assert table.loc["lo", "flag"] == "below 95%"
    assert table.loc["lo-edge", "flag"] == "within"
