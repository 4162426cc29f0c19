"""One between-area model for comparing an area with all areas, questions and outcomes alike.

Areas differ from one another by more than the sampling of their cases: in the bundled data a
question's true share typically varies by ten to fifteen points from area to area. A comparison
that ignores this marks half the areas as "different"; one that allows for it asks the question
a reader means: is this area unusual *among areas*? Both kinds of measure are judged that way.

**Questions: beta-binomial.** Area i's true share theta_i ~ Beta(a, b) with mean p0, the
all-areas figure (pooled over cases, sum k / sum n: the figure every report prints), and
intra-area correlation rho = 1 / (a + b + 1); given theta_i, k_i ~ Binomial(n_i, theta_i). So
k_i ~ BetaBinomial(n_i, a, b) with a = p0 (1 - rho) / rho, b = (1 - p0)(1 - rho) / rho, and
rho = 0 is exactly Binomial(n_i, p0) (no separate over-dispersion switch). The spread of true
shares between areas is sqrt(rho p0 (1 - p0)) on the share scale.

rho is estimated by maximum likelihood given p0 (``scipy.stats.betabinom``; the one-dimensional
maximum found by ``scipy.optimize.elementwise`` from a method-of-moments start, vectorised over
questions and over simulated data sets), after Winsorising the areas' binomial z-scores at their
10th and 90th percentiles, as Spiegelhalter (2005) and FunnelPlotR do for their over-dispersion
estimate. Without that, one area far from the rest inflates rho so much that it can never fall
outside its own limits: in simulations from the fitted model with the bundled n's
(benchmarks/between_areas.py), Durham Tees Valley made 40 points worse on a key question is
beyond the 99.8% limits in none of 600 data sets with the plain fit and in 4.5% with the
Winsorised one (beyond 95%: 19% and 51%), while areas no more unusual than areas are fall
beyond them at the model's own rate (0.075% of points against 0.073%; 3.0% against 2.7% at
95%; the plain fit: 0% and 0.7%, because each area widens its own limits).

An area's count is compared with the predictive distribution of a new area of its size,
BetaBinomial(n_i, a, b): exact tail probabilities P(X >= k_i) and P(X <= k_i), no normal or
arcsine approximation, so an upper limit below 1 never makes every k = n "above". Because the
spread is estimated from the same few areas, the tails are read on the t scale of a
random-effects prediction (:func:`adjusted_tail`).

**Outcomes: normal random effects.** An outcome score is a mean of correlated shares of the
same cases, so it has no binomial law; its within-area variance v_i is the variance of its
case bootstrap (:mod:`analysis.method.scoring`). Area scores y_i ~ N(theta_i, v_i) with
theta_i ~ N(P, tau2) around the all-areas score P; tau2 (the between-area component) by
maximum likelihood given P, on Winsorised standardised residuals as for questions (made
consistent: :func:`fit_tau2`); predictive limits P +- t sqrt(v_i + tau2), t on I - 2 degrees of
freedom. tau2 = 0 is the within-area bootstrap comparison alone.

Hand-written here, because no library has them: the Winsorising, the vectorised likelihoods
(sums of scipy's log densities) and the step limits. Every distribution function is scipy's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Float = npt.NDArray[np.float64]

WINSOR = 0.10
"""Share of areas Winsorised in each tail before the between-area spread is estimated."""
RHO_FLOOR = 1e-8
"""At or below this intra-area correlation the binomial is used: scipy's beta-binomial loses
precision once a + b passes about 1e8, and the two differ by less than 1e-4 in log-likelihood."""
RHO_MAX = 0.95
"""Largest intra-area correlation searched (a + b = 0.05: true shares all but 0 or 1)."""
TAU2_MAX = 0.25
"""Largest between-area variance of an outcome score searched (a share's variance <= 1/4)."""
GAIN_FLOOR = 1e-7
"""A spread whose log-likelihood beats none by less than this is none: the search otherwise
stops at spreads like 6e-8 that change no limit but would label a binomial fit otherwise."""


def _rows(values: npt.ArrayLike) -> Float:
    """A 2-d float array (rows are questions or simulated data sets, columns are areas)."""
    return np.atleast_2d(np.asarray(values, dtype=np.float64))


# --------------------------------------------------------------------------- Winsorising


def winsorise(z: Float, winsor: float = WINSOR) -> Float:
    """Each row's values clipped to that row's type-7 quantiles at ``winsor`` and
    1 - ``winsor`` (numpy's and R's default, FunnelPlotR's choice); NaN (an area without a
    figure) is left out of the quantiles and stays NaN."""
    if winsor <= 0.0:
        return z.copy()
    return np.clip(z, _row_quantile(z, winsor), _row_quantile(z, 1.0 - winsor))


def _row_quantile(z: Float, prob: float) -> Float:
    """Each row's type-7 quantile over its finite values, as a column (-inf/inf for a row
    with none). numpy's ``nanquantile`` gives the same but loops over rows in Python, which
    was most of the time of a simulation with thousands of rows."""
    finite = np.isfinite(z)
    count = finite.sum(axis=1)
    ordered = np.sort(np.where(finite, z, np.inf), axis=1)
    h = np.maximum(count - 1, 0) * prob
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    rows = np.arange(z.shape[0])
    a, b = ordered[rows, lo], ordered[rows, hi]
    with np.errstate(invalid="ignore"):
        value = a + (h - lo) * (b - a)
    value = np.where(hi == lo, a, value)
    return np.where(count > 0, value, -np.inf if prob < 0.5 else np.inf)[:, None]


def winsorised_counts(k: Float, n: Float, p0: Float, winsor: float = WINSOR) -> Float:
    """Counts with the areas' binomial z-scores Winsorised, back on the count scale.

    z_i = (k_i - n_i p0) / sqrt(n_i p0 (1 - p0)); an area whose z-score lies beyond its row's
    10th or 90th percentile gets the count nearest to that percentile (whole: scipy's
    distributions take whole counts), clipped to [0, n_i]; the other areas keep theirs.
    Areas with n = 0 have no z-score and keep k = 0.
    """
    p = p0.reshape(-1, 1)
    inner = (p > 0.0) & (p < 1.0)
    sd = np.sqrt(n * np.where(inner, p * (1.0 - p), 0.25))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(n > 0, (k - n * p) / sd, np.nan)
    zw = winsorise(z, winsor)
    moved = np.isfinite(z) & (zw != z)
    pulled = np.clip(np.round(n * p + zw * sd), 0.0, n)
    return np.where(moved & inner, pulled, k)


# --------------------------------------------------------------------------- questions


def _shape(p0: Float, rho: Float) -> tuple[Float, Float, npt.NDArray[np.bool_]]:
    """Beta parameters a, b of (p0, rho), and where rho is small enough to be binomial."""
    binomial = rho <= RHO_FLOOR
    r = np.where(binomial, 0.5, rho)
    scale = (1.0 - r) / r
    return p0 * scale, (1.0 - p0) * scale, binomial


def log_likelihood(rho: npt.ArrayLike, p0: npt.ArrayLike, k: Float, n: Float) -> Float:
    """Beta-binomial log-likelihood of each row of counts (areas on the last axis).

    ``rho`` and ``p0`` have the rows' shape (any leading shape); ``k`` and ``n`` that shape
    plus the areas. An area with n = 0 adds log 1 = 0, so ragged rows are padded with n = 0.
    """
    from scipy import stats

    r = np.asarray(rho, dtype=np.float64)[..., None]
    p = np.asarray(p0, dtype=np.float64)[..., None]
    a, b, binomial = _shape(p, r)
    mixed = stats.betabinom.logpmf(k, n, a, b)
    plain = stats.binom.logpmf(k, n, p)
    return np.asarray(np.where(binomial, plain, mixed).sum(axis=-1))


def moments_rho(k: Float, n: Float, p0: Float) -> Float:
    """Method-of-moments rho given p0: Var(k_i) = n_i p0 (1 - p0)(1 + (n_i - 1) rho), so
    rho = (sum (k_i - n_i p0)^2 - sum n_i p0 (1 - p0)) / sum n_i (n_i - 1) p0 (1 - p0),
    clipped to [0, RHO_MAX]. The start of the likelihood search."""
    p = p0.reshape(-1, 1)
    var = p * (1.0 - p)
    excess = ((k - n * p) ** 2).sum(axis=1) - (n * var).sum(axis=1)
    scale = (n * (n - 1.0) * var).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(scale > 0, excess / scale, 0.0)
    return np.clip(rho, 0.0, RHO_MAX)


def maximise(objective: Callable[[Float, Float], Float], start: Float,
             upper: float) -> Float:
    """The maximiser over [0, upper] of a one-parameter objective, for many rows at once.

    ``objective(x, rows)`` gives, for each element, the objective of row ``rows`` (whole
    numbers passed as floats) at x. scipy's ``bracket_minimum`` grows a bracket from ``start``
    (kept inside the bounds); where it reaches a bound the objective is largest there (for
    the unimodal likelihoods here, a between-area spread of 0 or the largest searched); the
    others are refined by ``find_minimum`` (Chandrupatla). A row is finally set to 0 when the
    objective there is within :data:`GAIN_FLOOR` of the best, which is the exact binomial (or
    bootstrap-only) comparison.
    """
    from scipy.optimize import elementwise

    rows = np.arange(start.size, dtype=np.float64)
    lo_start = np.clip(start, 0.02 * upper, 0.5 * upper)

    def negative(x: Float, r: Float) -> Float:
        return -objective(x, r)

    bracket = elementwise.bracket_minimum(negative, lo_start, xl0=lo_start / 2.0,
                                          xr0=np.minimum(lo_start * 2.0, upper), xmin=0.0,
                                          xmax=upper, args=(rows,))
    edge = np.where(bracket.bracket[0] <= 0.0, 0.0, upper)
    best = np.where(bracket.status == -1, edge, 0.0)
    inside = bracket.status == 0
    if inside.any():
        found = elementwise.find_minimum(negative, tuple(b[inside] for b in bracket.bracket),
                                         args=(rows[inside],))
        best[inside] = found.x
    at_zero = objective(np.zeros(start.size), rows) >= objective(best, rows) - GAIN_FLOOR
    return np.where(at_zero, 0.0, best)


@dataclass(frozen=True)
class SpreadFit:
    """The between-area model of one measure per row: the all-areas figure (its centre),
    the intra-area correlation used (Winsorised fit) and the plain maximum likelihood."""

    pooled: Float
    rho: Float
    rho_plain: Float

    @property
    def spread(self) -> Float:
        """sd of the areas' true shares around the all-areas figure: sqrt(rho p0 (1 - p0))."""
        return np.asarray(np.sqrt(self.rho * self.pooled * (1.0 - self.pooled)))


def fit_rho(k: npt.ArrayLike, n: npt.ArrayLike, winsor: float = WINSOR,
            plain: bool = False) -> SpreadFit:
    """The all-areas figure p0 = sum k / sum n and rho by maximum likelihood given p0.

    ``k`` (R, I) or (I,); ``n`` broadcast to it (areas with n = 0 take no part). Rows with
    fewer than two areas, or with p0 of 0 or 1 (every area alike), have rho = 0. With
    ``plain`` the fit without Winsorising is made too (``rho_plain``; NaN otherwise).
    """
    kk = _rows(k)
    nn = np.broadcast_to(np.asarray(n, dtype=np.float64), kk.shape)
    total = nn.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.where(total > 0, kk.sum(axis=1) / np.where(total > 0, total, 1.0), np.nan)
    fits = ((pooled > 0.0) & (pooled < 1.0) & ((nn > 0).sum(axis=1) >= 2))
    rho = np.zeros(kk.shape[0])
    rho_plain = np.zeros(kk.shape[0]) if plain else np.full(kk.shape[0], np.nan)
    wanted = ((winsor, rho), (0.0, rho_plain)) if plain else ((winsor, rho),)
    if fits.any():
        p, k_fit, n_fit = pooled[fits], kk[fits], nn[fits]
        for w, out in wanted:
            used = winsorised_counts(k_fit, n_fit, p, w) if w > 0 else k_fit

            def objective(x: Float, r: Float, used: Float = used) -> Float:
                i = r.astype(np.intp)
                return log_likelihood(x, p[i], used[i], n_fit[i])

            out[fits] = maximise(objective, moments_rho(used, n_fit, p), RHO_MAX)
    return SpreadFit(pooled, rho, rho_plain)


def _pmf(k: Float, n: Float, p0: Float, rho: Float) -> tuple[Float, Float]:
    """Beta-binomial and binomial probabilities of k (broadcast; 0 beyond n)."""
    from scipy import stats

    a, b, binomial = _shape(p0, rho)
    plain = stats.binom.pmf(k, n, p0)
    return np.where(binomial, plain, stats.betabinom.pmf(k, n, a, b)), plain


def _tail_tables(n: Float, p0: Float, rho: Float) -> tuple[Float, Float]:
    """P(X >= j) and P(X <= j) for j = 0 .. max n, beta-binomial against binomial, the larger
    of the two: shape n.shape + (max n + 1,).

    Summed from each end, so each tail keeps its precision. The larger of the two laws'
    tails is kept: beta-binomial tails are the binomial's mixed over theta, which is not
    always wider (Jensen's inequality runs both ways near the middle), and a flag allowing
    for between-area spread must never be one the exact binomial test at p0 would not make.
    """
    j = np.arange(int(np.nanmax(n)) + 1 if n.size else 1, dtype=np.float64)
    mixed, plain = _pmf(j, n[..., None], p0[..., None], rho[..., None])
    upper = np.maximum(np.cumsum(mixed[..., ::-1], axis=-1)[..., ::-1],
                       np.cumsum(plain[..., ::-1], axis=-1)[..., ::-1])
    lower = np.maximum(np.cumsum(mixed, axis=-1), np.cumsum(plain, axis=-1))
    return np.minimum(upper, 1.0), np.minimum(lower, 1.0)


def tails(k: npt.ArrayLike, n: npt.ArrayLike, p0: npt.ArrayLike,
          rho: npt.ArrayLike) -> tuple[Float, Float]:
    """P(X >= k_i) and P(X <= k_i) for each area, X ~ BetaBinomial(n_i, a, b) of its row
    (each no smaller than the binomial's at p0: see :func:`_tail_tables`).

    ``k``, ``n`` (R, I); ``p0``, ``rho`` (R,).
    """
    kk = _rows(k)
    nn = np.broadcast_to(np.asarray(n, dtype=np.float64), kk.shape)
    p = np.asarray(p0, dtype=np.float64).reshape(-1, 1) * np.ones_like(kk)
    r = np.asarray(rho, dtype=np.float64).reshape(-1, 1) * np.ones_like(kk)
    upper, lower = _tail_tables(nn, p, r)
    idx = kk.astype(np.intp)[..., None]
    return (np.take_along_axis(upper, idx, axis=-1)[..., 0],
            np.take_along_axis(lower, idx, axis=-1)[..., 0])


def step_limits(p0: npt.ArrayLike, rho: npt.ArrayLike, n: npt.ArrayLike,
                tail: npt.ArrayLike) -> tuple[Float, Float]:
    """The limits for areas of size n that leave ``tail`` on each side, drawn as steps.

    With tails as :func:`tails` gives them, the first count flagged above is
    k_hi = min{k : P(X >= k) < tail} and the last flagged below k_lo = max{k : P(X <= k) <
    tail}; the limits sit half a case inside them, (k_hi - 1/2) / n and (k_lo + 1/2) / n,
    clipped to [0, 1]. No share k/n sits on a limit, and share > upper is exactly
    P(X >= k) < tail: drawing and deciding agree. ``p0``, ``rho``, ``n`` (every n > 0) and
    ``tail`` broadcast. When p0 is 0 or 1 nothing is flagged.
    """
    return step_limits_at(p0, rho, n, [tail])[0]


def step_limits_at(p0: npt.ArrayLike, rho: npt.ArrayLike, n: npt.ArrayLike,
                   tails: Sequence[npt.ArrayLike]) -> list[tuple[Float, Float]]:
    """:func:`step_limits` at several tails, the distributions computed once (the 99.8% and
    95% limits of every question at every n a funnel draws)."""
    p, r, nn = np.broadcast_arrays(np.asarray(p0, dtype=np.float64),
                                   np.asarray(rho, dtype=np.float64),
                                   np.asarray(n, dtype=np.float64))
    inner = (p > 0.0) & (p < 1.0)
    tables = _tail_tables(nn, np.where(inner, p, 0.5), r)
    return _steps(tables, nn, inner, tails)


def tails_and_limits(k: npt.ArrayLike, n: npt.ArrayLike, p0: npt.ArrayLike, rho: npt.ArrayLike,
                     tails_at: Sequence[npt.ArrayLike]) -> tuple[Float, Float,
                                                                 list[tuple[Float, Float]]]:
    """:func:`tails` and :func:`step_limits_at` (at each area's own n) from one computation of
    the distributions: what deciding a question needs, for many simulated data sets at once.
    ``k``, ``n`` (R, I), every n > 0; ``p0``, ``rho`` (R,)."""
    kk = _rows(k)
    nn = np.broadcast_to(np.asarray(n, dtype=np.float64), kk.shape)
    p = np.asarray(p0, dtype=np.float64).reshape(-1, 1) * np.ones_like(kk)
    r = np.asarray(rho, dtype=np.float64).reshape(-1, 1) * np.ones_like(kk)
    inner = (p > 0.0) & (p < 1.0)
    upper, lower = _tail_tables(nn, np.where(inner, p, 0.5), r)
    idx = kk.astype(np.intp)[..., None]
    at_k_upper = np.take_along_axis(upper, idx, axis=-1)[..., 0]
    at_k_lower = np.take_along_axis(lower, idx, axis=-1)[..., 0]
    at_k_upper = np.where(inner, at_k_upper, 1.0)
    at_k_lower = np.where(inner, at_k_lower, 1.0)
    return at_k_upper, at_k_lower, _steps((upper, lower), nn, inner, tails_at)


def _steps(tables: tuple[Float, Float], nn: Float, inner: npt.NDArray[np.bool_],
           tails: Sequence[npt.ArrayLike]) -> list[tuple[Float, Float]]:
    """The step limits of :func:`step_limits` from tail tables, at each of ``tails``."""
    upper_tail, lower_tail = tables
    j = np.arange(upper_tail.shape[-1], dtype=np.float64)
    possible = j <= nn[..., None]
    out = []
    for tail in tails:
        t = np.broadcast_to(np.asarray(tail, dtype=np.float64), nn.shape)
        flagged_hi = (upper_tail < t[..., None]) & possible
        flagged_lo = (lower_tail < t[..., None]) & possible
        k_hi = np.where(flagged_hi.any(axis=-1), np.argmax(flagged_hi, axis=-1), nn + 1.0)
        last = flagged_lo.shape[-1] - 1 - np.argmax(flagged_lo[..., ::-1], axis=-1)
        k_lo = np.where(flagged_lo.any(axis=-1), last, -1.0)
        k_hi = np.where(inner, k_hi, nn + 1.0)
        k_lo = np.where(inner, k_lo, -1.0)
        out.append((np.clip((k_lo + 0.5) / nn, 0.0, 1.0), np.clip((k_hi - 0.5) / nn, 0.0, 1.0)))
    return out


def beyond_chance(p0: npt.ArrayLike, rho: npt.ArrayLike, n: npt.ArrayLike,
                  tail: npt.ArrayLike, top: int | None = None) -> Float:
    """P(an area of size n falls beyond the limits leaving ``tail`` each side) under the
    fitted beta-binomial: the probability of a count at or beyond the first flagged ones
    (below 2 ``tail``: counts are whole). ``top`` (at least the largest n) fixes the counts
    summed over, so that rows computed in chunks sum exactly as all rows at once do."""
    p, r, nn, t = np.broadcast_arrays(np.asarray(p0, dtype=np.float64),
                                      np.asarray(rho, dtype=np.float64),
                                      np.asarray(n, dtype=np.float64),
                                      np.asarray(tail, dtype=np.float64))
    lower, upper = step_limits(p, r, nn, t)
    largest = int(nn.max()) if nn.size else 0
    j = np.arange(max(largest, top or 0) + 1, dtype=np.float64)
    inner = (p > 0.0) & (p < 1.0)
    mixed, _ = _pmf(j, nn[..., None], np.where(inner, p, 0.5)[..., None], r[..., None])
    share = j / np.maximum(nn[..., None], 1.0)
    out = ((share > upper[..., None]) | (share < lower[..., None])) & (j <= nn[..., None])
    return np.where(inner, (mixed * out).sum(axis=-1), 0.0)


# --------------------------------------------------------------------------- small samples


def prediction_df(areas: npt.ArrayLike) -> Float:
    """Degrees of freedom for a prediction from I areas' fit: I - 2 (at least 1), as
    Higgins, Thompson and Spiegelhalter (2009) predict a new study of a random-effects
    meta-analysis: a centre and a spread are estimated from the same I areas."""
    return np.maximum(np.asarray(areas, dtype=np.float64) - 2.0, 1.0)


def adjusted_tail(level: float, areas: npt.ArrayLike) -> Float:
    """The tail probability each side that the limits at ``level`` leave once the spread is
    known only from I areas: Phi(-t_{I-2}((1 + level) / 2)).

    With the spread fitted from the same 12 areas, tails at the nominal (1 - level) / 2
    flag areas that are no more unusual than areas are far more often than the model says
    (simulated with the bundled n's: 0.57% of points beyond 99.8% limits and 5.2% beyond 95%,
    against 0.073% and 2.7% with the spread known); read on the t scale, as a prediction
    interval is, the realised rates are the known-spread ones (0.075% and 3.0%,
    benchmarks/between_areas.py). 1.7e-5 at 99.8% and 1.3% at 95% for 12 areas.
    """
    from scipy import stats

    df = prediction_df(areas)
    return np.asarray(stats.norm.sf(stats.t.isf((1.0 - level) / 2.0, df)))


def calibrated_p(tail: npt.ArrayLike, areas: npt.ArrayLike) -> Float:
    """One side's tail probability read on the t scale of :func:`adjusted_tail`:
    P(T_{I-2} > Phi^-1(1 - tail)). It is below (1 - level) / 2 exactly when ``tail`` is
    below :func:`adjusted_tail` at that level, so twice the smaller side is the two-sided
    p-value of the decision."""
    from scipy import stats

    return np.asarray(stats.t.sf(stats.norm.isf(np.asarray(tail, dtype=np.float64)),
                                 prediction_df(areas)))


@dataclass(frozen=True)
class Shrunk:
    """An area's empirical Bayes (shrunken) estimate, its interval and P(theta_i < centre)."""

    mean: Float
    lower: Float
    upper: Float
    p_below: Float


def shrink_shares(k: npt.ArrayLike, n: npt.ArrayLike, p0: npt.ArrayLike,
                  rho: npt.ArrayLike, level: float = 0.95) -> Shrunk:
    """theta_i | k_i ~ Beta(a + k_i, b + n_i - k_i): its mean, equal-tailed interval and
    P(theta_i < p0). A fairer single-area estimate than k/n for a small n: pulled towards p0
    the more, the smaller n_i and rho. With rho = 0 the model says every area shares p0:
    the estimate is p0 and P(theta_i < p0) is undefined (NaN). Like every empirical Bayes
    interval it takes p0 and rho as known (Morris 1983), so it is a little too narrow."""
    from scipy import stats

    kk = np.asarray(k, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    p = np.asarray(p0, dtype=np.float64) * np.ones_like(kk)
    r = np.asarray(rho, dtype=np.float64) * np.ones_like(kk)
    a, b, binomial = _shape(p, r)
    alpha, beta = a + kk, b + nn - kk
    tail = (1.0 - level) / 2.0
    mean = np.where(binomial, p, alpha / (alpha + beta))
    lower = np.where(binomial, p, stats.beta.ppf(tail, alpha, beta))
    upper = np.where(binomial, p, stats.beta.ppf(1.0 - tail, alpha, beta))
    below = np.where(binomial, np.nan, stats.beta.cdf(p, alpha, beta))
    return Shrunk(mean, lower, upper, below)


def pearson(k: npt.ArrayLike, n: npt.ArrayLike, p0: npt.ArrayLike) -> tuple[Float, Float]:
    """Pearson's chi-square of the areas about p0 and its p-value on I - 1 df (Spiegelhalter
    2005, s. 4): whether the areas differ more than binomial sampling explains. Descriptive
    only: the limits come from rho, whatever this test says."""
    from scipy import stats

    kk = _rows(k)
    nn = np.broadcast_to(np.asarray(n, dtype=np.float64), kk.shape)
    p = np.asarray(p0, dtype=np.float64).reshape(-1, 1)
    inner = ((p > 0.0) & (p < 1.0)).ravel()
    ps = np.where((p > 0.0) & (p < 1.0), p, 0.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        z2 = np.where(nn > 0, (kk - nn * ps) ** 2 / (nn * ps * (1.0 - ps)), 0.0)
    statistic = z2.sum(axis=1)
    df = (nn > 0).sum(axis=1) - 1
    p_value = np.where(inner & (df > 0), stats.chi2.sf(statistic, np.maximum(df, 1)), 1.0)
    return np.where(inner, statistic, 0.0), p_value


# --------------------------------------------------------------------------- outcomes


def winsor_consistency(winsor: float = WINSOR) -> float:
    """E[W^2] for W a standard normal Winsorised at its ``winsor`` and 1 - ``winsor`` points
    a: (1 - 2 winsor) - 2 a phi(a) + 2 winsor a^2 (0.679 at 10%), the factor by which
    Winsorising shrinks a normal variance. Dividing by it makes the Winsorised estimate
    consistent, the usual correction of a Winsorised variance."""
    from scipy import stats

    if winsor <= 0.0:
        return 1.0
    a = float(stats.norm.isf(winsor))
    return (1.0 - 2.0 * winsor) - 2.0 * a * float(stats.norm.pdf(a)) + 2.0 * winsor * a * a


def fit_tau2(y: npt.ArrayLike, v: npt.ArrayLike, centre: npt.ArrayLike,
             winsor: float = WINSOR) -> Float:
    """Between-area variance of an outcome score by maximum likelihood given its centre.

    y_i ~ N(centre, v_i + tau2) for each area with a score (NaN elsewhere); the residuals
    (y_i - centre) / sqrt(v_i) are Winsorised as the questions' z-scores are and divided by
    sqrt(:func:`winsor_consistency`), then sum log N(y_i; centre, v_i + tau2) is maximised
    over 0 <= tau2 <= TAU2_MAX from the moment start mean((y_i - centre)^2 - v_i). Without
    that correction a Winsorised tau2 is about a third too small and areas no more unusual
    than areas are would cross 99.8% limits nearly twice as often as stated (simulation from
    the normal model with 12 areas: 0.35% of points; with it 0.10%). Rows with fewer than
    two scores get 0.
    """
    yy, vv = _rows(y), _rows(v)
    c = np.asarray(centre, dtype=np.float64).reshape(-1, 1)
    ok = np.isfinite(yy) & np.isfinite(vv) & (vv > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(ok, (yy - c) / np.sqrt(np.where(ok, vv, 1.0)), np.nan)
    scaled = winsorise(z, winsor) ** 2 / winsor_consistency(winsor)
    resid2 = np.where(ok, scaled * np.where(ok, vv, 0.0), 0.0)
    var = np.where(ok, vv, 1.0)
    fits = (ok.sum(axis=1) >= 2) & np.isfinite(c.ravel())
    out = np.zeros(yy.shape[0])
    if not fits.any():
        return out
    r2, w, mask = resid2[fits], var[fits], ok[fits]

    def objective(x: Float, r: Float) -> Float:
        i = r.astype(np.intp)
        total = np.asarray(x)[..., None] + w[i]
        return np.asarray(np.where(mask[i], -0.5 * (np.log(total) + r2[i] / total),
                                   0.0).sum(axis=-1))

    start = np.maximum(np.where(mask, r2 - w, 0.0).sum(axis=1) / mask.sum(axis=1), 0.0)
    out[fits] = maximise(objective, np.asarray(start), TAU2_MAX)
    return out


def normal_quantile(level: float) -> float:
    """The two-sided normal point of ``level`` (1.959964 at 95%, 3.090232 at 99.8%)."""
    from scipy import stats

    return float(stats.norm.ppf(0.5 + level / 2.0))


def t_quantile(level: float, areas: npt.ArrayLike) -> Float:
    """The two-sided t point of ``level`` on :func:`prediction_df` degrees of freedom: the
    multiplier of an outcome's predictive limits (4.14 at 99.8% and 2.23 at 95% for 12
    areas), Higgins, Thompson and Spiegelhalter's prediction interval."""
    from scipy import stats

    return np.asarray(stats.t.isf((1.0 - level) / 2.0, prediction_df(areas)))


def shrink_scores(y: npt.ArrayLike, v: npt.ArrayLike, centre: npt.ArrayLike,
                  tau2: npt.ArrayLike, level: float = 0.95) -> Shrunk:
    """theta_i | y_i ~ N(centre + (1 - B_i)(y_i - centre), (1 - B_i) v_i), B_i =
    v_i / (v_i + tau2): the outcome's empirical Bayes estimate, interval and
    P(theta_i < centre); with tau2 = 0 the estimate is the centre (P undefined, NaN)."""
    from scipy import stats

    yy = np.asarray(y, dtype=np.float64)
    vv = np.asarray(v, dtype=np.float64)
    c = np.asarray(centre, dtype=np.float64) * np.ones_like(yy)
    t = np.asarray(tau2, dtype=np.float64) * np.ones_like(yy)
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = np.where(t > 0, t / (vv + t), 0.0)
    mean = c + keep * (yy - c)
    sd = np.sqrt(keep * vv)
    z = normal_quantile(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        below = np.where(sd > 0, stats.norm.cdf((c - mean) / np.where(sd > 0, sd, 1.0)),
                         np.nan)
    return Shrunk(mean, mean - z * sd, mean + z * sd, below)


def cochran(y: npt.ArrayLike, v: npt.ArrayLike, centre: npt.ArrayLike) -> tuple[Float, Float]:
    """Cochran's Q = sum (y_i - centre)^2 / v_i and its p-value on I - 1 df: whether the
    outcome scores differ more than their bootstrap variances explain (descriptive)."""
    from scipy import stats

    yy, vv = _rows(y), _rows(v)
    c = np.asarray(centre, dtype=np.float64).reshape(-1, 1)
    ok = np.isfinite(yy) & np.isfinite(vv) & (vv > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(ok, (yy - c) ** 2 / np.where(ok, vv, 1.0), 0.0).sum(axis=1)
    df = ok.sum(axis=1) - 1
    return q, np.where(df > 0, stats.chi2.sf(q, np.maximum(df, 1)), 1.0)
