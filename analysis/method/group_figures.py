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
later one) is judged with the **areas as the unit**: an exact permutation test over the areas'
group labels (12 areas split six and six: all 924 labellings), its statistic the difference
shown. Areas differ from one another, so any two groups of areas differ by chance; shuffling
areas (not cases) puts that spread in the reference distribution. ``clear`` when the test
rejects at 5%; the 95% interval is the set of shifts the test does not reject, so it excludes
0 exactly when the difference is clear, and it includes the spread between areas. ``chance``
is the probability that a random split of the same areas would be marked clear on that measure
(at most 5%: its sum over the measures shown is the number chance alone would mark). Over all
462 six/six splits of the bundled areas, 4.9% of the 113 measures are marked clear on average
and the blocks 3.5% (4: the exact test guarantees at most 5% on average), but measures are not
independent: a split that happens to put the generally stronger areas together differs on many
measures at once (the largest 70%; 13% of splits mark more than 10%), and really does; areas
simulated from the fitted model without that shared level give 4.9%, largest 12%
(tests/test_group_figures.py, benchmarks/between_areas.py). ``q_value`` gives
Benjamini-Hochberg across a pair's measures. Groups are never ordered by their figures.

The group figures' own intervals (Wilson, case bootstrap) describe these areas' cases, the
areas held fixed: how well the group's figure is known, not how another set of areas grouped
the same way would score.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
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
                      "share_b", "difference", "lower", "upper", "interval", "p_value",
                      "chance", "n_areas_a", "n_areas_b", "labellings", "exact", "clear",
                      "q_value"]
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


ALPHA = 0.05
"""Size of the permutation test that makes a group difference clear."""
ENUMERATE_UP_TO = 20_000
"""Every labelling of the areas is enumerated when there are at most this many (12 areas split
six and six: 924); beyond, this many are drawn at random (seeded) with the observed one."""
PERMUTATION_SEED = 20140602
PERMUTATION = "permutation"


@functools.lru_cache(maxsize=64)
def labellings(areas: int, in_a: int) -> tuple[npt.NDArray[np.bool_], bool]:
    """Labellings of ``areas`` areas with ``in_a`` of them in group a (rows), the observed
    one (the first ``in_a``) first, and whether they are all of them. Read only."""
    total = math.comb(areas, in_a)
    if total <= ENUMERATE_UP_TO:
        rows = np.zeros((total, areas), dtype=bool)
        for r, chosen in enumerate(itertools.combinations(range(areas), in_a)):
            rows[r, list(chosen)] = True
        exact = True
    else:
        rng = np.random.default_rng(PERMUTATION_SEED)
        keys = rng.random((ENUMERATE_UP_TO - 1, areas))
        ranks = np.argsort(np.argsort(keys, axis=1), axis=1)
        rows = np.vstack([np.arange(areas) < in_a, ranks < in_a])
        exact = False
    rows.flags.writeable = False
    return rows, exact


def _group_shares(labels: npt.NDArray[np.bool_], k: Floats, n: Floats,
                  weight: Floats) -> tuple[Floats, Floats]:
    """For each labelling: the mean over questions of group a's pooled share minus group b's
    (the figure shown, as :func:`outcome_score` pools it), and the same with ``weight`` (the
    observed group-a indicator) in place of the shares: the slope of the statistic when
    group a's areas are shifted."""
    la, lb = labels.astype(float), (~labels).astype(float)

    def mean_share(lab: Floats, num: Floats) -> Floats:
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled = (lab @ num) / (lab @ n)
        ok = np.isfinite(pooled)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(ok, pooled, 0.0).sum(axis=1) / ok.sum(axis=1))

    nw = n * weight[:, None]
    with np.errstate(invalid="ignore"):
        stat = mean_share(la, k) - mean_share(lb, k)
        slope = mean_share(la, nw) - mean_share(lb, nw)
    return stat, slope


@dataclass(frozen=True)
class PermutationResult:
    """Group a minus group b with the areas as the unit: the difference, the permutation
    test's two-sided p-value, the interval of shifts it does not reject, the chance a random
    split of these areas would be marked clear, and the labellings used."""

    difference: float
    p_value: float
    lower: float
    upper: float
    chance: float
    labellings: int
    exact: bool


def permutation_test(k: Floats, n: Floats, in_a: npt.NDArray[np.bool_],
                     alpha: float = ALPHA) -> PermutationResult:
    """Exact permutation test of a group difference over the labels of the areas.

    ``k``, ``n``: areas by questions (one question, or an outcome's questions); ``in_a``:
    which areas are in group a. The statistic is the difference shown (group a's pooled
    figure minus group b's); its p-value is the share of labellings with the same group sizes
    whose statistic is at least as far from 0. Areas, not cases, are what is shuffled, so the
    spread between areas is in the reference distribution: an arbitrary split of areas that
    differ is not a difference made by what defines the groups.

    The interval inverts the test: the shifts delta (subtracted from each group-a area's
    shares) the test does not reject at ``alpha``, the connected set around the observed
    difference, found on a grid and refined by bisection (within [-1, 1]: a difference of
    shares). It excludes 0 exactly when the test rejects.
    """
    order = np.argsort(~in_a, kind="stable")       # group a first: the observed labelling
    kk, nn, a = k[order], n[order], in_a[order]
    labels, exact = labellings(int(a.size), int(a.sum()))
    stat, slope = _group_shares(labels, kk, nn, a.astype(float))
    observed = float(stat[0])

    def p_at(delta: Floats) -> Floats:
        far = np.abs(stat[None, :] - delta[:, None] * slope[None, :]) \
            >= np.abs(observed - delta)[:, None] - TOLERANCE
        return np.asarray(far.mean(axis=1))

    p_value = float(p_at(np.zeros(1))[0])
    grid = np.linspace(-1.0, 1.0, 401)
    kept = p_at(grid) > alpha
    ends = [_edge(p_at, observed, grid, kept, side, alpha) for side in (-1.0, 1.0)]
    chance = float((split_p_values(stat) <= alpha).mean())
    return PermutationResult(observed, p_value, ends[0], ends[1], chance, int(stat.size),
                             exact)


TOLERANCE = 1e-12
"""Statistics this close count as equal (sums of the same shares in another order)."""


def split_p_values(stat: Floats) -> Floats:
    """The permutation p-value each labelling would get were it the observed one: the share
    of labellings whose statistic is at least as far from 0 (NaN statistics, where a group
    has no case, are never as far). Their share at or below 5% is the chance that a random
    split of these areas is marked clear."""
    size = np.abs(np.where(np.isfinite(stat), stat, -np.inf))
    ranked = np.sort(size)
    at_least = ranked.size - np.searchsorted(ranked, size - TOLERANCE, side="left")
    return np.where(np.isfinite(stat), at_least / stat.size, 1.0)


def split_statistics(k: Floats, n: Floats, in_a: int) -> Floats:
    """The statistic of every labelling of these areas (``k``, ``n``: areas by questions)
    with ``in_a`` areas in group a, in :func:`labellings` order: what the checks over every
    split of the bundled areas read."""
    labels, _ = labellings(int(k.shape[0]), in_a)
    return _group_shares(labels, k, n, np.zeros(k.shape[0]))[0]


def _edge(p_at: Callable[[Floats], Floats], observed: float, grid: Floats,
          kept: npt.NDArray[np.bool_], side: float, alpha: float) -> float:
    """The end of the interval on one side of the observed difference: the first grid point
    rejected walking away from it, refined by bisection against the last one kept; ``side``
    (-1 or 1) when none is rejected."""
    away = side * (grid - observed) > 0
    points, ok = grid[away], kept[away]
    order = np.argsort(side * points)
    points, ok = points[order], ok[order]
    if ok.all():
        return side
    first = int(np.argmin(ok))
    inside = observed if first == 0 else float(points[first - 1])
    outside = float(points[first])
    for _ in range(40):
        mid = (inside + outside) / 2.0
        if p_at(np.array([mid]))[0] > alpha:
            inside = mid
        else:
            outside = mid
    return inside


def _matrices(questions: pd.DataFrame, areas: Sequence[str]) -> tuple[pd.DataFrame,
                                                                        pd.DataFrame]:
    """k and n by area (rows, in ``areas`` order) and question (columns)."""
    q = questions.drop_duplicates(["area_id", "question"])
    k = q.pivot(index="area_id", columns="question", values="k")
    n = q.pivot(index="area_id", columns="question", values="n")
    return (k.reindex(list(areas)).fillna(0).astype(float),
            n.reindex(list(areas)).fillna(0).astype(float))


def differences(a: Group, b: Group, questions: pd.DataFrame) -> pd.DataFrame:
    """Group a minus group b on every outcome and question both have cases for, with the
    areas as the unit (:func:`permutation_test`); ``q_value``: Benjamini-Hochberg across
    this pair's measures (statsmodels), for a reader who wants the rate of false clear
    differences among those shown."""
    from statsmodels.stats.multitest import multipletests

    areas = [x for x in (*a.areas, *b.areas) if x in set(questions["area_id"])]
    k_all, n_all = _matrices(questions, areas)
    in_a = np.array([x in a.areas for x in areas])
    measures: list[tuple[str, str, list[str]]] = []
    by_outcome = questions.drop_duplicates(["outcome", "question"])
    for outcome, sub in by_outcome.groupby("outcome", sort=True):
        measures.append((OUTCOME, str(outcome), list(sub["question"])))
    measures += [(QUESTION, str(q), [q]) for q in dict.fromkeys(by_outcome["question"])]
    rows = []
    for kind, measure, cols in measures:
        n = n_all[cols].to_numpy()
        applied = n.sum(axis=1) > 0
        if not (applied & in_a).any() or not (applied & ~in_a).any():
            continue
        k = k_all[cols].to_numpy()[applied]
        n = n[applied]
        r = permutation_test(k, n, in_a[applied])
        ka, na = k[in_a[applied]].sum(axis=0), n[in_a[applied]].sum(axis=0)
        kb, nb = k[~in_a[applied]].sum(axis=0), n[~in_a[applied]].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            share_a = float(np.nanmean(np.where(na > 0, ka / np.maximum(na, 1), np.nan)))
            share_b = float(np.nanmean(np.where(nb > 0, kb / np.maximum(nb, 1), np.nan)))
        rows.append({"kind": kind, "measure": measure, "share_a": share_a, "share_b": share_b,
                     "difference": r.difference, "lower": r.lower, "upper": r.upper,
                     "interval": PERMUTATION, "p_value": r.p_value, "chance": r.chance,
                     "n_areas_a": int((applied & in_a).sum()),
                     "n_areas_b": int((applied & ~in_a).sum()),
                     "labellings": r.labellings, "exact": r.exact})
    out = pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS[3:])
    out["clear"] = out["p_value"] < ALPHA
    out["q_value"] = (multipletests(out["p_value"].to_numpy(dtype=float), method="fdr_bh")[1]
                      if len(out) else pd.Series(dtype=float))
    out.insert(0, "group_b", b.id)
    out.insert(0, "group_a", a.id)
    out.insert(0, "grouping", a.grouping)
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
    diffs = [differences(a, b, questions) for a, b in pairs(groups)]
    return (pd.concat(frames, ignore_index=True),
            pd.concat(diffs, ignore_index=True) if diffs
            else pd.DataFrame(columns=DIFFERENCE_COLUMNS))
