"""Groups compared: Newcombe's interval checked by hand, the stratified case bootstrap checked
by simulation, a group of one area equal to the area itself."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.method import group_figures as gr
from analysis.method.catalogue import Group

Z = stats.norm.ppf(0.975)


def newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe (1998) method 10, written from the paper: Wilson limits of each share."""
    def wilson(k: int, n: int) -> tuple[float, float]:
        p = k / n
        centre, half = p + Z * Z / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
        return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)

    p1, p2 = k1 / n1, k2 / n2
    (l1, u1), (l2, u2) = wilson(k1, n1), wilson(k2, n2)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    return low, d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def questions(area: str, k: list[int], n: list[int], outcome: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"area_id": area, "outcome": outcome,
                         "question": [f"q{i}" for i in range(len(k))], "k": k, "n": n})


def resampled(area_cases: list[np.ndarray], applicable: list[np.ndarray], resamples: int,
              rng: np.random.Generator) -> gr.Counts:
    """Bootstrap counts of one area from its case matrices (cases x questions)."""
    suff, app = area_cases[0], applicable[0]
    n_cases = len(suff)
    w = rng.multinomial(n_cases, np.full(n_cases, 1 / n_cases), size=resamples)
    return gr.Counts(tuple(f"q{i}" for i in range(suff.shape[1])),
                     (w @ suff).astype(np.int32), (w @ app).astype(np.int32))


def test_question_difference_is_newcombes_interval() -> None:
    q = pd.concat([questions("x", [30, 5, 7], [50, 5, 9]), questions("y", [20, 0, 9], [50, 7, 9])])
    c = gr.Counts(("q0", "q1", "q2"), np.ones((20, 3), np.int32), np.ones((20, 3), np.int32) * 2)
    d = gr.differences(Group("g", "a", "A", ("x",)), Group("g", "b", "B", ("y",)), q, c, c)
    d = d[d["kind"] == "question"].set_index("measure")
    for qid, (k1, n1, k2, n2) in {"q0": (30, 50, 20, 50), "q1": (5, 5, 0, 7),
                                  "q2": (7, 9, 9, 9)}.items():
        lo, hi = newcombe(k1, n1, k2, n2)
        assert math.isclose(d.loc[qid, "lower"], lo, abs_tol=1e-9)
        assert math.isclose(d.loc[qid, "upper"], hi, abs_tol=1e-9)
        assert d.loc[qid, "difference"] == k1 / n1 - k2 / n2
    assert not d.loc["q0", "clear"] or d.loc["q0", "lower"] > 0


def _simulate(rng: np.random.Generator, probs: np.ndarray, n_cases: int,
              resamples: int) -> tuple[pd.DataFrame, gr.Counts]:
    suff = (rng.random((n_cases, len(probs))) < probs).astype(float)
    app = np.ones_like(suff)
    area = f"a{rng.integers(1 << 30)}"
    k = suff.sum(axis=0).astype(int)
    return (questions(area, list(k), [n_cases] * len(probs)),
            resampled([suff], [app], resamples, rng))


def test_outcome_difference_interval_covers_the_truth_about_95_percent() -> None:
    """Two groups of three areas, four questions, 40 cases an area, known probabilities:
    the bootstrap interval of the difference of pooled scores covers the true difference in
    about 95% of 300 simulated data sets."""
    rng = np.random.default_rng(19)
    pa, pb = np.array([0.9, 0.7, 0.6, 0.8]), np.array([0.85, 0.7, 0.5, 0.75])
    truth = pa.mean() - pb.mean()
    covered = 0
    runs = 300
    for _ in range(runs):
        qa, ca = zip(*[_simulate(rng, pa, 40, 400) for _ in range(3)], strict=True)
        qb, cb = zip(*[_simulate(rng, pb, 40, 400) for _ in range(3)], strict=True)
        q = pd.concat([*qa, *qb])
        a = Group("g", "a", "A", tuple(f["area_id"].iloc[0] for f in qa))
        b = Group("g", "b", "B", tuple(f["area_id"].iloc[0] for f in qb))
        _, sums = gr.add_up([a, b], [(f["area_id"].iloc[0], c) for f, c in
                                     zip([*qa, *qb], [*ca, *cb], strict=True)])
        d = gr.differences(a, b, q, sums["a"], sums["b"])
        row = d[d["kind"] == "outcome"].iloc[0]
        covered += row["lower"] <= truth <= row["upper"]
    assert 0.91 <= covered / runs <= 0.985, covered / runs


def test_a_group_of_one_area_is_that_area() -> None:
    rng = np.random.default_rng(3)
    q, c = _simulate(rng, np.array([0.8, 0.6]), 30, 500)
    area = q["area_id"].iloc[0]
    g = Group("g", "solo", "Solo", (area,))
    every, sums = gr.add_up([g], [(area, c)])
    figures, diffs = gr.group_tables([g], q, every, sums)
    one = figures[figures["scope"] == "solo"].drop(columns=["scope", "grouping", "label"])
    whole = figures[figures["scope"] == "all"].drop(columns=["scope", "grouping", "label"])
    pd.testing.assert_frame_equal(one.reset_index(drop=True), whole.reset_index(drop=True))
    outcome = one[one["kind"] == "outcome"].iloc[0]
    reps = (c.k / c.n).mean(axis=1)
    assert (outcome["lower"], outcome["upper"]) == tuple(np.percentile(reps, [2.5, 97.5]))
    assert diffs.empty


def test_pairs_only_within_a_grouping_in_areas_csv_order() -> None:
    gs = [Group("group", "b", "B", ("x",)), Group("region", "n", "N", ("x",)),
          Group("group", "a", "A", ("y",)), Group("group", "c", "C", ("z",))]
    assert [(a.id, b.id) for a, b in gr.pairs(gs)] == [("b", "a"), ("b", "c"), ("a", "c")]
