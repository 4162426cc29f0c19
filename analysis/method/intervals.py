"""Uncertainty for a proportion: Wilson score intervals (95% and 99.8%)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054
Z998 = 3.090232306167813


def wilson(
    k: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson score limits, vectorised; ``nan`` where n = 0 (no denominator, no interval).

    Wilson rather than the normal approximation (statsmodels' default) because samples are
    50-90 cases and many shares sit near 0 or 1, where the normal interval leaves [0, 1].
    Computed as statsmodels' ``proportion_confint(method="wilson")`` computes it, step for
    step (the tests require equal bits): importing statsmodels' module loads scipy.stats, a
    second more in every notebook kernel that shows an interval.
    """
    from scipy.special import ndtri

    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    nobs = np.where(n_arr > 0, n_arr, 1.0)
    q = k_arr / nobs
    crit = -ndtri((1 - level) / 2.0)
    crit2 = crit**2
    denom = 1 + crit2 / nobs
    center = (q + crit2 / (2 * nobs)) / denom
    dist = crit * np.sqrt(q * (1.0 - q) / nobs + crit2 / (4.0 * nobs**2))
    dist /= denom
    lower = np.where(n_arr > 0, np.clip(center - dist, 0, 1), np.nan)
    upper = np.where(n_arr > 0, np.clip(center + dist, 0, 1), np.nan)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def share(k: npt.ArrayLike, n: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """k / n, ``nan`` where n = 0 so that it reads as not applicable, never as 0%."""
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_arr > 0, k_arr / np.where(n_arr > 0, n_arr, 1.0), np.nan)
