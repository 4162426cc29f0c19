"""Funnel-plot statistics for comparing areas' proportions (Spiegelhalter 2005).

D. Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in
Medicine 24 (2005) 1185-1202. A league table of small samples mostly ranks noise; a funnel plot
instead draws control limits around a target proportion ``p0`` that narrow as the unit's
denominator ``n`` grows, and flags only units outside them.

This module computes the numbers behind such a plot (no plotting):

* :func:`overdispersion` and :func:`adjusted_limits` - the over-dispersion factor ``phi``,
  the between-unit variance ``tau2`` and the widened limits, on the arcsine-square-root scale
  as in the R package FunnelPlotR (NHS-R community, ``data_type = "PR"``);
* :func:`phi_tau2` and :func:`additive_limit` - the same, vectorised over replicate data sets;
* :func:`pooled_share` and :func:`mean_of_shares` - the two candidate targets.

The exact binomial limits, the test of over-dispersion and the decision of every comparison
are in :mod:`analysis.method.positions`.

Only numpy, scipy and pandas are used (``scipy.stats`` imported where needed: it is slow to
import).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "Z95",
    "Z998",
    "OverdispersionResult",
    "additive_limit",
    "adjusted_limits",
    "mean_of_shares",
    "overdispersion",
    "phi_tau2",
    "pooled_share",
]

Z95: float = 1.959964
"""Two-sided 95% standard normal quantile (upper 2.5% point), as used by Spiegelhalter (2005)."""

Z998: float = 3.090232
"""Two-sided 99.8% standard normal quantile (upper 0.1% point)."""

FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- validation


def _check_p0(p0: float) -> float:
    """Reject a target outside [0, 1]: a proportion limit is meaningless there."""
    value = float(p0)
    if not 0.0 <= value <= 1.0 or math.isnan(value):
        raise ValueError(f"target proportion must be in [0, 1], got {p0!r}")
    return value


def _as_counts(values: npt.ArrayLike, name: str) -> FloatArray:
    """Return non-negative whole-number counts as a 1-d float array, or raise.

    Binomial limits only make sense for whole denominators, so fractional or negative values
    are treated as input errors rather than silently rounded.
    """
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative")
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be whole numbers")
    return arr


def _as_k_n(k: npt.ArrayLike, n: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validate numerator/denominator pairs: same length and 0 <= k <= n."""
    k_arr = _as_counts(k, "k")
    n_arr = _as_counts(n, "n")
    if k_arr.shape != n_arr.shape:
        raise ValueError(f"k and n differ in length: {k_arr.size} != {n_arr.size}")
    if np.any(k_arr > n_arr):
        raise ValueError("k must not exceed n")
    return k_arr, n_arr


# --------------------------------------------------------------------------- targets


def pooled_share(k: npt.ArrayLike, n: npt.ArrayLike) -> float:
    """Pooled share sum(k) / sum(n): the proportion of all cases, whichever unit they are in.

    Pooled vs mean: the pooled share weights every *case* equally, so large units dominate; it
    is the right funnel target because it is the rate a case would have if units did not
    differ. :func:`mean_of_shares` weights every *unit* equally, so a unit with 9/10 counts as
    much as one with 10/100 (pooled 19/110 = 0.173, mean of shares 0.5). Returns nan when
    sum(n) == 0 (nothing is divided by zero).
    """
    k_arr, n_arr = _as_k_n(k, n)
    total = float(n_arr.sum())
    if total == 0.0:
        return math.nan
    return float(k_arr.sum()) / total


def mean_of_shares(k: npt.ArrayLike, n: npt.ArrayLike) -> float:
    """Unweighted mean of k/n over units with n > 0: the typical *unit's* share.

    Unlike :func:`pooled_share` each unit counts once regardless of size, so small noisy units
    pull it about; use it to describe units, not as a funnel target. Units with n == 0 have no
    share and are ignored; returns nan if none remain.
    """
    k_arr, n_arr = _as_k_n(k, n)
    keep = n_arr > 0
    if not np.any(keep):
        return math.nan
    return float(np.mean(k_arr[keep] / n_arr[keep]))


# --------------------------------------------------------------------------- arcsine scale


def _arcsine_z(k: FloatArray, n: FloatArray, p0: float) -> tuple[FloatArray, FloatArray]:
    """Arcsine-square-root z-scores and their standard errors s = 1 / (2 sqrt(n)).

    The transform Y = asin(sqrt(k/n)) makes the variance 1/(4n) independent of p, which is why
    FunnelPlotR (and Spiegelhalter's over-dispersion method) work on this scale. Requires n > 0.
    """
    theta0 = math.asin(math.sqrt(p0))
    y = np.arcsin(np.sqrt(k / n))
    s = 1.0 / (2.0 * np.sqrt(n))
    return (y - theta0) / s, s


def _target(k: FloatArray, n: FloatArray, target: float | None) -> float:
    """The given target, or the pooled share when None (FunnelPlotR's default for proportions)."""
    if target is not None:
        return _check_p0(target)
    total = float(n.sum())
    if total == 0.0:
        raise ValueError("no cases (sum(n) == 0): the pooled target is undefined")
    return float(k.sum()) / total


# --------------------------------------------------------------------------- over-dispersion


@dataclass(frozen=True)
class OverdispersionResult:
    """Over-dispersion estimates on the arcsine-square-root scale.

    ``phi`` = mean of squared Winsorised z-scores; ``tau2`` = DerSimonian-Laird between-unit
    variance (0 unless I*phi > I - 1); ``dispersed`` = I*phi > I - 1, FunnelPlotR's rule and
    exactly the condition under which tau2 > 0 and the additive limits widen; ``p_value`` =
    P(chi2 on I - 1 df >= I*phi), Spiegelhalter's (2005) formal test of phi = 1, for readers
    who want significance rather than the point-estimate rule. ``target`` is the p0 used.
    """

    phi: float
    tau2: float
    n_units: int
    winsorised_z: FloatArray = field(compare=False, repr=False)
    dispersed: bool
    p_value: float
    target: float
    method: str = "arcsine"


def _winsorise(z: FloatArray, winsor: float) -> FloatArray:
    """Replace values beyond the winsor and 1-winsor quantiles (of each row) by those quantiles.

    Quantiles use numpy's default ("linear", Hyndman & Fan type 7: position h = (I-1) p in
    the sorted values, linearly interpolated). That is also R's default ``quantile()`` type,
    which FunnelPlotR's ``winsorisation()`` calls, so the two agree.
    """
    if winsor == 0.0:
        return z.copy()
    lo = np.quantile(z, winsor, axis=-1, keepdims=True)
    hi = np.quantile(z, 1.0 - winsor, axis=-1, keepdims=True)
    return np.clip(z, lo, hi)


def phi_tau2(k: npt.ArrayLike, n: npt.ArrayLike, p0: npt.ArrayLike,
             winsor: float = 0.10) -> tuple[FloatArray, FloatArray]:
    """FunnelPlotR's phi and tau2 for each row of ``k``: R data sets of the same I units at once.

    ``k`` (R, I) or (I,), ``n`` (I,) all > 0, ``p0`` (R,) strictly inside (0, 1). Vectorised
    so that the null simulations of :mod:`analysis.method.positions` use this very code.
    tau2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w) with w = 4n, 0 when I phi <= I - 1.
    """
    kk = np.atleast_2d(np.asarray(k, dtype=np.float64))
    nn = np.asarray(n, dtype=np.float64)
    theta0 = np.arcsin(np.sqrt(np.asarray(p0, dtype=np.float64))).reshape(-1, 1)
    z = (np.arcsin(np.sqrt(kk / nn)) - theta0) * 2.0 * np.sqrt(nn)
    phi = np.mean(_winsorise(z, winsor) ** 2, axis=-1)
    units = nn.size
    w = 4.0 * nn
    excess = units * phi - (units - 1)
    tau2 = np.where(excess > 0.0, excess / float(w.sum() - (w**2).sum() / w.sum()), 0.0)
    return phi, tau2


def overdispersion(
    k: npt.ArrayLike,
    n: npt.ArrayLike,
    target: float | None = None,
    winsor: float = 0.10,
) -> OverdispersionResult:
    """Estimate how much more units vary than binomial noise allows (Spiegelhalter 2005, s.4).

    Many units outside the limits usually means unmodelled between-unit variation, not many
    outliers. z-scores on the arcsine scale are Winsorised at ``winsor`` in each tail (so the
    outliers being judged do not inflate the yardstick), phi = mean(z_w^2), and with
    w = 1/s^2 = 4n, tau2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), set to 0 when
    I phi <= I - 1. Units with n == 0 are dropped; at least two units must remain.
    """
    if not 0.0 <= winsor < 0.5:
        raise ValueError(f"winsor must be in [0, 0.5), got {winsor!r}")
    k_arr, n_arr = _as_k_n(k, n)
    p0 = _target(k_arr, n_arr, target)
    keep = n_arr > 0
    k_arr, n_arr = k_arr[keep], n_arr[keep]
    units = int(n_arr.size)
    if units < 2:
        raise ValueError("need at least two units with n > 0 to estimate over-dispersion")

    z, _ = _arcsine_z(k_arr, n_arr, p0)
    z_w = _winsorise(z, winsor)
    phi_arr, tau2_arr = phi_tau2(k_arr, n_arr, p0, winsor)
    phi, tau2 = float(phi_arr[0]), float(tau2_arr[0])
    stat = units * phi
    dispersed = bool(stat > units - 1)
    from scipy import stats

    p_value = float(stats.chi2.sf(stat, units - 1))
    return OverdispersionResult(
        phi=phi,
        tau2=float(tau2),
        n_units=units,
        winsorised_z=z_w,
        dispersed=dispersed,
        p_value=p_value,
        target=p0,
    )


def adjusted_limits(
    p0: float,
    n: npt.ArrayLike,
    result: OverdispersionResult,
    z: float,
    method: Literal["additive", "multiplicative"] | str = "additive",
) -> FloatArray:
    """Over-dispersion-adjusted limit at each n, on the proportion scale.

    ``z`` is signed (``-Z998`` for the lower 99.8% limit). Additive random effects
    (FunnelPlotR's choice): theta0 + z sqrt(s^2 + tau2). Multiplicative: theta0 + z sqrt(phi) s,
    with phi floored at 1 so that under-dispersion never narrows the limits. The angle is
    clipped to [0, pi/2] and back-transformed with sin(.)^2, so limits stay in [0, 1].
    ``n == 0`` gives nan.
    """
    p = _check_p0(p0)
    n_arr = _as_counts(n, "n")
    out = np.full(n_arr.shape, np.nan, dtype=np.float64)
    pos = n_arr > 0
    if method == "additive":
        out[pos] = additive_limit(p, n_arr[pos], result.tau2, z)
        return out
    if method != "multiplicative":
        raise ValueError(f"method must be 'additive' or 'multiplicative', got {method!r}")
    spread = math.sqrt(max(result.phi, 1.0)) / (2.0 * np.sqrt(n_arr[pos]))
    angle = np.clip(math.asin(math.sqrt(p)) + float(z) * spread, 0.0, math.pi / 2.0)
    out[pos] = np.sin(angle) ** 2
    return out


def additive_limit(p0: npt.ArrayLike, n: npt.ArrayLike, tau2: npt.ArrayLike,
                   z: float) -> FloatArray:
    """FunnelPlotR's additive random-effects limit sin^2(asin(sqrt(p0)) + z sqrt(1/(4n) + tau2)).

    ``z`` is signed; p0, n (> 0) and tau2 broadcast, e.g. p0 and tau2 of shape (R, 1) against
    n of shape (I,). The angle is clipped to [0, pi/2], so limits stay in [0, 1].
    """
    theta0 = np.arcsin(np.sqrt(np.asarray(p0, dtype=np.float64)))
    spread = np.sqrt(1.0 / (4.0 * np.asarray(n, dtype=np.float64))
                     + np.asarray(tau2, dtype=np.float64))
    return np.asarray(np.sin(np.clip(theta0 + float(z) * spread, 0.0, math.pi / 2.0)) ** 2)
