"""One decision for every comparison of an area with all areas, written as one table.

Every comparison a report shows (each question and each outcome of each area against all
areas, or against its group in a group's tables) is decided here and nowhere else; chapters,
charts, alt text and CSVs read the table.

The model is :mod:`analysis.method.between_areas`: areas differ from one another, by an amount
estimated from the areas themselves, and an area is compared with the spread of a *new* area of
its size around the all-areas figure (a beta-binomial for a question, normal for an outcome
score, whose within-area variance is its case bootstrap's). The area is flagged (``decision``
"above" or "below") when its figure lies beyond the **99.8%** predictive limits, that is when the
exact tail probability is below 0.1% on its side; ``lower`` and ``upper`` are those limits, so
``decision`` always follows from ``share``, ``lower`` and ``upper``. A question is never flagged
where the exact binomial test at the all-areas figure (no spread between areas) would not flag
it. ``beyond_95`` says the same at 95%, the inner curves of the funnel charts.

Why 99.8% and not Benjamini-Hochberg across the area's key questions: simulated from the
fitted model, both keep false flags rare across the 39 key questions of an area (at least one
in 2.8% and 1.9% of areas), and both find a key question 30 points worse about as often (2.7%
and 2.2% of data sets: areas' true shares differ by about 13 points, so 30 points is not
unusual among them); 99.8% limits can be drawn (the chart shows the rule that decided), apply
unchanged to the other 69 questions and to the outcomes, and say the same of an area whatever
its other questions show (benchmarks/between_areas.py prints the rates; the method appendix,
``chapters/wording/methods.yaml``, says so).

Beside the flag, for every area and measure: the gap to the all-areas figure in points with a
95% interval, in cases for a question (k - n p0: negative means that many fewer cases done
well enough than the all-areas rate would give), the shrunken (empirical Bayes) estimate with
its 95% interval, and P(theta_i < p0), the probability that the area's true figure is below the
all-areas figure. For outcomes, the Monte Carlo standard error of the decision's margin (how far
the score is beyond, or inside, its limits), and ``borderline`` where the margin is within three
of them (the bootstrap's own noise could change the decision).

``scipy.stats`` is imported by the functions that compute, not with this module: the import
takes about a second and a half, and the chapters of an area report (a kernel's first import)
only read the decided table.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import between_areas as model

LEVEL = 0.998
"""The level of the one flag (two-sided): a flag has at most a 1 in 500 chance of being made
when the area is no more unusual than areas are."""
INNER = 0.95
"""The inner level, drawn on funnels and given as ``beyond_95``."""
GAP_LEVEL = 0.95
"""The level of every interval (gap, shrunken estimate, the area's own figure)."""
BORDERLINE_SE = 3.0
"""A decision is borderline when its margin is within this many Monte Carlo standard errors."""
MC_RESAMPLES = 200
"""Resamples of the bootstrap replicates that give the Monte Carlo standard errors."""
MC_SEED = 20140527

ABOVE, BELOW, WITHIN = "above", "below", "within"
WORDS = {ABOVE: "unusually high among areas", BELOW: "unusually low among areas",
         WITHIN: "within the usual range of areas"}
"""The decision in words, always from the area's side. It says what was tested (is the area
unusual among areas that differ from one another?), never "no different": a 30-point gap can be
within the range areas span. Chapters should print the gap (``gap`` and its interval) beside it;
the lead's report model words the rest."""
BINOMIAL, BETA_BINOMIAL, NORMAL = "binomial", "beta-binomial", "normal"
"""The ``limits`` column: exact binomial (no spread between areas found), beta-binomial
(a question with spread between areas), normal (an outcome: bootstrap variance and spread)."""
QUESTION, OUTCOME = "question", "outcome"

COLUMNS = ["area_id", "measure", "kind", "k", "n", "share", "share_lower", "share_upper",
           "pooled", "gap", "gap_lower", "gap_upper", "gap_cases", "gap_cases_lower",
           "gap_cases_upper", "shrunk", "shrunk_lower", "shrunk_upper", "p_below", "p_value",
           "lower", "upper", "lower_95", "upper_95", "limits", "decision", "beyond_95",
           "margin", "margin_mc_se", "borderline", "chance"]
FLOATS = ["share", "share_lower", "share_upper", "pooled", "gap", "gap_lower", "gap_upper",
          "gap_cases", "gap_cases_lower", "gap_cases_upper", "shrunk", "shrunk_lower",
          "shrunk_upper", "p_below", "p_value", "lower", "upper", "lower_95", "upper_95",
          "margin", "margin_mc_se", "chance"]

Float = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- limits


def plain_limits(p0: npt.ArrayLike, n: npt.ArrayLike) -> tuple[Float, Float]:
    """Exact binomial 95% limits at n as steps half a case inside the first flagged counts
    (2.5% each side): the between-area model with no spread between areas (rho = 0) and the
    spread known."""
    return model.step_limits(p0, 0.0, n, (1.0 - INNER) / 2.0)


def decide(share: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> npt.NDArray:
    """above when share > upper, below when share < lower, otherwise within (strict)."""
    s = np.asarray(share, dtype=float)
    return np.where(s > np.asarray(upper), ABOVE,
                    np.where(s < np.asarray(lower), BELOW, WITHIN))


def margin(share: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> Float:
    """How far a figure lies beyond its limits (positive: flagged) or inside them (negative),
    in share units (an outcome's is read from its limits before they are clipped to
    [0, 1]: :class:`OutcomeDecisions`)."""
    s = np.asarray(share, dtype=float)
    return np.asarray(np.maximum(s - np.asarray(upper), np.asarray(lower) - s))


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class QuestionDecisions:
    """Questions decided, rows (questions, or simulated data sets) by areas (n = 0: none)."""

    fit: model.SpreadFit
    upper_tail: Float
    lower_tail: Float
    p_value: Float
    lower: Float
    upper: Float
    lower_95: Float
    upper_95: Float
    decision: npt.NDArray[np.str_]
    beyond_95: npt.NDArray[np.str_]


def decide_questions(k: npt.ArrayLike, n: npt.ArrayLike, winsor: float = model.WINSOR,
                     plain: bool = False) -> QuestionDecisions:
    """The between-area fit, tail probabilities, limits and decisions, vectorised over rows.

    ``k`` (R, I) or (I,), ``n`` broadcast to it. The same function decides the report's table
    (one row per question) and the null simulations of the tests and benchmarks, so what is
    tested is what is shown. Each side's exact tail probability is read on the t scale of
    :func:`analysis.method.between_areas.adjusted_tail` (the spread is estimated from these I
    areas); p_value is twice the smaller side, so ``decision`` is p_value < 1 - LEVEL and
    ``beyond_95`` p_value < 5%.
    ``winsor`` 0 fits rho without Winsorising (the benchmarks compare the two); ``plain``
    also records that fit (``fit.rho_plain``, for the dispersion table).
    """
    kk = np.atleast_2d(np.asarray(k, dtype=float))
    nn = np.broadcast_to(np.asarray(n, dtype=float), kk.shape)
    fit = model.fit_rho(kk, nn, winsor, plain)
    pooled = np.nan_to_num(fit.pooled, nan=0.0)
    areas = (nn > 0).sum(axis=1)[:, None]
    n_safe = np.where(nn > 0, nn, 1.0)
    upper_tail, lower_tail, (outer, inner) = model.tails_and_limits(
        kk, n_safe, pooled, fit.rho, [model.adjusted_tail(level, areas)
                                      for level in (LEVEL, INNER)])
    p_value = np.minimum(1.0, 2.0 * np.minimum(model.calibrated_p(upper_tail, areas),
                                               model.calibrated_p(lower_tail, areas)))
    share = kk / n_safe
    return QuestionDecisions(fit, upper_tail, lower_tail, p_value, *outer, *inner,
                             decide(share, *outer), decide(share, *inner))


def gap_interval(k: Float, n: Float, level: float = GAP_LEVEL) -> tuple[Float, Float]:
    """95% interval of the gap p_i - p0 of each area of one question (arrays of its areas).

    p_i - p0 = (1 - w_i)(p_i - p_r) exactly, where w_i = n_i / N and p_r is the share of the
    other areas' cases, independent of the area's: Newcombe's hybrid score interval of
    p_i - p_r (statsmodels' ``confint_proportions_2indep(method="newcomb")``) scaled by
    1 - w_i. It covers the gap to the all-areas rate of these areas' cases (the areas held
    fixed: the gap of this area, not of a typical one). NaN for a single area.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    total_k, total_n = k.sum(), n.sum()
    rest_n = total_n - n
    ok = (n > 0) & (rest_n > 0)
    lower = np.full(k.shape, np.nan)
    upper = np.full(k.shape, np.nan)
    if ok.any():
        lo, hi = confint_proportions_2indep(k[ok], n[ok], total_k - k[ok], rest_n[ok],
                                            method="newcomb", compare="diff",
                                            alpha=1.0 - level)
        scale = rest_n[ok] / total_n
        lower[ok], upper[ok] = scale * np.asarray(lo), scale * np.asarray(hi)
    return lower, upper


def _question_frames(questions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """k and n as questions (rows, in order of first appearance) by areas; n = 0 where a
    question did not apply in an area (or the area has no row for it)."""
    unique = questions.drop_duplicates(["area_id", "question"])
    qids = list(dict.fromkeys(unique["question"]))
    areas = list(dict.fromkeys(unique["area_id"]))
    k = unique.pivot(index="question", columns="area_id", values="k")
    n = unique.pivot(index="question", columns="area_id", values="n")
    return (k.reindex(index=qids, columns=areas).fillna(0).astype(float),
            n.reindex(index=qids, columns=areas).fillna(0).astype(float))


TABLE_CELLS = 1 << 17
"""At most this many (question, area, count) cells in one tail table: questions are decided
in chunks of rows so that the cross-area step's memory does not grow with areas x questions
x sample size (each row is decided on its own, so chunking changes no figure)."""


def row_chunks(rows: int, width: int) -> Iterator[slice]:
    """Slices of ``rows`` rows whose tables of ``width`` cells a row hold at most
    :data:`TABLE_CELLS` cells (one row at least)."""
    step = max(1, TABLE_CELLS // max(width, 1))
    for start in range(0, rows, step):
        yield slice(start, min(start + step, rows))


def _question_rows(questions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Comparison rows and dispersion rows of every question (areas with n > 0), decided in
    chunks of questions (:func:`row_chunks`)."""
    k_frame, n_frame = _question_frames(questions)
    if k_frame.empty or not (n_frame.to_numpy() > 0).any():
        return pd.DataFrame(columns=COLUMNS), pd.DataFrame(columns=DISPERSION_COLUMNS)
    k, n = k_frame.to_numpy(), n_frame.to_numpy()
    keep = n.sum(axis=1) > 0
    qids, k, n = k_frame.index[keep], k[keep], n[keep]
    areas = np.asarray(k_frame.columns)
    rows: list[pd.DataFrame] = []
    disp_rows: list[dict[str, object]] = []
    top = int(n.max())
    for part in row_chunks(len(qids), n.shape[1] * (top + 1)):
        more, disp = _question_chunk(qids[part], areas, k[part], n[part], top)
        rows += more
        disp_rows += disp
    return (pd.concat(rows, ignore_index=True),
            pd.DataFrame(disp_rows, columns=DISPERSION_COLUMNS))


def _question_chunk(qids: pd.Index, areas: npt.NDArray[np.object_], k: Float, n: Float,
                    top: int) -> tuple[list[pd.DataFrame], list[dict[str, object]]]:
    """The comparison rows (a frame per question) and dispersion rows of some questions:
    ``k``, ``n`` questions by areas; ``top`` the largest n of every question."""
    from .intervals import wilson

    d = decide_questions(k, n, plain=True)
    pooled = d.fit.pooled
    statistic, p_disp = model.pearson(k, n, pooled)
    chance = model.beyond_chance(pooled[:, None], d.fit.rho[:, None], np.maximum(n, 1.0),
                                 (1.0 - LEVEL) / 2.0, top)
    shrunk = model.shrink_shares(k, n, pooled[:, None], d.fit.rho[:, None], GAP_LEVEL)
    rows, disp_rows = [], []
    for r, qid in enumerate(qids):
        on = n[r] > 0
        kr, nr = k[r][on], n[r][on]
        share = kr / nr
        s_lo, s_hi = wilson(kr, nr)
        g_lo, g_hi = gap_interval(kr, nr)
        gap = share - pooled[r]
        used = BETA_BINOMIAL if d.fit.rho[r] > 0 else BINOMIAL
        rows.append(pd.DataFrame({
            "area_id": areas[on], "measure": str(qid), "kind": QUESTION,
            "k": kr.astype(int), "n": nr.astype(int), "share": share, "share_lower": s_lo,
            "share_upper": s_hi, "pooled": pooled[r], "gap": gap, "gap_lower": g_lo,
            "gap_upper": g_hi, "gap_cases": gap * nr, "gap_cases_lower": g_lo * nr,
            "gap_cases_upper": g_hi * nr, "shrunk": shrunk.mean[r][on],
            "shrunk_lower": shrunk.lower[r][on], "shrunk_upper": shrunk.upper[r][on],
            "p_below": shrunk.p_below[r][on], "p_value": d.p_value[r][on],
            "lower": d.lower[r][on], "upper": d.upper[r][on], "lower_95": d.lower_95[r][on],
            "upper_95": d.upper_95[r][on], "limits": used, "decision": d.decision[r][on],
            "beyond_95": d.beyond_95[r][on],
            "margin": margin(share, d.lower[r][on], d.upper[r][on]), "margin_mc_se": 0.0,
            "borderline": False, "chance": chance[r][on]}))
        disp_rows.append({
            "measure": str(qid), "kind": QUESTION, "pooled": pooled[r],
            "n_areas": int(on.sum()), "statistic": statistic[r], "df": int(on.sum()) - 1,
            "p_value": p_disp[r], "dispersed": bool(p_disp[r] < 0.05), "rho": d.fit.rho[r],
            "rho_plain": d.fit.rho_plain[r], "tau2": math.nan,
            "spread": float(d.fit.spread[r]), "limits": used,
            "outside": int((d.decision[r][on] != WITHIN).sum()),
            "outside_95": int((d.beyond_95[r][on] != WITHIN).sum()),
            "chance_flags": float(chance[r][on].sum())})
    return rows, disp_rows


#: The dispersion table's columns, one row per measure (kept when no measure has rows).
DISPERSION_COLUMNS = ["measure", "kind", "pooled", "n_areas", "statistic", "df", "p_value",
                      "dispersed", "rho", "rho_plain", "tau2", "spread", "limits", "outside",
                      "outside_95", "chance_flags"]


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Replicates:
    """An outcome's case-bootstrap replicates in one scope: each area's score (areas by
    resamples, in ``areas`` order) and the all-areas score, resample b of every area together
    (a bootstrap that resamples cases within each area)."""

    areas: tuple[str, ...]
    scores: Float
    pooled: Float


@dataclass(frozen=True)
class OutcomeDecisions:
    """Outcome scores of I areas decided, rows (outcomes or simulated data sets) by areas."""

    tau2: Float
    p_value: Float
    lower: Float
    upper: Float
    lower_95: Float
    upper_95: Float
    decision: npt.NDArray[np.str_]
    beyond_95: npt.NDArray[np.str_]
    margin: Float


def outcome_half_width(v: npt.ArrayLike, tau2: npt.ArrayLike, level: float,
                       areas: npt.ArrayLike) -> Float:
    """t sqrt(v_i + tau2): how far from the all-areas score an outcome's limits lie."""
    return np.asarray(model.t_quantile(level, areas)
                      * np.sqrt(np.asarray(v, dtype=float) + np.asarray(tau2, dtype=float)))


def outcome_limits(centre: npt.ArrayLike, v: npt.ArrayLike, tau2: npt.ArrayLike,
                   level: float, areas: npt.ArrayLike) -> tuple[Float, Float]:
    """centre -+ t sqrt(v_i + tau2), t on I - 2 degrees of freedom
    (:func:`analysis.method.between_areas.t_quantile`), clipped to [0, 1]: where an area with
    this bootstrap variance falls with probability ``level`` when it is no more unusual than
    areas are, the spread known only from I areas (a limit clipped to 1 no score can pass)."""
    half = outcome_half_width(v, tau2, level, areas)
    c = np.asarray(centre, dtype=float)
    return np.clip(c - half, 0.0, 1.0), np.clip(c + half, 0.0, 1.0)


def decide_outcomes(y: npt.ArrayLike, v: npt.ArrayLike,
                    centre: npt.ArrayLike) -> OutcomeDecisions:
    """tau2 fitted, two-sided p-values and limits on the t scale, vectorised over rows as
    :func:`decide_questions` is. ``y``, ``v`` (R, I), NaN for an area without a score;
    ``centre`` (R,). Decided by the p-value, which is the same as by the limits before they
    are clipped to [0, 1] (simulated scores may pass 1; real ones cannot)."""
    from scipy import stats

    yy = np.atleast_2d(np.asarray(y, dtype=float))
    vv = np.atleast_2d(np.asarray(v, dtype=float))
    c = np.asarray(centre, dtype=float).reshape(-1, 1)
    tau2 = model.fit_tau2(yy, vv, c.ravel())
    sd = np.sqrt(vv + tau2[:, None])
    areas = (np.isfinite(yy) & np.isfinite(vv)).sum(axis=1)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        p_value = 2.0 * stats.t.sf(np.abs(yy - c) / sd, model.prediction_df(areas))
    # no bootstrap variance and no spread: nothing to judge the score by (a degenerate sample,
    # every resample alike), so no flag
    p_value = np.where(sd > 0, p_value, np.where(np.isfinite(sd), 1.0, np.nan))
    lower, upper = outcome_limits(c, vv, tau2[:, None], LEVEL, areas)
    lower_95, upper_95 = outcome_limits(c, vv, tau2[:, None], INNER, areas)
    side = np.where(yy > c, ABOVE, BELOW)
    beyond = np.abs(yy - c) - outcome_half_width(vv, tau2[:, None], LEVEL, areas)
    return OutcomeDecisions(tau2, p_value, lower, upper, lower_95, upper_95,
                            np.where(p_value < 1.0 - LEVEL, side, WITHIN),
                            np.where(p_value < 1.0 - INNER, side, WITHIN), beyond)


@functools.lru_cache(maxsize=4)
def _replicate_weights(resamples: int) -> Float:
    """MC_RESAMPLES multinomial reweightings of ``resamples`` replicates, as shares (seeded,
    the same for every outcome and scope: drawing them was a third of the comparisons' time)."""
    rng = np.random.default_rng(MC_SEED)
    weights = rng.multinomial(resamples, np.full(resamples, 1.0 / resamples),
                              size=MC_RESAMPLES) / resamples
    weights.flags.writeable = False
    return np.asarray(weights)


def margin_mc_se(y: Float, scores: Float, centre: float) -> Float:
    """Monte Carlo standard error of each area's margin, from the bootstrap replicates.

    The decision depends on the bootstrap through the variances v_i (and tau2, fitted from
    them). Resampling the replicates themselves (MC_RESAMPLES multinomial reweightings of
    them, seeded) and deciding again gives the spread the finite number of resamples leaves
    in each margin: a bootstrap of the bootstrap.
    """
    resamples = scores.shape[1]
    weights = _replicate_weights(resamples)
    finite = np.isfinite(scores)        # a resample where none of the outcome's questions
    values = np.where(finite, scores, 0.0)  # applied has no score, as in the area's interval
    share = weights @ finite.T
    first = (weights @ values.T) / share
    v = (weights @ (values.T ** 2)) / share - first**2
    counted = finite.sum(axis=1)
    v *= counted / (counted - 1.0)
    yy = np.broadcast_to(y, v.shape)
    tau2 = model.fit_tau2(yy, v, np.full(MC_RESAMPLES, centre))
    beyond = np.abs(yy - centre) - outcome_half_width(v, tau2[:, None], LEVEL, y.size)
    return np.asarray(beyond.std(axis=0, ddof=1))


def _within_areas(sub: pd.DataFrame, centre: float, reps: Replicates | None) -> tuple[
        Float | None, Float, Float, Float]:
    """One outcome's areas (rows of ``sub``): their bootstrap replicates (NaN for an area
    with none: no question of the outcome applied there), variances and gap intervals.

    Without replicates (tables made by hand) the variance is read from the width of the
    area's interval, ((upper - lower) / 3.92)^2, and the gap interval is the area's own,
    the all-areas score taken as known.
    """
    if reps is None:
        half = (sub["upper"].to_numpy(dtype=float) - sub["lower"].to_numpy(dtype=float)) / 2
        v = (half / model.normal_quantile(GAP_LEVEL)) ** 2
        z = model.normal_quantile(GAP_LEVEL) * np.sqrt(v)
        gap = sub["score"].to_numpy(dtype=float) - centre
        return None, v, gap - z, gap + z
    scores = _area_scores(list(sub["area_id"]), reps)
    has = np.flatnonzero(np.isfinite(scores).any(axis=1))
    v = np.full(len(sub), np.nan)
    g_lo, g_hi = np.full(len(sub), np.nan), np.full(len(sub), np.nan)
    tail = 50 * (1 - GAP_LEVEL)
    for part in row_chunks(has.size, scores.shape[1]):  # each row on its own: same figures
        rows = has[part]
        v[rows] = np.nanvar(scores[rows], axis=1, ddof=1)
        g_lo[rows], g_hi[rows] = np.nanpercentile(scores[rows] - reps.pooled[None, :],
                                                  [tail, 100 - tail], axis=1)
    return scores, v, g_lo, g_hi


def _area_scores(area_ids: list[str], reps: Replicates) -> Float:
    """These areas' replicates, a row each in their order (NaN for an area with none): the
    replicates themselves when they are those rows already, not a copy (areas x resamples)."""
    if list(reps.areas) == area_ids:
        return reps.scores
    row = {a: i for i, a in enumerate(reps.areas)}
    scores = np.full((len(area_ids), reps.scores.shape[1]), np.nan)
    for i, area in enumerate(area_ids):
        if area in row:
            scores[i] = reps.scores[row[area]]
    return scores


def _outcome_rows(outcomes: pd.DataFrame, pooled: pd.Series,
                  replicates: Mapping[int, Replicates] | None) -> tuple[pd.DataFrame,
                                                                       pd.DataFrame]:
    """Outcome rows: each area's score against the all-areas score, one row per area."""
    rows, disp_rows = [], []
    for outcome, sub in outcomes.groupby("outcome", sort=True):
        centre = float(pooled.get(outcome, math.nan))
        y = sub["score"].to_numpy(dtype=float)
        reps = (replicates or {}).get(int(outcome))
        scores, v, g_lo, g_hi = _within_areas(sub, centre, reps)
        ok = np.isfinite(y) & np.isfinite(v) & math.isfinite(centre)
        d = decide_outcomes(np.where(ok, y, np.nan), np.where(ok, v, np.nan), [centre])
        shrunk = model.shrink_scores(y, v, centre, d.tau2[0], GAP_LEVEL)
        m = d.margin[0]
        mc = np.full(y.shape, np.nan)
        if scores is not None and ok.sum() > 1:
            mc[ok] = margin_mc_se(y[ok], scores[ok], centre)
        q, p_q = model.cochran(np.where(ok, y, np.nan), v, [centre])
        rows.append(pd.DataFrame({
            "area_id": sub["area_id"].to_numpy(), "measure": str(int(outcome)),
            "kind": OUTCOME, "k": pd.NA, "n": pd.NA, "share": y,
            "share_lower": sub["lower"].to_numpy(dtype=float),
            "share_upper": sub["upper"].to_numpy(dtype=float), "pooled": centre,
            "gap": y - centre, "gap_lower": g_lo, "gap_upper": g_hi, "gap_cases": math.nan,
            "gap_cases_lower": math.nan, "gap_cases_upper": math.nan, "shrunk": shrunk.mean,
            "shrunk_lower": shrunk.lower, "shrunk_upper": shrunk.upper,
            "p_below": shrunk.p_below, "p_value": d.p_value[0], "lower": d.lower[0],
            "upper": d.upper[0], "lower_95": d.lower_95[0], "upper_95": d.upper_95[0],
            "limits": NORMAL, "decision": d.decision[0], "beyond_95": d.beyond_95[0],
            "margin": m, "margin_mc_se": mc,
            "borderline": np.abs(m) < BORDERLINE_SE * np.nan_to_num(mc, nan=0.0),
            "chance": np.where(ok, 1.0 - LEVEL, 0.0) if ok.sum() > 1 else 0.0}))
        disp_rows.append({
            "measure": str(int(outcome)), "kind": OUTCOME, "pooled": centre,
            "n_areas": int(ok.sum()), "statistic": float(q[0]), "df": int(ok.sum()) - 1,
            "p_value": float(p_q[0]), "dispersed": bool(p_q[0] < 0.05), "rho": math.nan,
            "rho_plain": math.nan, "tau2": float(d.tau2[0]),
            "spread": math.sqrt(float(d.tau2[0])), "limits": NORMAL,
            "outside": int((d.decision[0][ok] != WITHIN).sum()),
            "outside_95": int((d.beyond_95[0][ok] != WITHIN).sum()),
            "chance_flags": float((1.0 - LEVEL) * ok.sum()) if ok.sum() > 1 else 0.0})
    if not rows:
        return pd.DataFrame(columns=COLUMNS), pd.DataFrame(columns=DISPERSION_COLUMNS)
    return pd.concat(rows, ignore_index=True), pd.DataFrame(disp_rows,
                                                            columns=DISPERSION_COLUMNS)


# --------------------------------------------------------------------------- tables


def comparisons(questions: pd.DataFrame, outcomes: pd.DataFrame, pooled_outcomes: pd.Series,
                replicates: Mapping[int, Replicates] | None = None) -> tuple[pd.DataFrame,
                                                                              pd.DataFrame]:
    """The comparisons table (one row per area and measure) and the dispersion table (one
    row per measure: the fitted spread between areas).

    ``questions``: every area's question scores (area_id, question, k, n);
    ``outcomes``: every area's outcome scores (area_id, outcome, score, lower, upper);
    ``pooled_outcomes``: the all-areas score of each outcome, indexed by outcome;
    ``replicates``: each outcome's bootstrap replicates (:class:`Replicates`); without them
    an outcome's variance is read from its interval's width and no Monte Carlo error is given.
    Questions with n = 0 in an area have no share and no row.
    """
    q_rows, q_disp = _question_rows(questions)
    o_rows, o_disp = _outcome_rows(outcomes, pooled_outcomes, replicates)
    frames = [f for f in (o_rows, q_rows) if len(f)] or [o_rows]
    table = pd.concat(frames, ignore_index=True).reindex(columns=COLUMNS)
    table["k"] = table["k"].astype("Int64")
    table["n"] = table["n"].astype("Int64")
    table[FLOATS] = table[FLOATS].astype(float)
    table["borderline"] = table["borderline"].astype(bool)
    disp_frames = [f for f in (o_disp, q_disp) if len(f)] or [q_disp]
    disp = pd.concat(disp_frames, ignore_index=True).reindex(columns=DISPERSION_COLUMNS)
    return table, disp


def expected_chance_flags(rows: pd.DataFrame) -> float:
    """How many of these rows chance alone would flag (sum of ``chance``), when no area is
    more unusual than areas are; simulations show the realised number is at most this."""
    return float(rows["chance"].sum())


GAPS_LISTED = 3
"""At most this many gaps on each side are listed in words (the tables give every gap)."""


def largest_gaps(rows: pd.DataFrame, count: int = GAPS_LISTED) -> tuple[pd.DataFrame,
                                                                        pd.DataFrame]:
    """The largest gaps below and above the comparison figure whose 95% interval leaves out
    zero, largest first (at most ``count`` each side, a measure once): what a report states in
    words whether or not the area is unusual among areas, so that a large gap within the
    usual range of areas is never read as no gap."""
    once = rows.drop_duplicates("measure") if "measure" in rows else rows
    below = once[once["gap_upper"] < 0].sort_values("gap").head(count)
    above = once[once["gap_lower"] > 0].sort_values("gap", ascending=False).head(count)
    return below, above


# --------------------------------------------------------------------------- funnel curves


#: The funnel_limits table's columns: a question's limits at each whole n of its chart
#: (lower, upper: the 99.8% limits that decide; lower_95, upper_95: the inner curves).
LIMIT_COLUMNS = ["measure", "n", "lower", "upper", "lower_95", "upper_95"]


def chart_top(largest_n: float) -> int:
    """The largest n a question's funnel chart draws its limits to: 8% past the largest area's
    n (at least 10), so the curve runs on past the last dot."""
    return int(max(largest_n, 10) * 1.08) + 1


def limit_curves(rows: pd.DataFrame, dispersion: pd.DataFrame) -> pd.DataFrame:
    """The limits each question was decided by, at n = 1 .. :func:`chart_top` of its largest
    area: what the funnel charts draw, written by the build so that a chart computes no limit
    (and a notebook kernel never imports scipy.stats)."""
    largest = rows[rows["kind"] == QUESTION].groupby("measure")["n"].max()
    disp = dispersion[(dispersion["kind"] == QUESTION)
                      & dispersion["measure"].isin(largest.index)]
    if disp.empty:
        return pd.DataFrame(columns=LIMIT_COLUMNS).astype(
            {"n": int, **{c: float for c in LIMIT_COLUMNS[2:]}})
    tops = np.array([chart_top(float(largest[m])) for m in disp["measure"]])
    grid = np.arange(1, tops.max() + 1, dtype=float)
    pooled = disp["pooled"].to_numpy(dtype=float)[:, None]
    rho = disp["rho"].to_numpy(dtype=float)[:, None]
    areas = disp["n_areas"].to_numpy(dtype=float)[:, None]
    measures = disp["measure"].to_numpy()
    frames = []
    for part in row_chunks(len(measures), grid.size * (grid.size + 1)):
        limits = model.step_limits_at(pooled[part], rho[part], grid[None, :],
                                      [model.adjusted_tail(level, areas[part])
                                       for level in (LEVEL, INNER)])
        at = dict(zip((LEVEL, INNER), limits, strict=True))
        for r, (measure, top) in enumerate(zip(measures[part], tops[part], strict=True)):
            frames.append(pd.DataFrame({
                "measure": measure, "n": grid[:top].astype(int),
                "lower": at[LEVEL][0][r, :top], "upper": at[LEVEL][1][r, :top],
                "lower_95": at[INNER][0][r, :top], "upper_95": at[INNER][1][r, :top]}))
    return pd.concat(frames, ignore_index=True)
