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
    """
    from statsmodels.stats.proportion import proportion_confint  # slow import, used here only

    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    safe_n = np.where(n_arr > 0, n_arr, 1.0)
    lower, upper = proportion_confint(k_arr, safe_n, alpha=1 - level, method="wilson")
    lower = np.where(n_arr > 0, lower, np.nan)
    upper = np.where(n_arr > 0, upper, np.nan)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def share(k: npt.ArrayLike, n: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """k / n, ``nan`` where n = 0 so that it reads as not applicable, never as 0%."""
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_arr > 0, k_arr / np.where(n_arr > 0, n_arr, 1.0), np.nan)
