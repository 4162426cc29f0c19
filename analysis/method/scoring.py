"""Scoring by the published method (seed, Appendix 5), as tidy long tables.

- a question's figure is the share of applicable cases judged sufficient, with a Wilson 95%
  interval; a question with no applicable case has no figure (``nan``, shown "not applicable");
- a criterion's score is the mean of its scoring questions' shares;
- an outcome's score combines the scoring questions feeding it (victims questions feed both
  Protecting the Public and Victims) as the bank's scoring reading says: the mean of their shares
  (the default), the mean of their criteria's means, or pooled; with a seeded case-level
  bootstrap 95% interval, and beside it the interval independent answers would give;
- a section's score (assessment and planning, delivery and review...) is the mean of its criteria.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from .bank import QuestionBank
from .intervals import share, wilson
from .readings import READINGS
from .sensitivity import COLUMNS as SENSITIVITY_COLUMNS
from .sensitivity import variants

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20140501
ROSH_CROSSTAB = ("rosh_start", "rosh_inspector")
# Every cross-table the published figures need, as (row variable, column variable); the column
# variable may be a question (sentences made by whether a report was written).
CROSSTABS: tuple[tuple[str, str], ...] = (ROSH_CROSSTAB, ("case_type", "report_type"))
CROSSTAB_COLUMNS = ["area_id", "row_field", "row_level", "col_field", "col_level", "count", "n"]


@dataclass(frozen=True)
class AreaScores:
    """Every scoring table for one area."""

    questions: pd.DataFrame
    criteria: pd.DataFrame
    outcomes: pd.DataFrame
    sections: pd.DataFrame
    distributions: pd.DataFrame
    crosstab: pd.DataFrame
    factors: pd.DataFrame
    bootstrap: pd.DataFrame = field(default_factory=pd.DataFrame)

    def as_dict(self) -> dict[str, pd.DataFrame]:
        return {
            "question_scores": self.questions,
            "criterion_scores": self.criteria,
            "outcome_scores": self.outcomes,
            "section_scores": self.sections,
            "distributions": self.distributions,
            "crosstab": self.crosstab,
            "factors": self.factors,
            "bootstrap_counts": self.bootstrap,
        }


def answer_matrices(
    cases: pd.DataFrame, bank: QuestionBank, qids: list[str]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Applicable (answered) and sufficient indicator matrices, cases x questions."""
    applicable = np.zeros((len(cases), len(qids)))
    sufficient = np.zeros((len(cases), len(qids)))
    for j, qid in enumerate(qids):
        col = cases[qid] if qid in cases.columns else pd.Series(pd.NA, index=cases.index)
        ok = set(bank.scales[bank.question_by_id[qid].scale].sufficient)
        applicable[:, j] = col.notna().to_numpy()
        sufficient[:, j] = col.map(lambda v, ok=ok: v in ok if v is not pd.NA else False).to_numpy()
    return applicable, sufficient


Array = npt.NDArray[np.float64]
Matrices = tuple[Array, Array]


def question_scores(cases: pd.DataFrame, bank: QuestionBank, area_id: str,
                    matrices: Matrices | None = None) -> pd.DataFrame:
    """One row per scoring question and outcome it feeds: n, k, share, Wilson 95% limits."""
    questions = bank.scoring_questions()
    qids = [q.id for q in questions]
    applicable, sufficient = matrices or answer_matrices(cases, bank, qids)
    n = applicable.sum(axis=0)
    k = sufficient.sum(axis=0)
    lower, upper = wilson(k, n)
    rows = []
    for j, q in enumerate(questions):
        for outcome in q.outcomes:
            rows.append({
                "area_id": area_id, "outcome": outcome, "criterion": q.criterion,
                "question": q.id, "label": q.label, "key": q.key, "order": q.order,
                "n": int(n[j]), "k": int(k[j]), "share": float(share(k[j], n[j])),
                "lower": float(lower[j]), "upper": float(upper[j]),
            })
    return pd.DataFrame(rows)


def area_seed(area_id: str, seed: int = BOOTSTRAP_SEED) -> int:
    """A seed per area that does not depend on which other areas are in the build."""
    return (zlib.crc32(area_id.encode("utf-8")) ^ seed) & 0xFFFFFFFF


def outcome_groups(bank: QuestionBank, base_n: Array) -> dict[int, list[list[int]]]:
    """Each outcome's scoring-question columns, grouped by criterion, leaving out questions
    that applied to no case."""
    questions = bank.scoring_questions()
    out: dict[int, list[list[int]]] = {}
    for o in bank.outcomes:
        by_criterion: dict[str, list[int]] = {}
        for j, q in enumerate(questions):
            if o.id in q.outcomes and base_n[j] > 0:
                by_criterion.setdefault(q.criterion, []).append(j)
        out[o.id] = list(by_criterion.values())
    return out


def combine(k: Array, n: Array, groups: list[list[int]], reading: str) -> Array:
    """Outcome scores, one per row of counts ``k`` and bases ``n`` (rows x questions).

    The one place a reading is applied: the point estimate and every bootstrap resample go
    through it. A question with n = 0 in a row is left out of that row's mean, and so is a
    criterion none of whose questions applied.
    """
    cols = [j for g in groups for j in g]
    if not cols:
        return np.full(k.shape[0], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if reading == "pooled":
            return np.asarray(k[:, cols].sum(axis=1) / n[:, cols].sum(axis=1))
        shares = k / n
    if reading == "questions":
        return _row_mean(shares[:, cols])
    if reading == "criteria":
        return _row_mean(np.column_stack([_row_mean(shares[:, g]) for g in groups]))
    raise ValueError(f"unknown scoring reading {reading!r}")


def _row_mean(x: Array) -> Array:
    """Mean of each row's non-missing values (missing where a row has none), warning-free."""
    ok = ~np.isnan(x)
    count = ok.sum(axis=1)
    total = np.where(ok, x, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _limits(scores: Array) -> tuple[float, float]:
    scores = scores[~np.isnan(scores)]
    if not len(scores):
        return np.nan, np.nan
    lo, hi = np.percentile(scores, [2.5, 97.5])
    return float(lo), float(hi)


def independent_counts(applicable: Array, sufficient: Array, resamples: int,
                       rng: np.random.Generator) -> tuple[Array, Array]:
    """Bootstrap counts with each question's cases resampled on their own: what the interval
    would be if one case's answers were independent of each other.

    Drawing a question's cases with replacement and counting them by answer (sufficient;
    applicable but not sufficient; not applicable) is a multinomial draw with the answers'
    shares as probabilities, drawn here as two binomials: k sufficient among all cases, then
    the not applicable among the rest. The same law as drawing case indices, at a fifth of
    the time (this was a fifth of the time to score an area).
    """
    n_cases, n_questions = applicable.shape
    if n_cases == 0:
        return np.zeros((resamples, n_questions)), np.zeros((resamples, n_questions))
    k_all = sufficient.sum(axis=0)
    absent = n_cases - applicable.sum(axis=0)
    k = rng.binomial(n_cases, k_all / n_cases, size=(resamples, n_questions))
    rest = n_cases - k
    p_absent = np.divide(absent, n_cases - k_all, out=np.zeros(n_questions),
                         where=k_all < n_cases)
    n = n_cases - rng.binomial(rest, p_absent)
    return k.astype(float), n.astype(float)


def resample_weights(n_cases: int, area_id: str, resamples: int = BOOTSTRAP_RESAMPLES,
                     seed: int = BOOTSTRAP_SEED) -> npt.NDArray[np.int64]:
    """How many times each case is drawn in each resample (resamples x cases), seeded per
    area: the one set of resamples behind an area's intervals and its groups' intervals."""
    rng = np.random.default_rng(area_seed(area_id, seed))
    return rng.multinomial(n_cases, np.full(n_cases, 1.0 / n_cases), size=resamples)


def resampled_counts(matrices: Matrices, area_id: str, resamples: int = BOOTSTRAP_RESAMPLES,
                     seed: int = BOOTSTRAP_SEED) -> Matrices:
    """k and n of every scoring question in each case resample (resamples x questions): one
    multinomial draw of weights per resample makes them a pair of matrix products; the
    outcome intervals and the counts kept for groups are both made from them."""
    applicable, sufficient = matrices
    weights = resample_weights(len(applicable), area_id, resamples, seed)
    return weights @ sufficient, weights @ applicable


def bootstrap_counts(cases: pd.DataFrame, bank: QuestionBank, area_id: str,
                     resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
                     matrices: Matrices | None = None,
                     resampled: Matrices | None = None) -> pd.DataFrame:
    """k and n of every scoring question in each resample of :func:`bootstrap_outcomes`,
    so that groups of areas can be resampled without reading cases again
    (:mod:`analysis.method.group_figures`)."""
    from .group_figures import Counts

    qids = [q.id for q in bank.scoring_questions()]
    k, n = resampled or resampled_counts(matrices or answer_matrices(cases, bank, qids),
                                         area_id, resamples, seed)
    return Counts(tuple(qids), k.astype(np.int32), n.astype(np.int32)).table()


def bootstrap_outcomes(
    cases: pd.DataFrame, bank: QuestionBank, area_id: str,
    resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
    matrices: Matrices | None = None, resampled: Matrices | None = None,
) -> pd.DataFrame:
    """Case-level bootstrap of every outcome score: resample cases, recompute the whole score.

    Resampling cases (not questions) keeps the correlation between a case's answers, which a
    per-question interval would ignore; ``lower_independent``/``upper_independent`` resample
    each question's cases on their own, to show what that correlation does. Cases must come
    in case-id order (:func:`score_area` sorts them) so the interval does not depend on row
    order.
    """
    applicable, sufficient = matrices or answer_matrices(
        cases, bank, [q.id for q in bank.scoring_questions()])
    k, n = resampled or resampled_counts((applicable, sufficient), area_id, resamples, seed)
    k_ind, n_ind = independent_counts(applicable, sufficient, resamples,
                                      np.random.default_rng([area_seed(area_id, seed), 1]))
    rows = []
    for outcome, groups in outcome_groups(bank, applicable.sum(axis=0)).items():
        lo, hi = _limits(combine(k, n, groups, bank.reading))
        ilo, ihi = _limits(combine(k_ind, n_ind, groups, bank.reading))
        rows.append({"outcome": outcome, "lower": lo, "upper": hi,
                     "lower_independent": ilo, "upper_independent": ihi})
    return pd.DataFrame(rows)


def criterion_scores(qscores: pd.DataFrame, bank: QuestionBank) -> pd.DataFrame:
    """Mean share of each criterion's scoring questions (questions with n = 0 left out)."""
    rows = []
    area_id = qscores["area_id"].iloc[0] if len(qscores) else ""
    for c in bank.criteria:
        sub = qscores[(qscores["criterion"] == c.id) & (qscores["outcome"] == c.outcome)]
        valid = sub[sub["n"] > 0]
        rows.append({
            "area_id": area_id, "outcome": c.outcome, "criterion": c.id, "section": c.section,
            "title": c.title, "n_questions": len(valid),
            "score": float(valid["share"].mean()) if len(valid) else np.nan,
        })
    return pd.DataFrame(rows)


def outcome_scores(
    matrices: Matrices, boot: pd.DataFrame, bank: QuestionBank, area_id: str,
) -> pd.DataFrame:
    """Each outcome's score under the bank's reading, with its bootstrap intervals."""
    applicable, sufficient = matrices
    base_n = applicable.sum(axis=0)
    k, n = sufficient.sum(axis=0)[None, :], base_n[None, :]
    rows = []
    for o_id, groups in outcome_groups(bank, base_n).items():
        b = boot[boot["outcome"] == o_id].iloc[0]
        rows.append({
            "area_id": area_id, "outcome": o_id, "title": bank.outcome_by_id[o_id].title,
            "n_questions": sum(len(g) for g in groups), "n_cases": len(applicable),
            "score": float(combine(k, n, groups, bank.reading)[0]),
            "lower": float(b["lower"]), "upper": float(b["upper"]), "reading": bank.reading,
            "lower_independent": float(b["lower_independent"]),
            "upper_independent": float(b["upper_independent"]),
        })
    return pd.DataFrame(rows)


def section_scores(cscores: pd.DataFrame, bank: QuestionBank) -> pd.DataFrame:
    """A section's score is the mean of its component criteria scores (Appendix 5)."""
    area_id = cscores["area_id"].iloc[0] if len(cscores) else ""
    rows = []
    for s in bank.sections:
        sub = cscores[(cscores["section"] == s.id) & cscores["score"].notna()]
        rows.append({"area_id": area_id, "section": s.id, "title": s.title,
                     "n_criteria": len(sub),
                     "score": float(sub["score"].mean()) if len(sub) else np.nan})
    return pd.DataFrame(rows)


def distributions(cases: pd.DataFrame, bank: QuestionBank, area_id: str) -> pd.DataFrame:
    """Counts of every level of every field and question, over the cases where it applies."""
    rows = []
    variables = [(f.id, "field", f.scale) for f in bank.fields]
    variables += [(q.id, "question", q.scale) for q in bank.questions]
    for var, kind, scale_name in variables:
        levels = bank.scales[scale_name].levels
        col = cases[var] if var in cases.columns else pd.Series(pd.NA, index=cases.index)
        counts = col.dropna().value_counts()
        n = int(counts.sum())
        ks = np.array([int(counts.get(level, 0)) for level in levels])
        lower, upper = wilson(ks, np.full(len(ks), n))
        shares = share(ks, np.full(len(ks), n))
        for i, level in enumerate(levels):
            rows.append({"area_id": area_id, "variable": var, "kind": kind, "level": level,
                         "count": int(ks[i]), "n": n, "share": float(shares[i]),
                         "lower": float(lower[i]), "upper": float(upper[i])})
    return pd.DataFrame(rows)


def crosstab(cases: pd.DataFrame, bank: QuestionBank, area_id: str,
             pairs: Sequence[tuple[str, str]] = CROSSTABS) -> pd.DataFrame:
    """Long cross-tables of pairs of fields or questions, all in one table.

    The RoSH pair (as the area recorded it vs as inspectors judged it) comes first; each pair's
    ``n`` counts the cases where both variables are answered (not applicable on neither). A
    pair naming something that is neither a field nor a question is left out.
    """
    known = set(bank.field_by_id) | set(bank.question_by_id)
    rows = []
    for row_f, col_f in pairs:
        if row_f not in known or col_f not in known:
            continue
        row_col = _column(cases, row_f)
        col_col = _column(cases, col_f)
        n = int((row_col.notna() & col_col.notna()).sum())
        for r in bank.scale_of(row_f).levels:
            for c in bank.scale_of(col_f).levels:
                count = int(((row_col == r) & (col_col == c)).fillna(False).sum())
                rows.append({"area_id": area_id, "row_field": row_f, "row_level": r,
                             "col_field": col_f, "col_level": c, "count": count, "n": n})
    return pd.DataFrame(rows, columns=CROSSTAB_COLUMNS)


def _column(cases: pd.DataFrame, name: str) -> pd.Series:
    """A variable's answers, or all not applicable when the column is absent."""
    if name in cases.columns:
        return cases[name]
    return pd.Series(pd.NA, index=cases.index, dtype="object")


def factor_table(dist: pd.DataFrame, bank: QuestionBank, area_id: str) -> pd.DataFrame:
    """Table 3.4: cases with each factor, and the share with sufficient interventions/progress."""
    yes = {rec["variable"]: rec for rec in dist[dist["level"] == "yes"].to_dict("records")}
    rows = []
    for f in bank.factors:
        ident = yes.get(f"factor_{f.id}_identified", {})
        row: dict[str, object] = {"area_id": area_id, "factor": f.id, "label": f.label,
                                  "prevalent": f.prevalent,
                                  "identified": int(ident.get("count", 0))}
        for part in ("interventions", "progress"):
            rec = yes.get(f"factor_{f.id}_{part}", {})
            row[f"{part}_n"] = int(rec.get("n", 0))
            row[f"{part}_k"] = int(rec.get("count", 0))
            for stat in ("share", "lower", "upper"):
                row[f"{part}_{stat}"] = float(rec.get(stat, np.nan))
        rows.append(row)
    return pd.DataFrame(rows)


def outcome_points(cases: pd.DataFrame, bank: QuestionBank, reading: str) -> dict[int, float]:
    """Each outcome's score under a reading (no interval: this is a comparison of readings)."""
    applicable, sufficient = answer_matrices(cases, bank, [q.id for q in bank.scoring_questions()])
    n = applicable.sum(axis=0)
    k = sufficient.sum(axis=0)
    return {o: float(combine(k[None, :], n[None, :], groups, reading)[0])
            for o, groups in outcome_groups(bank, n).items()}


def sensitivity_table(cases: pd.DataFrame, bank: QuestionBank, area_id: str,
                      published: Mapping[int, int]) -> pd.DataFrame:
    """Long table: one row per classification variant, reading and outcome."""
    if not published:
        return pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    cases = by_case_id(cases)
    rows = []
    for label, variant in variants(bank):
        for reading in READINGS:
            for outcome, score in outcome_points(cases, variant, reading).items():
                rows.append({"area_id": area_id, "variant": label, "reading": reading,
                             "outcome": outcome, "score": score,
                             "published": float(published.get(outcome, math.nan))})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def by_case_id(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases in case-id order, so that nothing scored depends on the order of rows in a file."""
    return cases.sort_values("case_id", kind="mergesort").reset_index(drop=True)


def score_area(
    cases: pd.DataFrame, bank: QuestionBank, area_id: str,
    resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
) -> AreaScores:
    """All scoring tables for one area's validated cases, under the bank's scoring reading."""
    cases = by_case_id(cases)
    matrices = answer_matrices(cases, bank, [q.id for q in bank.scoring_questions()])
    q = question_scores(cases, bank, area_id, matrices)
    resampled = resampled_counts(matrices, area_id, resamples, seed)
    boot = bootstrap_outcomes(cases, bank, area_id, resamples, seed, matrices, resampled)
    c = criterion_scores(q, bank)
    o = outcome_scores(matrices, boot, bank, area_id)
    s = section_scores(c, bank)
    d = distributions(cases, bank, area_id)
    x = crosstab(cases, bank, area_id)
    f = factor_table(d, bank, area_id)
    b = bootstrap_counts(cases, bank, area_id, resamples, seed, matrices, resampled)
    return AreaScores(q, c, o, s, d, x, f, b)


def score_file(path: str | Path, area_id: str | None = None, *, lenient: bool = False,
               sheet: str | None = None) -> AreaScores:
    """Validate one case file and score one of its areas (the only one, if ``area_id`` is None).

    Bad input raises :class:`~analysis.core.errors.InputError` listing every problem.
    """
    from ..core.errors import InputError, Problem
    from .bank import load_bank
    from .validation import load_cases

    bank = load_bank()
    data = load_cases([path], bank, lenient=lenient, sheet=sheet)
    if area_id is None and len(data.areas) == 1:
        area_id = data.areas[0]
    if area_id is None or area_id not in data.areas:
        raise InputError([Problem(str(path), "choose one area of the file", column="area_id",
                                  value=str(area_id), allowed=", ".join(data.areas))])
    return score_area(data.area(area_id), bank, area_id)
