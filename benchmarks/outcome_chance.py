"""Simulate how often chance alone marks an area's outcome score, against what reports state.

Run with ``.venv/bin/python benchmarks/outcome_chance.py`` (about a minute; not part of
``make test``). Every area draws its cases from the same question probabilities (no real
differences), answers independent within a case; each area's outcome score gets the build's
case bootstrap interval (the same resample count, the package's own ``combine``), the
all-areas score is the mean of pooled question shares, and the package's comparison rule
marks the areas whose interval misses it. It prints, for each number of areas, the share of
areas marked against the stated chance ``outcome_chance(I)`` and their ratio.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis.method import positions as cmp
from analysis.method.scoring import BOOTSTRAP_RESAMPLES, combine

QUESTIONS = 10


def _area(rng: np.random.Generator, probs: np.ndarray, cases: int,
          resamples: int) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """One area's outcome score, its bootstrap limits, and its question counts."""
    every = [list(range(len(probs)))]
    sufficient = (rng.random((cases, len(probs))) < probs).astype(float)
    applicable = np.ones_like(sufficient)
    weights = rng.multinomial(cases, np.full(cases, 1.0 / cases), size=resamples)
    low, high = np.percentile(combine(weights @ sufficient, weights @ applicable, every,
                                      "questions"), [2.5, 97.5])
    k, n = sufficient.sum(axis=0), applicable.sum(axis=0)
    score = float(combine(k[None, :], n[None, :], every, "questions")[0])
    return score, float(low), float(high), k, n


def simulate(areas: int, replicates: int, resamples: int, seed: int) -> tuple[float, float]:
    """Share of areas marked under no real differences, and the chance the reports state."""
    rng = np.random.default_rng(seed)
    probs = rng.uniform(0.55, 0.9, QUESTIONS)
    sizes = rng.integers(50, 91, areas)  # the inspectorate samples 50 to 90 cases an area
    rows, pooled = [], {}
    for r in range(replicates):
        k_all, n_all = np.zeros(QUESTIONS), np.zeros(QUESTIONS)
        for a, cases in enumerate(sizes):
            score, low, high, k, n = _area(rng, probs, int(cases), resamples)
            rows.append((f"area-{a}", r, score, low, high))
            k_all, n_all = k_all + k, n_all + n
        pooled[r] = float(np.mean(k_all / n_all))
    outcomes = pd.DataFrame(rows, columns=["area_id", "outcome", "score", "lower", "upper"])
    decided = cmp._outcome_rows(outcomes, pd.Series(pooled))
    return float((decided["decision"] != cmp.WITHIN).mean()), cmp.outcome_chance(areas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, nargs="+", default=[3, 12])
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--resamples", type=int, default=BOOTSTRAP_RESAMPLES)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    print("areas  marked  stated  marked/stated  (areas x replicates)")
    for areas in args.areas:
        marked, stated = simulate(areas, args.replicates, args.resamples, args.seed)
        print(f"{areas:5d}  {marked:6.2%}  {stated:6.2%}  {marked / stated:13.2f}  "
              f"({areas * args.replicates})")


if __name__ == "__main__":
    main()
