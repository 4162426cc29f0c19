"""The cross-area tables: pooled figures, means of area figures and every comparison.

- *pooled* over cases: sum of k over areas / sum of n over areas; each case counts once, so
  large areas weigh more. A pooled outcome score is the mean of the pooled question shares.
- *mean of area figures*: each area counts once whatever its sample size.
- every comparison of an area with all areas is decided in :mod:`analysis.method.positions`
  and written as the ``comparisons`` table (with ``dispersion``, one row per measure: the
  spread between areas fitted, and ``funnel_limits``, the limits each question was decided by
  at every n its chart draws). An outcome's decision reads the areas' bootstrap replicates,
  rebuilt here from their ``bootstrap_counts`` (:func:`outcome_replicates`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from . import group_figures, positions
from .intervals import share, wilson


def concat(tables: Mapping[str, Mapping[str, pd.DataFrame]], name: str) -> pd.DataFrame:
    """One table across areas from each area's table of that name."""
    every = [t[name] for t in tables.values() if name in t]
    frames = [f for f in every if len(f)] or every[:1]  # all empty: keep the columns
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def pooled_questions(questions: pd.DataFrame) -> pd.DataFrame:
    """Per question (and outcome it feeds): pooled k/n with Wilson interval, mean of shares."""
    grouped = questions.groupby(["outcome", "criterion", "question", "label", "key", "order"],
                                as_index=False, sort=False)
    out = grouped.agg(k=("k", "sum"), n=("n", "sum"), mean_of_areas=("share", "mean"),
                      n_areas=("share", "count"))
    out["pooled"] = share(out["k"], out["n"])
    out["lower"], out["upper"] = wilson(out["k"], out["n"])
    return out.sort_values(["outcome", "order"]).reset_index(drop=True)


def pooled_outcomes(pooled_q: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: pooled score (mean of pooled question shares) and mean of area scores."""
    pooled = (pooled_q[pooled_q["n"] > 0].groupby("outcome", as_index=False)
              .agg(pooled=("pooled", "mean"), n_questions=("pooled", "count")))
    means = outcomes.groupby(["outcome", "title"], as_index=False).agg(
        mean_of_areas=("score", "mean"), n_areas=("score", "count"))
    out = means.merge(pooled, on="outcome", how="left")
    out["n_questions"] = out["n_questions"].fillna(0).astype(int)  # none answered: 0, not NaN
    return out


def _criterion_groups(counts: group_figures.Counts,
                      questions: pd.DataFrame) -> dict[int, list[list[int]]]:
    """One area's outcomes that can be scored in its resamples: the columns of ``counts`` of
    each outcome's questions that applied in the area, grouped by criterion in bank order."""
    applied = questions[questions["n"] > 0]
    out = {}
    for outcome, sub in applied.groupby("outcome"):
        groups = _by_criterion(counts.questions, sub)
        if groups:
            out[int(outcome)] = groups
    return out


def _by_criterion(columns: Sequence[str], applied: pd.DataFrame) -> list[list[int]]:
    """The positions in ``columns`` of the questions of ``applied`` (rows of one outcome's
    questions that applied), grouped by criterion in the order of ``columns``."""
    criterion = dict(zip(applied["question"], applied["criterion"], strict=False))
    groups: dict[str, list[int]] = {}
    for j, q in enumerate(columns):
        if q in criterion:
            groups.setdefault(str(criterion[q]), []).append(j)
    return list(groups.values())


@runtime_checkable
class ColumnReader(Protocol):
    """An area's tables that can read only some columns of a table from disk."""

    def select(self, name: str, keep: Callable[[str], bool]) -> pd.DataFrame:
        """The columns of table ``name`` that ``keep`` accepts, in the table's order."""
        ...


def _columns(tables: Mapping[str, pd.DataFrame], name: str,
             keep: Callable[[str], bool]) -> pd.DataFrame:
    """Some columns of an area's table, in the table's order: read alone where the tables
    are on disk (an outcome's resample counts are a fifth of an area's)."""
    if isinstance(tables, ColumnReader):
        return tables.select(name, keep)
    frame = tables[name]
    return frame[[c for c in frame.columns if keep(c)]]


def _counts_of(questions: set[str]) -> Callable[[str], bool]:
    """Which columns of a ``bootstrap_counts`` table hold these questions' k and n."""
    return lambda column: column[:2] in ("k:", "n:") and column[2:] in questions


class OutcomeReplicates(Mapping[int, positions.Replicates]):
    """Each outcome's bootstrap replicates over some areas, made when asked for and not kept:
    every area's score in each of its resamples (by the reading it was scored with,
    :func:`analysis.method.scoring.combine`, the rule of its point estimate and interval) and
    the all-areas score of resample b. The areas' bootstrap counts are read again for each
    outcome, so the cross-area step holds one outcome's replicates (areas x resamples) at a
    time, not every outcome's: its memory grows less with the number of areas. Only the
    outcome's own questions' counts are read."""

    def __init__(self, tables: Mapping[str, Mapping[str, pd.DataFrame]],
                 questions: pd.DataFrame, readings: Mapping[str, str],
                 pooled: Mapping[int, np.ndarray], outcomes: Sequence[int]) -> None:
        self.tables, self.readings, self.pooled = tables, readings, pooled
        self.rows = questions.groupby("area_id", sort=False).indices
        self.questions = questions
        self.outcomes = [o for o in outcomes if o in pooled]

    def _mine(self, area_id: str) -> pd.DataFrame:
        return self.questions.iloc[self.rows.get(area_id, [])]

    def __getitem__(self, outcome: int) -> positions.Replicates:
        from .scoring import combine

        if outcome not in self.outcomes:
            raise KeyError(outcome)
        areas: list[str] = []
        scores: np.ndarray | None = None  # a row an area; rows never reached never touched
        for area_id, t in self.tables.items():
            mine = self._mine(area_id)
            applied = mine[(mine["outcome"] == outcome) & (mine["n"] > 0)]
            wanted = set(applied["question"])
            if not wanted:
                continue
            counts = group_figures.Counts.from_table(_columns(
                t, "bootstrap_counts", _counts_of(wanted)))
            groups = _by_criterion(counts.questions, applied)
            if groups:
                row = combine(counts.k.astype(float), counts.n.astype(float), groups,
                              str(self.readings.get(area_id, "questions")))
                if scores is None:
                    scores = np.empty((len(self.tables), row.size))
                scores[len(areas)] = row
                areas.append(area_id)
        if scores is None:
            raise ValueError(f"no area has replicates of outcome {outcome}")
        return positions.Replicates(tuple(areas), scores[:len(areas)], self.pooled[outcome])

    def __iter__(self) -> Iterator[int]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)


def outcome_replicates(tables: Mapping[str, Mapping[str, pd.DataFrame]],
                       questions: pd.DataFrame,
                       outcomes: pd.DataFrame) -> OutcomeReplicates | None:
    """Each outcome's bootstrap replicates over these areas (:class:`OutcomeReplicates`); the
    all-areas score of resample b is summed over every area's resample b
    (:func:`analysis.method.group_figures.outcome_replicates`), in one pass that holds one
    area's counts at a time. None when an area has no resample counts (tables made by hand)."""
    every: group_figures.Counts | None = None
    scored: dict[int, None] = {}
    readings = outcomes.drop_duplicates("area_id").set_index("area_id")["reading"] \
        if "reading" in outcomes else pd.Series(dtype=str)
    rows = questions.groupby("area_id", sort=False).indices
    for area_id, t in tables.items():
        frame = t.get("bootstrap_counts")
        if frame is None or frame.empty:
            return None
        counts = group_figures.Counts.from_table(frame)
        every = counts if every is None else every + counts
        scored.update(dict.fromkeys(_criterion_groups(counts,
                                                      questions.iloc[rows.get(area_id, [])])))
    if every is None:
        return None
    return OutcomeReplicates(tables, questions, readings.astype(str).to_dict(),
                             group_figures.outcome_replicates(every, questions), list(scored))


#: Area tables the cross-area tables stack over areas and make nothing else from.
STACKED = ("factors", "distributions")


def decided_tables(tables: Mapping[str, Mapping[str, pd.DataFrame]],
                   scope: str = "all") -> dict[str, pd.DataFrame]:
    """The cross-area tables made from the areas' question and outcome scores (the stacked
    scores themselves among them): :func:`comparison_tables` without the tables of
    :data:`STACKED`, which a build writes area by area instead of holding them stacked."""
    questions = concat(tables, "question_scores")
    outcomes = concat(tables, "outcome_scores")
    pooled_q = pooled_questions(questions)
    pooled_o = pooled_outcomes(pooled_q, outcomes)
    decided, dispersion = positions.comparisons(
        questions, outcomes, pooled_o.set_index("outcome")["pooled"],
        outcome_replicates(tables, questions, outcomes))
    return {
        "question_scores": questions,
        "outcome_scores": outcomes,
        "pooled_questions": pooled_q,
        "pooled_outcomes": pooled_o,
        "comparisons": decided.assign(scope=scope)[["scope", *decided.columns]],
        "dispersion": dispersion,
        "funnel_limits": positions.limit_curves(decided, dispersion),
    }


def comparison_tables(tables: Mapping[str, Mapping[str, pd.DataFrame]],
                      scope: str = "all") -> dict[str, pd.DataFrame]:
    """Every cross-area table over the areas given, as written to ``outputs/tables`` (every
    area, ``scope`` "all") or to a group's tables (its areas, ``scope`` the group id: each
    area is then compared with its group)."""
    made = decided_tables(tables, scope)
    scores = {n: made.pop(n) for n in ("question_scores", "outcome_scores")}
    return {**scores, **{n: concat(tables, n) for n in STACKED}, **made}
