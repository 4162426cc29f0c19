"""One decision for every comparison of an area with all areas, written as one table.

Every comparison a report shows (each question and each outcome of each area against all
areas) is decided here and nowhere else; chapters, charts, alt text and CSVs read the table.

Questions (k of n cases judged sufficient) are compared with the pooled share p0 of all areas
(sum k / sum n) by funnel limits at the area's n (Spiegelhalter 2005):

* **plain** limits: the exact binomial 95% limits as a step function. With X ~ Binomial(n, p0)
  the first count flagged above is k_hi = min{k : P(X >= k) < 2.5%} and the last flagged below
  k_lo = max{k : P(X <= k) < 2.5%}; the limits sit half a case inside them, upper =
  (k_hi - 0.5) / n and lower = (k_lo + 0.5) / n (clipped to [0, 1]). No share k/n sits on a
  limit, and share > upper is exactly P(X >= k) < 2.5%. Charts draw these steps.
* **adjusted** limits when the areas are over-dispersed: FunnelPlotR's additive random-effects
  limits sin^2(asin(sqrt(p0)) +- 1.959964 sqrt(1/(4n) + tau2)), phi and tau2 as FunnelPlotR
  computes them (:func:`analysis.method.funnel.phi_tau2`). Over-dispersed means Spiegelhalter's
  chi-square test at 5% holds (see :func:`dispersion`); when it holds but tau2 is 0,
  FunnelPlotR draws the plain limits, and so does this module.

The decision is ``above`` when share > upper, ``below`` when share < lower, otherwise
``within``: always the area relative to the all-areas figure.

Outcomes (means of correlated question shares) have no binomial funnel: the area's score has a
case-level bootstrap 95% interval [lower, upper]; ``above`` when lower > pooled (the whole
interval is above the all-areas score), ``below`` when upper < pooled, otherwise ``within``;
lower/upper are stored as that interval (``limits = "bootstrap"``).

Every row carries ``chance``: the probability of a result outside the limits when no area
really differs (:func:`null_chance` for questions, exact; :func:`outcome_chance` for outcomes,
a normal approximation). Their sum over the rows a chapter shows is the number of flags chance
alone would give.

``scipy.stats`` is imported by the functions that compute limits and chances, not with this
module: the import takes about a second and a half, and the chapters of an area report (a
kernel's first import) only read the decided table.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import funnel

LEVEL = 0.95
TAIL = (1.0 - LEVEL) / 2.0          # 2.5% in each tail
Z = funnel.Z95                       # upper 2.5% point of the standard normal
WINSOR = 0.10                       # FunnelPlotR's default trim_by
TEST_ALPHA = 0.05                   # size of the over-dispersion test

ABOVE, BELOW, WITHIN = "above", "below", "within"
WORDS = {ABOVE: "above the all-areas figure", BELOW: "below the all-areas figure",
         WITHIN: "no different from the all-areas figure"}
"""The decision in words, always from the area's side; every report says it this way."""
PLAIN, ADJUSTED, BOOTSTRAP = "plain", "adjusted", "bootstrap"
QUESTION, OUTCOME = "question", "outcome"

COLUMNS = ["area_id", "measure", "kind", "k", "n", "share", "pooled", "lower", "upper",
           "limits", "decision", "chance"]

Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]


# --------------------------------------------------------------------------- plain limits


def _first_flagged_above(p0: Float, n: Float) -> Float:
    """Smallest k with P(X >= k) < 2.5%, X ~ Binomial(n, p0); n + 1 when no k is flagged.

    binom.ppf gives j* = min{j : F(j) >= 97.5%}; the answer is among j*, j*+1, j*+2 (j* itself
    only when floating point puts F(j*-1) a hair under 97.5%), checked with the survival
    function, which keeps precision in the tail.
    """
    from scipy import stats

    j = stats.binom.ppf(1.0 - TAIL, n, p0)
    out = j + 2.0
    for cand in (j + 1.0, j):
        ok = stats.binom.sf(cand - 1.0, n, p0) < TAIL
        out = np.where(ok, cand, out)
    return np.minimum(out, n + 1.0)


def _last_flagged_below(p0: Float, n: Float) -> Float:
    """Largest k with P(X <= k) < 2.5%; -1 when no k is flagged."""
    from scipy import stats

    i = stats.binom.ppf(TAIL, n, p0)
    out = i - 1.0
    for cand in (i, i + 1.0):
        ok = stats.binom.cdf(cand, n, p0) < TAIL
        out = np.where(ok, cand, out)
    return np.maximum(out, -1.0)


def plain_limits(p0: npt.ArrayLike, n: npt.ArrayLike) -> tuple[Float, Float]:
    """Exact binomial 95% limits at n as steps half a case inside the first flagged counts.

    ``p0`` and ``n`` broadcast (e.g. p0 of shape (R, 1) for R replicates, n of shape (I,)).
    When p0 is 0 or 1 every area has the same share and nothing is flagged.
    """
    p = np.asarray(p0, dtype=float)
    nn = np.asarray(n, dtype=float)
    p, nn = np.broadcast_arrays(p, nn)
    inner = (p > 0.0) & (p < 1.0)
    ps = np.where(inner, p, 0.5)
    k_hi = np.where(inner, _first_flagged_above(ps, nn), nn + 1.0)
    k_lo = np.where(inner, _last_flagged_below(ps, nn), -1.0)
    upper = np.clip((k_hi - 0.5) / nn, 0.0, 1.0)
    lower = np.clip((k_lo + 0.5) / nn, 0.0, 1.0)
    return lower, upper


@functools.lru_cache(maxsize=1024)
def _grid_limits(total: int, n: int) -> tuple[Float, Float]:
    """The plain limits at ``n`` for every pooled share a total of ``total`` cases can give
    (0/total to total/total), read only.

    They depend on neither the question nor its pooled share, and many questions of a
    comparison have the same areas' n (those that apply to every case): cached, the
    comparisons of the bundled areas compute them for 495 pairs (total, n) instead of 1,293.
    """
    p0 = np.arange(total + 1) / total
    lower, upper = plain_limits(p0, np.full(p0.shape, float(n)))
    lower.flags.writeable = upper.flags.writeable = False
    return lower, upper


def null_chance(p: float, n: npt.ArrayLike) -> Float:
    """P(each area outside the plain limits) when every area draws from Binomial(n_i, p).

    Exact, and unlike :func:`plain_chance` it accounts for the pooled share being estimated
    from the same data, the area included: with K_r ~ Binomial(N - n_i, p) the cases of the
    other areas, the area is flagged when k_i is outside the limits at p0 = (k_i + K_r) / N.
    A large area pulls the pooled share towards itself, so it is flagged less often than a
    fixed p0 would say (by up to a third for the bundled areas).
    """
    from scipy import stats

    nn = np.asarray(n, dtype=float)
    total = int(nn.sum())
    if not 0.0 < p < 1.0 or total == 0:
        return np.zeros(nn.shape)
    out = np.empty(nn.shape)
    for i, n_i in enumerate(nn.astype(int)):
        lower, upper = _grid_limits(total, int(n_i))
        k_i = np.arange(n_i + 1)
        k_r = np.arange(total - n_i + 1)
        pk = stats.binom.pmf(k_i, n_i, p)
        pr = stats.binom.pmf(k_r, total - n_i, p)
        idx = k_i[:, None] + k_r[None, :]
        share = (k_i / n_i)[:, None]
        flagged = (share > upper[idx]) | (share < lower[idx])
        out[i] = float(pk @ (flagged * pr[None, :]).sum(axis=1))
    return out


# --------------------------------------------------------------------------- dispersion


@dataclass(frozen=True)
class Dispersion:
    """Over-dispersion of one measure (arrays of shape (R,) when given R replicates)."""

    statistic: Float     # Pearson's chi-square: sum of squared unwinsorised z-scores
    p_value: Float       # P(chi2 on I - 1 df >= statistic)
    dispersed: Bool      # p_value < 5%
    phi: Float           # FunnelPlotR's phi: mean squared Winsorised arcsine z-score
    tau2: Float          # FunnelPlotR's tau2 (0 when I * phi < I - 1)
    adjusted: Bool       # dispersed and tau2 > 0: the adjusted limits are used


def dispersion(k: npt.ArrayLike, n: npt.ArrayLike, p0: npt.ArrayLike) -> Dispersion:
    """Chi-square test of over-dispersion and FunnelPlotR's phi and tau2, per replicate row.

    ``k`` has shape (R, I) (or (I,)), ``n`` shape (I,) with every n > 0, ``p0`` shape (R,);
    where p0 is 0 or 1 every area has the same share: not dispersed, tau2 = 0. The test
    (Spiegelhalter 2005, s. 4) sums the squared unwinsorised z-scores on the proportion
    scale, z = (k/n - p0) / sqrt(p0 (1 - p0) / n) (Pearson's chi-square), against
    chi-square on I - 1 df. Not on the arcsine scale: with small n and p0 near 1 (k = n)
    arcsine z-scores are far from normal and that test fires in up to 45% of data sets with
    no real differences (bundled n's), against 3.5-7.5% for this one.
    phi and tau2 are FunnelPlotR's: arcsine z = (asin(sqrt(k/n)) - asin(sqrt(p0))) 2 sqrt(n),
    Winsorised at 10% each tail, phi = mean(z_w^2), w = 4n,
    tau2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), 0 when I phi < I - 1.
    """
    from scipy import stats

    kk = np.atleast_2d(np.asarray(k, dtype=float))
    nn = np.asarray(n, dtype=float)
    given = np.asarray(p0, dtype=float).reshape(-1)
    inner = (given > 0.0) & (given < 1.0)
    p = np.where(inner, given, 0.5).reshape(-1, 1)
    units = nn.size
    z_p = (kk / nn - p) / np.sqrt(p * (1.0 - p) / nn)
    statistic = (z_p**2).sum(axis=1)
    p_value = stats.chi2.sf(statistic, units - 1)
    phi, tau2 = funnel.phi_tau2(kk, nn, p.reshape(-1), WINSOR)
    tau2 = np.where(inner, np.maximum(tau2, 0.0), 0.0)
    statistic = np.where(inner, statistic, 0.0)
    p_value = np.where(inner, p_value, 1.0)
    dispersed = p_value < TEST_ALPHA
    return Dispersion(statistic, p_value, dispersed, phi, tau2, dispersed & (tau2 > 0.0))


def adjusted_limits(p0: npt.ArrayLike, n: npt.ArrayLike,
                    tau2: npt.ArrayLike) -> tuple[Float, Float]:
    """FunnelPlotR's additive random-effects 95% limits, back on the proportion scale."""
    return funnel.additive_limit(p0, n, tau2, -Z), funnel.additive_limit(p0, n, tau2, Z)


# --------------------------------------------------------------------------- decisions


def decide(share: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> npt.NDArray:
    """above when share > upper, below when share < lower, otherwise within (strict)."""
    s = np.asarray(share, dtype=float)
    return np.where(s > np.asarray(upper), ABOVE,
                    np.where(s < np.asarray(lower), BELOW, WITHIN))


@dataclass(frozen=True)
class QuestionDecisions:
    """Decisions of I areas on one question, for R replicates (arrays (R, I) or (R,))."""

    pooled: Float
    lower: Float
    upper: Float
    adjusted: Bool
    decision: npt.NDArray[np.str_]
    dispersion: Dispersion | None


def decide_question(k: npt.ArrayLike, n: npt.ArrayLike) -> QuestionDecisions:
    """Pooled share, dispersion test, the limits used and the decisions, vectorised over rows.

    ``k`` (R, I) or (I,), ``n`` (I,), every n > 0. The same function decides the report's
    table (R = 1) and the null simulations of the tests, so what is tested is what is shown.
    """
    kk = np.atleast_2d(np.asarray(k, dtype=float))
    nn = np.asarray(n, dtype=float)
    pooled = kk.sum(axis=1) / nn.sum()
    p_col = pooled.reshape(-1, 1)
    lower, upper = plain_limits(p_col, nn)
    disp = None
    adjusted = np.zeros(kk.shape[0], dtype=bool)
    if nn.size >= 2:
        disp = dispersion(kk, nn, pooled)
        adjusted = disp.adjusted
        a_lo, a_hi = adjusted_limits(p_col, nn, disp.tau2.reshape(-1, 1))
        use = adjusted.reshape(-1, 1)
        lower, upper = np.where(use, a_lo, lower), np.where(use, a_hi, upper)
    decision = decide(kk / nn, lower, upper)
    return QuestionDecisions(pooled, lower, upper, adjusted, decision, disp)


def limit_curve(pooled: float, tau2: float, adjusted: bool,
                n: npt.ArrayLike) -> tuple[Float, Float]:
    """The limits used, over a grid of n, for drawing: the same functions as the decision."""
    if adjusted:
        return adjusted_limits(pooled, n, tau2)
    return plain_limits(pooled, n)


#: The funnel_limits table's columns: a question's limits at each whole n of its chart.
LIMIT_COLUMNS = ["measure", "n", "lower", "upper"]


def chart_top(largest_n: float) -> int:
    """The largest n a question's funnel chart draws its limits to: 8% past the largest area's
    n (at least 10), so the curve runs on past the last dot."""
    return int(max(largest_n, 10) * 1.08) + 1


def limit_curves(rows: pd.DataFrame, dispersion: pd.DataFrame) -> pd.DataFrame:
    """The limits each question was decided by, at n = 1 .. :func:`chart_top` of its largest
    area: what the funnel charts draw, written by the build so that a chart computes no limit
    (and a notebook kernel never imports scipy.stats)."""
    largest = rows[rows["kind"] == QUESTION].groupby("measure")["n"].max()
    frames = []
    for d in dispersion.itertuples():
        if d.measure not in largest.index:
            continue
        grid = np.arange(1, chart_top(float(largest[d.measure])) + 1, dtype=float)
        lower, upper = limit_curve(float(d.pooled), float(d.tau2), d.limits == ADJUSTED, grid)
        frames.append(pd.DataFrame({"measure": d.measure, "n": grid.astype(int),
                                    "lower": lower, "upper": upper}))
    if not frames:
        return pd.DataFrame(columns=LIMIT_COLUMNS).astype({"n": int, "lower": float,
                                                           "upper": float})
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- tables


def _question_rows(questions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Comparison rows and dispersion rows of every question (areas with n > 0)."""
    unique = questions.drop_duplicates(["area_id", "question"])
    rows, disp_rows = [], []
    for qid, sub in unique[unique["n"] > 0].groupby("question", sort=False):
        k = sub["k"].to_numpy(dtype=float)
        n = sub["n"].to_numpy(dtype=float)
        d = decide_question(k, n)
        pooled = float(d.pooled[0])
        used = ADJUSTED if bool(d.adjusted[0]) else PLAIN
        rows.append(pd.DataFrame({
            "area_id": sub["area_id"].to_numpy(), "measure": str(qid), "kind": QUESTION,
            "k": k.astype(int), "n": n.astype(int), "share": k / n, "pooled": pooled,
            "lower": d.lower[0], "upper": d.upper[0], "limits": used,
            "decision": d.decision[0], "chance": null_chance(pooled, n)}))
        disp_rows.append(_dispersion_row(str(qid), pooled, n.size, d, used))
    return (pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS),
            pd.DataFrame(disp_rows, columns=DISPERSION_COLUMNS))


#: The dispersion table's columns, one row per question (kept when no question has rows).
DISPERSION_COLUMNS = ["measure", "pooled", "n_areas", "statistic", "df", "p_value", "dispersed",
                      "phi", "tau2", "limits", "outside"]


def _dispersion_row(measure: str, pooled: float, units: int, d: QuestionDecisions,
                    used: str) -> dict[str, object]:
    """One row of the dispersion table (a plain record, turned into a DataFrame row)."""
    disp = d.dispersion
    nan = math.nan
    return {"measure": measure, "pooled": pooled, "n_areas": units,
            "statistic": float(disp.statistic[0]) if disp else nan, "df": units - 1,
            "p_value": float(disp.p_value[0]) if disp else nan,
            "dispersed": bool(disp.dispersed[0]) if disp else False,
            "phi": float(disp.phi[0]) if disp else nan,
            "tau2": float(disp.tau2[0]) if disp else nan, "limits": used,
            "outside": int((d.decision[0] != WITHIN).sum())}


def outcome_chance(units: int) -> float:
    """Chance that an area's 95% interval misses an all-areas figure it is 1/I of."""
    from scipy import stats

    w = 1.0 / max(units, 1)
    if w >= 1.0:
        return 0.0
    return float(2.0 * stats.norm.sf(Z / math.sqrt(1.0 - w)))


def _outcome_rows(outcomes: pd.DataFrame, pooled: pd.Series) -> pd.DataFrame:
    """Outcome rows: the area's bootstrap interval against the pooled outcome score."""
    o = outcomes.copy()
    o["pooled"] = o["outcome"].map(pooled).astype(float)
    units = o.groupby("outcome")["area_id"].transform("nunique")
    decision = np.where(o["lower"] > o["pooled"], ABOVE,
                        np.where(o["upper"] < o["pooled"], BELOW, WITHIN))
    return pd.DataFrame({
        "area_id": o["area_id"], "measure": o["outcome"].astype(int).astype(str),
        "kind": OUTCOME, "k": pd.NA, "n": pd.NA, "share": o["score"].astype(float),
        "pooled": o["pooled"], "lower": o["lower"].astype(float),
        "upper": o["upper"].astype(float), "limits": BOOTSTRAP, "decision": decision,
        "chance": [outcome_chance(int(u)) for u in units]})


def comparisons(questions: pd.DataFrame, outcomes: pd.DataFrame,
                pooled_outcomes: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The comparisons table (one row per area and measure) and the dispersion table.

    ``questions``: every area's question scores (area_id, question, k, n);
    ``outcomes``: every area's outcome scores (area_id, outcome, score, lower, upper);
    ``pooled_outcomes``: the all-areas score of each outcome, indexed by outcome.
    Questions with n = 0 in an area have no share and no row.
    """
    q_rows, disp = _question_rows(questions)
    o_rows = _outcome_rows(outcomes, pooled_outcomes)
    table = pd.concat([o_rows, q_rows], ignore_index=True)[COLUMNS]
    table["k"] = table["k"].astype("Int64")
    table["n"] = table["n"].astype("Int64")
    # with no question answered anywhere there are no question rows, and concatenating with
    # an empty frame would leave the shares as objects (None where a score is missing)
    floats = ["share", "pooled", "lower", "upper", "chance"]
    table[floats] = table[floats].astype(float)
    return table, disp


def expected_chance_flags(rows: pd.DataFrame) -> float:
    """How many of these rows chance alone would put outside the limits (sum of ``chance``)."""
    return float(rows["chance"].sum())
