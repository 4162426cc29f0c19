"""The cross-area tables: pooled figures, means of area figures and every comparison.

- *pooled* over cases: sum of k over areas / sum of n over areas; each case counts once, so
  large areas weigh more. A pooled outcome score is the mean of the pooled question shares.
- *mean of area figures*: each area counts once whatever its sample size.
- every comparison of an area with all areas is decided in :mod:`analysis.method.positions`
  and written as the ``comparisons`` table (with ``dispersion``, one row per question, and
  ``funnel_limits``, the limits each question was decided by at every n its chart draws).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from . import positions
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


def comparison_tables(tables: Mapping[str, Mapping[str, pd.DataFrame]],
                      scope: str = "all") -> dict[str, pd.DataFrame]:
    """Every cross-area table over the areas given, as written to ``outputs/tables`` (every
    area, ``scope`` "all") or to a group's tables (its areas, ``scope`` the group id: each
    area is then compared with its group)."""
    questions = concat(tables, "question_scores")
    outcomes = concat(tables, "outcome_scores")
    pooled_q = pooled_questions(questions)
    pooled_o = pooled_outcomes(pooled_q, outcomes)
    decided, dispersion = positions.comparisons(questions, outcomes,
                                                  pooled_o.set_index("outcome")["pooled"])
    return {
        "all_question_scores": questions,
        "all_outcome_scores": outcomes,
        "all_factors": concat(tables, "factors"),
        "all_distributions": concat(tables, "distributions"),
        "pooled_questions": pooled_q,
        "pooled_outcomes": pooled_o,
        "comparisons": decided.assign(scope=scope)[["scope", *decided.columns]],
        "dispersion": dispersion,
        "funnel_limits": positions.limit_curves(decided, dispersion),
    }
