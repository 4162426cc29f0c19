"""Synthetic answers: the hidden state of a case and the descriptive answers drawn from it.

Scoring answers follow a latent logistic model (:mod:`analysis.synthetic.generate`); the
descriptive answers here (report type, compliance, progress, factors...) are linked to the same
case quality, so that the reports read like real inspections without being any.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..method.bank import QuestionBank

Array = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Strings = npt.NDArray[np.object_]


@dataclass(frozen=True)
class GeneratedArea:
    """One generated area: its id, display name, latent quality and cases (strings)."""

    id: str
    name: str
    quality: float
    cases: pd.DataFrame


FACTOR_PREVALENCE = {
    "thinking_behaviour": 0.80, "relationships": 0.60, "alcohol_misuse": 0.50,
    "drug_misuse": 0.45, "lifestyle_associations": 0.55, "attitudes_offending": 0.45,
    "accommodation": 0.35, "emotional_wellbeing": 0.40, "financial_management": 0.25,
}


#: Simple yes rates of descriptive gating questions (more involved ones are coded below).
YES_RATES = {
    "transfer_in": 0.10, "lr_assessment_needed": 0.96, "acc_programme": 0.22,
    "acc_programme_completed": 0.45, "significant_change": 0.35, "rj_offered": 0.08,
    "rj_proceeded": 0.35, "victim_took_up": 0.45,
}


DEFAULT_YES_RATE = 0.3


# cases -------------------------------------------------------------------------------------------
def logistic(x: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def choice(rng: np.random.Generator, levels: Sequence[str], probs: Sequence[float],
            size: int) -> Strings:
    p = np.asarray(probs, dtype=float)
    return np.asarray(rng.choice(np.asarray(levels, dtype=object), size=size, p=p / p.sum()),
                      dtype=object)


def rowwise_choice(rng: np.random.Generator, levels: Sequence[str], probs: Array) -> Strings:
    """One draw per row from row-specific probabilities (rows x levels)."""
    p = probs / probs.sum(axis=1, keepdims=True)
    cum = np.cumsum(p, axis=1)
    u = rng.random(len(p))[:, None]
    idx = np.minimum((u > cum).sum(axis=1), len(levels) - 1)
    return np.asarray(np.asarray(levels, dtype=object)[idx], dtype=object)


def yes_no(flags: Bools) -> Strings:
    return np.where(flags, "yes", "no").astype(object)


@dataclass
class CaseState:
    """Hidden per-case variables that several answers share."""

    n: int
    eta: Array  # a_area + u_case: the case's latent quality on the logit scale
    quality: Array  # logistic(eta)
    children: Bools  # children are at risk or in contact
    noncompliance: npt.NDArray[np.int64]  # 0 none, 1 minor, 2 serious
    factors: dict[str, Bools]


def answer_order(bank: QuestionBank) -> list[str]:
    """Questions so that every rule is evaluated after the answers it reads (as validation)."""
    from ..method.validation import dependency_order

    return dependency_order(bank)


Descriptive = Callable[[np.random.Generator, CaseState, dict[str, Strings]], Strings]


def _col(cols: Mapping[str, Strings], name: str, n: int) -> Strings:
    return cols.get(name, np.full(n, None, dtype=object))


def _is(cols: Mapping[str, Strings], name: str, value: str, n: int) -> Bools:
    return np.asarray(_col(cols, name, n) == value, dtype=bool)


def rate(p: float | Array) -> Descriptive:
    def draw(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
        return yes_no(rng.random(s.n) < p)
    return draw


def _report_type(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    none = 0.04 + 0.16 * (1.0 - s.quality)
    probs = np.column_stack([np.full(s.n, 0.40), np.full(s.n, 0.32), np.full(s.n, 0.16), none])
    return rowwise_choice(rng, ("oral", "short", "full", "none"), probs)


def _proposal(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    levels = ("community_order", "suspended_sentence_order", "custody", "other")
    case_type = _col(cols, "case_type", s.n)
    follows = rng.random(s.n) < 0.45 + 0.45 * s.quality
    other = choice(rng, levels, (0.35, 0.25, 0.25, 0.15), s.n)
    same = np.where(case_type == "licence", "custody", case_type)
    out = np.where(follows, same, other)
    return np.asarray(out, dtype=object)


def _warning(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    return yes_no((s.noncompliance == 1) | ((s.noncompliance == 2) & (rng.random(s.n) < 0.9)))


def _enforcement(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    return yes_no(s.noncompliance == 2)


def _compliance(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    taken = _is(cols, "enforcement_taken", "yes", s.n)
    r = rng.random(s.n)
    minor = np.where(r < 0.6 + 0.3 * s.quality, "brought_back", "not_resolved")
    serious = np.where(taken, np.where(r < 0.85, "breached_recalled", "brought_back"),
                       np.where(r < 0.6, "not_resolved", "brought_back"))
    out = np.select([s.noncompliance == 0, s.noncompliance == 1], ["complied", minor], serious)
    return np.asarray(out, dtype=object)


def _programme_breach(rng: np.random.Generator, s: CaseState,
                      cols: dict[str, Strings]) -> Strings:
    return yes_no(rng.random(s.n) < 0.05 + 0.25 * (s.noncompliance > 0))


def _approved_premises(rng: np.random.Generator, s: CaseState,
                       cols: dict[str, Strings]) -> Strings:
    high = np.isin(_col(cols, "rosh_inspector", s.n), ["high", "very_high"])
    return yes_no(rng.random(s.n) < np.where(high, 0.40, 0.10))


def _progress(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    z = s.eta + rng.normal(0.0, 1.0, s.n)
    out = np.select([z > 2.2, z > 0.4, z > -1.6], ["good", "some", "insufficient"],
                    "deterioration")
    return np.asarray(out, dtype=object)


def _further(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    p_any = 0.10 + 0.25 * (1.0 - s.quality) + 0.15 * (s.noncompliance == 2)
    offended = rng.random(s.n) < p_any
    convicted = rng.random(s.n) < 0.6
    out = np.where(offended, np.where(convicted, "convicted", "charged"), "none")
    return np.asarray(out, dtype=object)


def _full_rosh(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    rosh = _col(cols, "rosh_inspector", s.n)
    p = np.select([rosh == "low", rosh == "medium"], [0.12, 0.85], 0.98)
    return yes_no(rng.random(s.n) < p)


def _restrictive(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    licence = _is(cols, "case_type", "licence", s.n)
    return yes_no(rng.random(s.n) < np.where(licence, 0.70, 0.25))


def _rosh_enforcement(rng: np.random.Generator, s: CaseState,
                      cols: dict[str, Strings]) -> Strings:
    high = np.isin(_col(cols, "rosh_inspector", s.n), ["high", "very_high"])
    return yes_no(rng.random(s.n) < np.where(high, 0.18, 0.05))


def _victim(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    offence = _col(cols, "offence_group", s.n)
    p = np.where(np.isin(offence, ["violence", "sexual", "robbery"]), 0.85, 0.35)
    p = np.where(s.children, np.maximum(p, 0.6), p)
    return yes_no(rng.random(s.n) < p)


def _home_visit(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
    return yes_no(rng.random(s.n) < 0.25 + 0.55 * s.quality)


def _children(p: float) -> Descriptive:
    def draw(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
        return yes_no(s.children & (rng.random(s.n) < p))
    return draw


def _factor_present(name: str) -> Descriptive:
    def draw(rng: np.random.Generator, s: CaseState, cols: dict[str, Strings]) -> Strings:
        return yes_no(s.factors[name])
    return draw


DESCRIPTIVE: dict[str, Descriptive] = {
    "report_type": _report_type,
    "psr_proposal": _proposal,
    "psr_cs_check_needed": _children(0.85),
    "cp_objective_needed": _children(0.70),
    "cp_procedures_needed": _children(0.35),
    "cyp_risk_identified": _children(0.55),
    "warning_needed": _warning,
    "enforcement_needed": _enforcement,
    "compliance_path": _compliance,
    "acc_programme_breach": _programme_breach,
    "approved_premises": _approved_premises,
    "alcohol_intervention_needed": _factor_present("alcohol_misuse"),
    "progress": _progress,
    "further_offending": _further,
    "full_rosh_needed": _full_rosh,
    "restrictive_in_place": _restrictive,
    "rosh_enforcement_needed": _rosh_enforcement,
    "identifiable_victim": _victim,
    "home_visit_initial": _home_visit,
}


def case_state(rng: np.random.Generator, n: int, eta: Array, bank: QuestionBank) -> CaseState:
    quality = logistic(eta)
    children = rng.random(n) < 0.28
    noncompliance = np.asarray(
        rowwise_choice(rng, ("0", "1", "2"),
                        np.column_stack([0.50 + 0.15 * quality, np.full(n, 0.30),
                                         0.20 - 0.10 * quality])).astype(int), dtype=np.int64)
    factors = {}
    for f in bank.factors:
        p = FACTOR_PREVALENCE.get(f.id, 0.6 if f.prevalent else 0.3)
        factors[f.id] = rng.random(n) < p
    return CaseState(n, eta, quality, children, noncompliance, factors)


def factor_answer(rng: np.random.Generator, s: CaseState, qid: str, factor: str) -> Strings:
    if qid.endswith("_identified"):
        present = s.factors[factor]
        # Most factors present are identified; a few are missed in weaker cases.
        missed = rng.random(s.n) < 0.10 * (1.0 - s.quality)
        return yes_no(present & ~missed)
    seed = zlib.crc32(qid.encode("utf-8"))
    b = float(np.random.default_rng(seed).normal(0.0, 0.4))
    shift = 0.3 if qid.endswith("_interventions") else -0.9
    return yes_no(rng.random(s.n) < logistic(s.eta + shift + b))
