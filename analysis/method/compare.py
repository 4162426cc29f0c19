"""Comparing areas: pooled figures, means of area figures, funnel flags and over-dispersion.

- *pooled* over cases: sum of k over areas / sum of n over areas; each case counts once, so
  large areas weigh more. A pooled outcome score is the mean of the pooled question shares.
- *mean of area figures*: each area counts once whatever its sample size.
- question figures are flagged against exact-binomial funnel limits around the pooled share
  (Spiegelhalter 2005); when the areas are over-dispersed (FunnelPlotR's rule, I·phi > I - 1)
  the additive random-effects limits are used for the adjusted flag as well;
- an outcome score, a mean of correlated shares, has no binomial funnel: it is flagged when the
  pooled score lies outside the area's bootstrap 95% interval.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import funnel
from .intervals import share, wilson

#: The columns of the funnel tables, kept when no question is answered in any area.
FLAG_COLUMNS = ("area_id", "k", "n", "share", "z", "lower95", "upper95", "lower998", "upper998",
                "p_upper", "p_lower", "flag", "question", "pooled", "adj_lower95",
                "adj_upper95", "flag_adjusted")
DISPERSION_COLUMNS = ("question", "pooled", "n_areas", "phi", "tau2", "dispersed", "outside95")


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


def question_funnels(questions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Funnel flags of every area on every scoring question, and over-dispersion per question.

    Returns (flags: one row per area and question; dispersion: one row per question).
    """
    unique = questions.drop_duplicates(["area_id", "question"])
    flag_rows = []
    disp_rows = []
    for qid, sub in unique.groupby("question", sort=False):
        sub = sub[sub["n"] > 0]
        if len(sub) == 0:
            continue
        k = sub["k"].to_numpy(dtype=float)
        n = sub["n"].to_numpy(dtype=float)
        target = funnel.pooled_share(k, n)
        table = funnel.funnel_table(k, n, sub["area_id"].to_numpy(), target=target)
        phi = tau2 = np.nan
        dispersed = False
        if len(sub) >= 2 and 0 < target < 1:
            od = funnel.overdispersion(k, n, target=target)
            phi, tau2, dispersed = od.phi, od.tau2, od.dispersed
            lo95 = funnel.adjusted_limits(target, n, od, -funnel.Z95)
            hi95 = funnel.adjusted_limits(target, n, od, funnel.Z95)
        else:
            lo95 = table["lower95"].to_numpy()
            hi95 = table["upper95"].to_numpy()
        shares = table["share"].to_numpy()
        adjusted = np.where(shares > hi95, "above 95%", np.where(shares < lo95, "below 95%",
                                                                   "within"))
        table = table.rename(columns={"label": "area_id"})
        table["question"] = qid
        table["pooled"] = target
        table["adj_lower95"] = lo95
        table["adj_upper95"] = hi95
        table["flag_adjusted"] = adjusted if dispersed else table["flag"]
        if not dispersed:  # no adjustment: the adjusted limits are the plain exact ones
            table["adj_lower95"] = table["lower95"]
            table["adj_upper95"] = table["upper95"]
        flag_rows.append(table)
        disp_rows.append({"question": qid, "pooled": target, "n_areas": len(sub), "phi": phi,
                          "tau2": tau2, "dispersed": bool(dispersed),
                          "outside95": int((table["flag"] != "within").sum())})
    if not flag_rows:  # no question answered anywhere: empty tables that keep their columns
        return (pd.DataFrame(columns=[*FLAG_COLUMNS]),
                pd.DataFrame(columns=[*DISPERSION_COLUMNS]))
    return pd.concat(flag_rows, ignore_index=True), pd.DataFrame(disp_rows)


def outcome_flags(outcomes: pd.DataFrame, pooled_o: pd.DataFrame) -> pd.DataFrame:
    """Flag an area's outcome score when the pooled score is outside its bootstrap interval."""
    merged = outcomes.merge(pooled_o[["outcome", "pooled"]], on="outcome", how="left")
    merged["flag"] = np.where(merged["pooled"] < merged["lower"], "above interval",
                              np.where(merged["pooled"] > merged["upper"], "below interval",
                                       "within"))
    return merged


def comparison_tables(tables: Mapping[str, Mapping[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Every cross-area table, as written to ``outputs/tables`` and read by the notebooks."""
    questions = concat(tables, "question_scores")
    outcomes = concat(tables, "outcome_scores")
    pooled_q = pooled_questions(questions)
    pooled_o = pooled_outcomes(pooled_q, outcomes)
    flags, dispersion = question_funnels(questions)
    return {
        "all_question_scores": questions,
        "all_outcome_scores": outcome_flags(outcomes, pooled_o),
        "all_factors": concat(tables, "factors"),
        "all_distributions": concat(tables, "distributions"),
        "pooled_questions": pooled_q,
        "pooled_outcomes": pooled_o,
        "funnel_flags": flags,
        "dispersion": dispersion,
    }
