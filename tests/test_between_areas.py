"""The between-area model (analysis.method.between_areas) against a second implementation
written here from the formulas (math.lgamma, plain sums, grid searches; no scipy
distribution) and against simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.method import between_areas as model

K = np.array([22, 12, 24, 12, 19, 20, 30, 11, 25, 9, 18, 21], dtype=float)
N = np.array([22, 15, 26, 18, 21, 25, 33, 19, 26, 17, 20, 23], dtype=float)


def bb_logpmf(k: int, n: int, p0: float, rho: float) -> float:
    """log P(X = k), X ~ BetaBinomial(n, a, b), a = p0 (1 - rho) / rho, b likewise, from
    C(n, k) B(k + a, n - k + b) / B(a, b); the binomial when rho = 0."""
    if rho == 0:
        return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                + (k * math.log(p0) if k else 0.0)
                + ((n - k) * math.log(1 - p0) if n - k else 0.0))
    a, b = p0 * (1 - rho) / rho, (1 - p0) * (1 - rho) / rho

    def lbeta(x: float, y: float) -> float:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + lbeta(k + a, n - k + b) - lbeta(a, b))


def loglik(k: np.ndarray, n: np.ndarray, p0: float, rho: float) -> float:
    return sum(bb_logpmf(int(ki), int(ni), p0, rho) for ki, ni in zip(k, n, strict=True))


def tails_by_hand(k: int, n: int, p0: float, rho: float) -> tuple[float, float]:
    """P(X >= k) and P(X <= k), summed term by term."""
    pmf = [math.exp(bb_logpmf(j, n, p0, rho)) for j in range(n + 1)]
    return sum(pmf[k:]), sum(pmf[: k + 1])


def type7(values: list[float], prob: float) -> float:
    xs = sorted(values)
    h = (len(xs) - 1) * prob
    lo = math.floor(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])


# --------------------------------------------------------------------------- likelihood


@pytest.mark.parametrize("rho", [0.0, 1e-6, 0.03, 0.2, 0.6])
def test_the_likelihood_is_the_beta_binomials(rho: float) -> None:
    p0 = K.sum() / N.sum()
    got = model.log_likelihood(np.array([rho]), np.array([p0]), K[None], N[None])[0]
    assert got == pytest.approx(loglik(K, N, p0, rho), abs=1e-6 if rho else 1e-9)


def test_areas_without_cases_add_nothing_to_the_likelihood() -> None:
    k = np.append(K, 0.0)[None]
    n = np.append(N, 0.0)[None]
    p0 = K.sum() / N.sum()
    padded = model.log_likelihood(np.array([0.1]), np.array([p0]), k, n)[0]
    assert padded == pytest.approx(loglik(K, N, p0, 0.1), abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rho_is_the_maximum_of_the_likelihood_given_the_pooled_share(seed: int) -> None:
    """The plain fit against a grid search of the likelihood written here."""
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 90, 12).astype(float)
    theta = rng.beta(8, 3, 12)
    k = rng.binomial(n.astype(int), theta).astype(float)
    fit = model.fit_rho(k, n, winsor=0.0)
    p0 = k.sum() / n.sum()
    assert fit.pooled[0] == pytest.approx(p0)
    grid = np.linspace(0, 0.6, 6001)
    values = [loglik(k, n, p0, r) for r in grid]
    best = float(grid[int(np.argmax(values))])
    assert fit.rho[0] == pytest.approx(best, abs=2e-4)
    assert loglik(k, n, p0, float(fit.rho[0])) >= max(values) - 1e-6


def test_binomial_areas_get_no_spread_and_exactly_binomial_tails() -> None:
    n = np.full(12, 50.0)
    k = np.array([25, 26, 24, 25, 25, 26, 24, 25, 25, 25, 26, 24], dtype=float)
    fit = model.fit_rho(k, n, plain=True)
    assert fit.rho[0] == 0.0 and fit.rho_plain[0] == 0.0
    up, lo = model.tails(k, n, fit.pooled, fit.rho)
    for i in range(12):
        hand_up, hand_lo = tails_by_hand(int(k[i]), 50, float(fit.pooled[0]), 0.0)
        assert up[0, i] == pytest.approx(hand_up, rel=1e-9)
        assert lo[0, i] == pytest.approx(hand_lo, rel=1e-9)


def test_winsorising_moves_only_the_areas_beyond_the_tenth_percentiles() -> None:
    """z-scores Winsorised at type-7 10% and 90% points (written out here), back to whole
    counts; the other areas keep their counts."""
    k = K.copy()
    k[9] = 2.0                                   # one area far below the rest
    p0 = k.sum() / N.sum()
    z = [(ki - ni * p0) / math.sqrt(ni * p0 * (1 - p0)) for ki, ni in zip(k, N, strict=True)]
    lo, hi = type7(z, 0.1), type7(z, 0.9)
    got = model.winsorised_counts(k[None], N[None], np.array([p0]))[0]
    for i, zi in enumerate(z):
        if lo <= zi <= hi:
            assert got[i] == k[i]
        else:
            clipped = min(max(zi, lo), hi)
            expect = round(N[i] * p0 + clipped * math.sqrt(N[i] * p0 * (1 - p0)))
            assert got[i] == min(max(expect, 0), N[i])
    assert got[9] > k[9]


def test_one_far_area_does_not_set_its_own_yardstick() -> None:
    """The plain fit lets an area 45 points below eleven alike areas widen its own limits
    until it is not flagged; the Winsorised fit does not."""
    n = np.full(12, 80.0)
    k = np.array([64, 66, 62, 65, 63, 67, 64, 65, 63, 66, 64, 28], dtype=float)
    plain = model.fit_rho(k, n, winsor=0.0)
    used = model.fit_rho(k, n)
    assert plain.rho[0] > 5 * used.rho[0]
    tail = model.adjusted_tail(0.998, 12)
    _, lo_plain = model.tails(k, n, plain.pooled, plain.rho)
    _, lo_used = model.tails(k, n, used.pooled, used.rho)
    assert lo_plain[0, 11] >= tail and lo_used[0, 11] < tail


# --------------------------------------------------------------------------- tails, limits


@pytest.mark.parametrize(("p0", "rho"), [(0.83, 0.0), (0.83, 0.08), (0.3, 0.2), (0.97, 0.05)])
def test_tails_are_the_sums_of_the_beta_binomial(p0: float, rho: float) -> None:
    n = np.array([5.0, 30.0, 87.0])
    k = np.array([5.0, 20.0, 60.0])
    up, lo = model.tails(k[None], n[None], np.array([p0]), np.array([rho]))
    for i in range(3):
        mixed_up, mixed_lo = tails_by_hand(int(k[i]), int(n[i]), p0, rho)
        plain_up, plain_lo = tails_by_hand(int(k[i]), int(n[i]), p0, 0.0)
        assert up[0, i] == pytest.approx(max(mixed_up, plain_up), rel=1e-7, abs=1e-15)
        assert lo[0, i] == pytest.approx(max(mixed_lo, plain_lo), rel=1e-7, abs=1e-15)


@pytest.mark.parametrize(("p0", "rho"), [(0.02, 0.0), (0.5, 0.1), (0.86, 0.09), (0.96, 0.3)])
def test_step_limits_flag_exactly_the_counts_beyond_the_tail(p0: float, rho: float) -> None:
    """Walking every k with the tails written here: share > upper exactly when
    P(X >= k) < tail (beta-binomial and binomial both), no k = n flagged otherwise."""
    tail = 0.001
    for n in [1, 4, 10, 33, 87]:
        lower, upper = model.step_limits(p0, rho, float(n), tail)
        for k in range(n + 1):
            mixed_up, mixed_lo = tails_by_hand(k, n, p0, rho)
            plain_up, plain_lo = tails_by_hand(k, n, p0, 0.0)
            above = max(mixed_up, plain_up) < tail
            below = max(mixed_lo, plain_lo) < tail
            assert (k / n > upper) == above, (n, k)
            assert (k / n < lower) == below, (n, k)


def test_the_adjusted_tail_and_the_calibrated_p_value_agree() -> None:
    from scipy import stats

    for areas in (4, 6, 12, 40):
        for level in (0.95, 0.998):
            tail = float(model.adjusted_tail(level, areas))
            assert float(model.calibrated_p(tail, areas)) == pytest.approx((1 - level) / 2)
            df = max(areas - 2, 1)
            assert tail == pytest.approx(stats.norm.sf(stats.t.isf((1 - level) / 2, df)))
    # three areas leave one degree of freedom: t = 318 at 99.8%, no count is that far
    assert float(model.adjusted_tail(0.998, 3)) < 1e-300
    assert float(model.adjusted_tail(0.998, 1e9)) == pytest.approx(0.001, rel=1e-6)


def test_beyond_chance_sums_the_probabilities_beyond_the_limits() -> None:
    p0, rho, n, tail = 0.8, 0.07, 40, 0.025
    lower, upper = model.step_limits(p0, rho, float(n), tail)
    pmf = [math.exp(bb_logpmf(j, n, p0, rho)) for j in range(n + 1)]
    expect = sum(p for j, p in enumerate(pmf) if j / n > upper or j / n < lower)
    assert float(model.beyond_chance(p0, rho, float(n), tail)) == pytest.approx(expect)
    assert expect < 2 * tail


# --------------------------------------------------------------------------- shrinkage


def test_shrunken_share_is_the_posterior_integrated_on_a_grid() -> None:
    p0, rho, k, n = 0.8, 0.1, 12, 25
    a, b = p0 * (1 - rho) / rho, (1 - p0) * (1 - rho) / rho
    theta = np.linspace(1e-6, 1 - 1e-6, 200001)
    log_post = (a + k - 1) * np.log(theta) + (b + n - k - 1) * np.log1p(-theta)
    post = np.exp(log_post - log_post.max())
    post /= post.sum()
    cdf = np.cumsum(post)
    s = model.shrink_shares(float(k), float(n), p0, rho)
    assert float(s.mean) == pytest.approx(float((theta * post).sum()), abs=1e-6)
    assert float(s.lower) == pytest.approx(float(theta[np.searchsorted(cdf, 0.025)]), abs=1e-4)
    assert float(s.upper) == pytest.approx(float(theta[np.searchsorted(cdf, 0.975)]), abs=1e-4)
    assert float(s.p_below) == pytest.approx(float(post[theta < p0].sum()), abs=1e-5)
    flat = model.shrink_shares(float(k), float(n), p0, 0.0)
    assert float(flat.mean) == p0 and math.isnan(float(flat.p_below))


def test_shrunken_score_is_the_normal_posterior() -> None:
    y, v, c, tau2 = 0.62, 0.0016, 0.78, 0.01
    s = model.shrink_scores(y, v, c, tau2)
    precision = 1 / v + 1 / tau2
    mean = (y / v + c / tau2) / precision
    assert float(s.mean) == pytest.approx(mean)
    assert float(s.upper - s.lower) == pytest.approx(2 * 1.959964 * math.sqrt(1 / precision),
                                                     rel=1e-5)
    assert float(s.p_below) == pytest.approx(
        0.5 * math.erfc((mean - c) / math.sqrt(2 / precision)))


# --------------------------------------------------------------------------- outcomes


@pytest.mark.parametrize("seed", [4, 5])
def test_tau2_is_the_maximum_of_the_normal_likelihood(seed: int) -> None:
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.0005, 0.003, 12)
    y = 0.8 + rng.normal(0, 0.1, 12) + rng.normal(0, np.sqrt(v))
    c = float(y.mean())
    grid = np.linspace(0, 0.1, 100001)
    ll = [-0.5 * float(np.sum(np.log(v + t) + (y - c) ** 2 / (v + t))) for t in grid]
    got = model.fit_tau2(y, v, [c], winsor=0.0)[0]
    assert got == pytest.approx(float(grid[int(np.argmax(ll))]), abs=2e-6)


def test_the_winsor_consistency_factor_is_the_normal_winsorised_variance() -> None:
    rng = np.random.default_rng(9)
    z = rng.normal(size=2_000_000)
    lo, hi = np.quantile(z, [0.1, 0.9])
    assert model.winsor_consistency(0.1) == pytest.approx(float((np.clip(z, lo, hi) ** 2)
                                                                .mean()), abs=3e-3)
    assert model.winsor_consistency(0.0) == 1.0


def test_an_outcome_with_no_spread_beyond_its_bootstrap_gets_tau2_zero() -> None:
    v = np.full(12, 0.001)
    y = 0.7 + np.sqrt(v) * np.array([0.1, -0.2, 0.3, -0.1, 0.0, 0.2, -0.3, 0.1, -0.1, 0.2,
                                     -0.2, 0.0])
    assert model.fit_tau2(y, v, [0.7])[0] == 0.0
    assert model.fit_tau2(y[:1], v[:1], [0.7])[0] == 0.0      # one area: no spread to fit
