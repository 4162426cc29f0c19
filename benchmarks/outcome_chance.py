"""Simulate how often an area's outcome score is flagged when areas differ only as areas do,
from cases up: the check of the outcome rule with real bootstrap variances.

Run with ``.venv/bin/python benchmarks/outcome_chance.py`` (a few minutes; not part of
``make test``). Each area's true probability for each of ten questions is the question's
probability moved on the logit scale by the area's own effect (sd ``--spread``: areas differ)
and each case by its own (cases differ, so a case's answers are correlated, as in the
inspections); every area gets the build's case bootstrap (the package's ``combine``, the same
number of resamples) and the package's :func:`analysis.method.positions.decide_outcomes` decides
it against the all-areas score (the mean of pooled question shares). Printed, for each number of
areas and spread: the share of areas beyond the 95% and the 99.8% limits against the stated
0.05 and 0.002.
"""

from __future__ import annotations

import argparse

import numpy as np

from analysis.method import positions
from analysis.method.scoring import BOOTSTRAP_RESAMPLES, combine

QUESTIONS = 10
CASE_SD = 0.8


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _area(rng: np.random.Generator, logits: np.ndarray, cases: int,
          resamples: int) -> tuple[float, float, np.ndarray, np.ndarray]:
    """One area's outcome score, its bootstrap variance, and its question counts."""
    every = [list(range(logits.size))]
    case = rng.normal(0, CASE_SD, (cases, 1))
    sufficient = (rng.random((cases, logits.size)) < _expit(logits + case)).astype(float)
    applicable = np.ones_like(sufficient)
    weights = rng.multinomial(cases, np.full(cases, 1.0 / cases), size=resamples)
    replicates = combine(weights @ sufficient, weights @ applicable, every, "questions")
    k, n = sufficient.sum(axis=0), applicable.sum(axis=0)
    score = float(combine(k[None, :], n[None, :], every, "questions")[0])
    return score, float(replicates.var(ddof=1)), k, n


def simulate(areas: int, spread: float, replicates: int, resamples: int,
             seed: int) -> tuple[float, float]:
    """Shares of areas beyond the 95% and 99.8% limits over ``replicates`` data sets."""
    rng = np.random.default_rng(seed)
    probs = rng.uniform(0.55, 0.9, QUESTIONS)
    base = np.log(probs / (1 - probs))
    sizes = rng.integers(50, 91, areas)  # the inspectorate samples 50 to 90 cases an area
    y = np.empty((replicates, areas))
    v = np.empty((replicates, areas))
    centre = np.empty(replicates)
    for r in range(replicates):
        k_all, n_all = np.zeros(QUESTIONS), np.zeros(QUESTIONS)
        for a, cases in enumerate(sizes):
            logits = base + rng.normal(0, spread)
            y[r, a], v[r, a], k, n = _area(rng, logits, int(cases), resamples)
            k_all, n_all = k_all + k, n_all + n
        centre[r] = float(np.mean(k_all / n_all))
    d = positions.decide_outcomes(y, v, centre)
    return float((d.beyond_95 != "within").mean()), float((d.decision != "within").mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, nargs="+", default=[6, 12])
    parser.add_argument("--spread", type=float, nargs="+", default=[0.0, 0.6])
    parser.add_argument("--replicates", type=int, default=300)
    parser.add_argument("--resamples", type=int, default=BOOTSTRAP_RESAMPLES)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    print("areas  spread  beyond 95% (stated 0.05)  beyond 99.8% (stated 0.002)  "
          "(areas x replicates)")
    for areas in args.areas:
        for spread in args.spread:
            r95, r998 = simulate(areas, spread, args.replicates, args.resamples, args.seed)
            print(f"{areas:5d}  {spread:6.2f}  {r95:24.4f}  {r998:27.4f}  "
                  f"({areas * args.replicates})")


if __name__ == "__main__":
    main()
