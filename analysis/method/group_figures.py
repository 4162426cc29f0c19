"""Groups of areas compared: pooled group figures with intervals, differences between groups.

A group's figures pool its areas' cases as the all-areas figures pool every area's: a question's
share is the group's sufficient answers over its applicable cases, with a Wilson 95% interval;
an outcome's score follows the same rule as the all-areas score (the mean of the group's pooled
question shares), with a 95% interval from a case bootstrap. Each area's scoring writes the
counts of its own bootstrap resamples (``bootstrap_counts``: k and n of every question in each
of 2,000 resamples of its cases); resample b of a group adds its areas' resample b, which is a
bootstrap that resamples cases within each area, the areas held fixed, without reading cases
again. The same resamples give each area's own interval.

The difference between two groups of one grouping (the earlier group in areas.csv minus the
later one) has a 95% interval: Newcombe's hybrid score interval for a question (statsmodels'
``confint_proportions_2indep(..., method="newcomb")``), the percentile interval of the
resampled differences for an outcome. ``clear`` says whether the interval excludes no
difference. Groups are never ordered by their figures.

These intervals describe the uncertainty from sampling cases in these areas; they do not
allow for areas differing from one another (they say how these groups differ, not how other
areas grouped the same way would).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .catalogue import Group

LEVEL = 0.95
WILSON, NEWCOMBE, BOOTSTRAP = "wilson", "newcombe", "bootstrap"
ALL = "all"
QUESTION, OUTCOME = "question", "outcome"
FIGURE_COLUMNS = ["scope", "grouping", "label", "kind", "measure", "k", "n", "share", "lower",
                  "upper", "interval", "n_areas"]
DIFFERENCE_COLUMNS = ["grouping", "group_a", "group_b", "kind", "measure", "share_a",
                      "share_b", "difference", "lower", "upper", "interval", "clear"]
Ints = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Counts:
    """Bootstrap resample counts: k and n of each question, shape (resamples, questions)."""

    questions: tuple[str, ...]
    k: Ints
    n: Ints

    @classmethod
    def from_table(cls, frame: pd.DataFrame) -> Counts:
        """From a ``bootstrap_counts`` table (columns ``k:<question>``, ``n:<question>``)."""
        qs = tuple(c[2:] for c in frame.columns if c.startswith("k:"))
        return cls(qs, frame[[f"k:{q}" for q in qs]].to_numpy(dtype=np.int32),
                   frame[[f"n:{q}" for q in qs]].to_numpy(dtype=np.int32))

    def table(self) -> pd.DataFrame:
        """As a ``bootstrap_counts`` table (16-bit integers: counts of at most 32,767 cases)."""
        cols: dict[str, Ints] = {}
        for j, q in enumerate(self.questions):
            cols[f"k:{q}"] = self.k[:, j].astype(np.int16)
            cols[f"n:{q}"] = self.n[:, j].astype(np.int16)
        return pd.DataFrame(cols)

    def __add__(self, other: Counts) -> Counts:
        if self.questions != other.questions or self.k.shape != other.k.shape:
            raise ValueError("bootstrap counts of different questions or resamples")
        return Counts(self.questions, self.k + other.k, self.n + other.n)


def _sums(keys: npt.ArrayLike, frame: pd.DataFrame) -> tuple[
        npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[Any], npt.NDArray[Any]]:
    """Row counts and sums of k and n by key, keys in order of first appearance.

    A bincount: the group comparisons call this thousands of times on a few dozen rows, where
    pandas' groupby with named aggregations costs a hundred times the arithmetic (a bootstrap
    check of the group intervals spent 45 of its 50 seconds there). Counts are whole numbers,
    so the sums are exact.
    """
    codes, keys_found = pd.factorize(np.asarray(keys), sort=False)
    size = len(keys_found)

    def total(col: str) -> npt.NDArray[Any]:
        weights = frame[col].to_numpy(dtype=float)
        return np.bincount(codes, weights, size).round().astype(frame[col].dtype)

    _, first = np.unique(codes, return_index=True)  # codes count up in order of appearance
    return first, np.bincount(codes, minlength=size), total("k"), total("n")


def pooled(questions: pd.DataFrame) -> pd.DataFrame:
    """k and n of each question summed over the areas given (one row per question, in order
    of first appearance)."""
    q = questions.drop_duplicates(["area_id", "question"])
    first, rows, k, n = _sums(q["question"], q)
    return pd.DataFrame({"question": q["question"].iloc[first].array, "k": k, "n": n,
                         "n_areas": rows})


def outcome_score(questions: pd.DataFrame) -> pd.Series:
    """Each outcome's pooled score: the mean of its pooled question shares (n > 0)."""
    q = questions.drop_duplicates(["area_id", "outcome", "question"])
    pairs = q["outcome"].astype(str) + "\x1f" + q["question"].astype(str)
    first, _, k, n = _sums(pairs, q)
    pq = pd.DataFrame({"outcome": q["outcome"].iloc[first].array,
                       "question": q["question"].iloc[first].array, "k": k, "n": n})
    pq = pq.sort_values(["outcome", "question"], ignore_index=True)
    pq = pq[pq["n"] > 0]
    return (pq["k"] / pq["n"]).groupby(pq["outcome"]).mean()


def outcome_replicates(counts: Counts, questions: pd.DataFrame) -> dict[int, Floats]:
    """Each outcome's pooled score in every resample, by the rule of :func:`outcome_score`:
    the questions with cases in the data; a question with none in a resample left out of it."""
    col = {q: j for j, q in enumerate(counts.questions)}
    base = pooled(questions).set_index("question")["n"]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(counts.n > 0, counts.k / np.maximum(counts.n, 1), np.nan)
    out: dict[int, Floats] = {}
    for outcome, sub in questions.groupby("outcome"):
        cols = [col[q] for q in sub["question"].unique() if base.get(q, 0) > 0]
        if cols:
            s = shares[:, cols]
            ok = ~np.isnan(s)
            out[int(outcome)] = np.where(ok, s, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
    return out


def percentile(x: Floats) -> tuple[float, float]:
    """The 95% percentile interval of resampled values."""
    lo, hi = np.percentile(x, [50 * (1 - LEVEL), 100 - 50 * (1 - LEVEL)])
    return float(lo), float(hi)


def figures(scope: str, grouping: str, label: str, questions: pd.DataFrame,
            counts: Counts) -> pd.DataFrame:
    """A scope's pooled figures: each outcome (bootstrap) and question (Wilson) interval."""
    from .intervals import wilson

    pq = pooled(questions)
    pq = pq[pq["n"] > 0]
    lo, hi = wilson(pq["k"], pq["n"])
    rows = pd.DataFrame({"kind": QUESTION, "measure": pq["question"].astype(str),
                         "k": pq["k"], "n": pq["n"], "share": pq["k"] / pq["n"],
                         "lower": lo, "upper": hi, "interval": WILSON,
                         "n_areas": pq["n_areas"]})
    reps = outcome_replicates(counts, questions)
    point = outcome_score(questions)
    units = int(questions["area_id"].nunique())
    outs = pd.DataFrame([{"kind": OUTCOME, "measure": str(o), "share": float(point[o]),
                          "lower": percentile(reps[o])[0], "upper": percentile(reps[o])[1],
                          "interval": BOOTSTRAP, "n_areas": units} for o in sorted(reps)])
    out = pd.concat([outs, rows], ignore_index=True)
    out.insert(0, "label", label)
    out.insert(0, "grouping", grouping)
    out.insert(0, "scope", scope)
    out["k"], out["n"] = out["k"].astype("Int64"), out["n"].astype("Int64")
    return out[FIGURE_COLUMNS]


def _question_differences(qa: pd.DataFrame, qb: pd.DataFrame) -> pd.DataFrame:
    from statsmodels.stats.proportion import confint_proportions_2indep

    both = pooled(qa).merge(pooled(qb), on="question", suffixes=("_a", "_b"))
    both = both[(both["n_a"] > 0) & (both["n_b"] > 0)]
    lo, hi = confint_proportions_2indep(both["k_a"].to_numpy(), both["n_a"].to_numpy(),
                                        both["k_b"].to_numpy(), both["n_b"].to_numpy(),
                                        method="newcomb", compare="diff", alpha=1 - LEVEL)
    sa, sb = both["k_a"] / both["n_a"], both["k_b"] / both["n_b"]
    return pd.DataFrame({"kind": QUESTION, "measure": both["question"].astype(str),
                         "share_a": sa, "share_b": sb, "difference": sa - sb,
                         "lower": np.asarray(lo, dtype=float),
                         "upper": np.asarray(hi, dtype=float), "interval": NEWCOMBE})


def _outcome_differences(qa: pd.DataFrame, qb: pd.DataFrame, ca: Counts,
                         cb: Counts) -> pd.DataFrame:
    ra, rb = outcome_replicates(ca, qa), outcome_replicates(cb, qb)
    pa, pb = outcome_score(qa), outcome_score(qb)
    rows = []
    for o in sorted(set(ra) & set(rb)):
        lo, hi = percentile(ra[o] - rb[o])
        rows.append({"kind": OUTCOME, "measure": str(o), "share_a": float(pa[o]),
                     "share_b": float(pb[o]), "difference": float(pa[o] - pb[o]),
                     "lower": lo, "upper": hi, "interval": BOOTSTRAP})
    return pd.DataFrame(rows)


def differences(a: Group, b: Group, questions: pd.DataFrame, ca: Counts,
                cb: Counts) -> pd.DataFrame:
    """Group a minus group b on every outcome and question both have cases for."""
    qa = questions[questions["area_id"].isin(a.areas)]
    qb = questions[questions["area_id"].isin(b.areas)]
    out = pd.concat([_outcome_differences(qa, qb, ca, cb), _question_differences(qa, qb)],
                    ignore_index=True)
    out.insert(0, "group_b", b.id)
    out.insert(0, "group_a", a.id)
    out.insert(0, "grouping", a.grouping)
    out["clear"] = (out["lower"] > 0) | (out["upper"] < 0)
    return out[DIFFERENCE_COLUMNS]


def pairs(groups: Sequence[Group]) -> list[tuple[Group, Group]]:
    """Every pair of groups of one grouping, each in areas.csv order."""
    return [(a, b) for i, a in enumerate(groups) for b in groups[i + 1:]
            if a.grouping == b.grouping]


def add_up(groups: Sequence[Group],
           counts: Iterable[tuple[str, Counts]]) -> tuple[Counts, dict[str, Counts]]:
    """Every area's counts added up, and each group's, reading one area's counts at a time
    (memory: one sum per group, whatever the number of areas)."""
    every: Counts | None = None
    sums: dict[str, Counts] = {}
    for area_id, c in counts:
        every = c if every is None else every + c
        for g in groups:
            if area_id in g.areas:
                sums[g.id] = sums[g.id] + c if g.id in sums else c
    if every is None:
        raise ValueError("no area's bootstrap counts")
    return every, sums


def group_tables(groups: Sequence[Group], questions: pd.DataFrame, every: Counts,
                 sums: dict[str, Counts]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``group_figures`` (all areas, then each group) and ``group_differences`` tables."""
    frames = [figures(ALL, "", "All areas", questions, every)]
    frames += [figures(g.id, g.grouping, g.label,
                       questions[questions["area_id"].isin(g.areas)], sums[g.id])
               for g in groups]
    diffs = [differences(a, b, questions, sums[a.id], sums[b.id]) for a, b in pairs(groups)]
    return (pd.concat(frames, ignore_index=True),
            pd.concat(diffs, ignore_index=True) if diffs
            else pd.DataFrame(columns=DIFFERENCE_COLUMNS))
