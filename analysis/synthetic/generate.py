"""Synthetic inspection data: fictional areas, their cases and their context.

Every area this module writes is fictional. Cases follow the case-data contract of
``data/README.md`` (wide storage, canonical answers, blank where a question does not apply) and
are generated so that the bundled reports look like real inspections without being any:

- a realistic case mix (case type, sex, ethnicity, offence, RoSH, MAPPA, statutory victim);
- questions answered in dependency order, so that every applicability rule of the bank holds
  exactly where a question is answered; a ``judged`` question is left blank now and then
  (inspectors judged it not required in that case);
- scoring answers from a latent model with correlation inside a case:
  ``logit(p) = a_area + a_area,outcome + b_question + e_area,question + u_case``, where the
  question difficulties ``b_question`` are drawn once per generator seed (the same questions
  are hard in every area) and ``u_case`` is a case random effect (sd 0.8);
- descriptive answers (progress, further offending, compliance, report type, factors...)
  linked to the same case quality.

Durham Tees Valley is reconstructed from its published report by :mod:`analysis.reconstruct`
(written separately); :func:`regenerate` calls it when it is present.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..core.atomic import write_text
from ..method.bank import QuestionBank, load_bank

Array = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Strings = npt.NDArray[np.object_]

#: The quality range areas are drawn from (logit scale); calibrated so that outcome scores
#: spread from about 50% to about 95% across areas (see ``score_spread``).
QUALITY_RANGE = (0.15, 3.2)
N_CASES_RANGE = (50, 90)
CASE_SD = 0.8  # case random effect
QUESTION_SD = 0.75  # question difficulty, drawn once per generator seed
AREA_OUTCOME_SD = 0.3  # an area's strength or weakness in one outcome
AREA_QUESTION_SD = 0.3  # an area's strength or weakness in one question
JUDGED_NOT_REQUIRED = 0.15  # share of applicable cases inspectors judge "not required"
DIFFICULTY_SEED = 2014

DTV_ID = "durham-tees-valley"
DTV_NAME = "Durham Tees Valley"
DTV_SOURCE = "published (Durham Tees Valley report, Appendix 1)"
SURVEY_SOURCE = "published (NOMS offender survey 2012)"
SYNTHETIC = "synthetic"
AREA_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

FACTOR_PREVALENCE = {
    "thinking_behaviour": 0.80, "relationships": 0.60, "alcohol_misuse": 0.50,
    "drug_misuse": 0.45, "lifestyle_associations": 0.55, "attitudes_offending": 0.45,
    "accommodation": 0.35, "emotional_wellbeing": 0.40, "financial_management": 0.25,
}
OFFENCES = {
    "violence": 0.28, "burglary": 0.07, "theft_handling": 0.14, "sexual": 0.04, "drugs": 0.12,
    "motoring": 0.10, "robbery": 0.03, "fraud_forgery": 0.04, "criminal_damage": 0.05,
    "other": 0.12, "not_recorded": 0.01,
}
CASE_TYPES = {"community_order": 0.40, "suspended_sentence_order": 0.25, "licence": 0.35}
ROSH_LEVELS = ("low", "medium", "high", "very_high")
#: RoSH at the start by case type; overall about 30/50/18/2 per cent.
ROSH_BY_TYPE = {
    "community_order": (0.36, 0.50, 0.13, 0.01),
    "suspended_sentence_order": (0.36, 0.50, 0.13, 0.01),
    "licence": (0.19, 0.50, 0.27, 0.04),
}
MAPPA_BY_ROSH = {"low": 0.03, "medium": 0.09, "high": 0.35, "very_high": 0.80}
#: Simple yes rates of descriptive gating questions (more involved ones are coded below).
YES_RATES = {
    "transfer_in": 0.10, "lr_assessment_needed": 0.96, "acc_programme": 0.22,
    "acc_programme_completed": 0.45, "significant_change": 0.35, "rj_offered": 0.08,
    "rj_proceeded": 0.35, "victim_took_up": 0.45,
}
DEFAULT_YES_RATE = 0.3

# Invented syllables: none of the compounds is, to our knowledge, an English or Welsh place.
_HEADS = ("Varn", "Quell", "Zarn", "Brax", "Vesk", "Thrall", "Grisk", "Ister", "Jarl", "Lunn",
          "Morv", "Ossel", "Pell", "Ravel", "Skarr", "Tavish", "Xander", "Zell", "Brisk",
          "Corvel", "Dunmar", "Elsk", "Gavel", "Hask", "Oskel", "Trusk", "Prenn", "Zorbel",
          "Quarv", "Velm")
_TAILS = ("holt", "mere", "combe", "stead", "wick", "water", "thorpe", "ley", "hythe",
          "garth", "dale", "ness", "fold", "brook", "by", "worth")
_QUALIFIERS = ("Upper", "Lower", "Greater", "Outer", "Inner", "Vale of")
#: Compounds of the syllables above that are, or read like, real places: never used.
_REAL = frozenset({"briskley", "pellworth", "lunnley", "haskley", "morvley", "gavelley"})

_LA_SUFFIX = ("", "", " District", " Borough", " City")


@dataclass(frozen=True)
class GeneratedArea:
    """One generated area: its id, display name, latent quality and cases (strings)."""

    id: str
    name: str
    quality: float
    cases: pd.DataFrame


# names ---------------------------------------------------------------------------------------
def slug(name: str) -> str:
    """An area id from a display name: lower case, words joined by '-'."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text[:64].rstrip("-") or "area"


def _place(rng: np.random.Generator) -> str:
    while True:
        word = str(rng.choice(_HEADS)) + str(rng.choice(_TAILS))
        if word.lower() not in _REAL:
            return word


def synthetic_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct fictional area names, e.g. "Varnholt and Zellmere", "Upper Braxwick"."""
    names: list[str] = []
    ids: set[str] = set()
    attempts = 0
    while len(names) < n:
        attempts += 1
        kind = rng.random()
        if kind < 0.45:
            name = _place(rng)
        elif kind < 0.80:
            first, second = _place(rng), _place(rng)
            if first == second:
                continue
            name = f"{first} and {second}"
        else:
            name = f"{rng.choice(_QUALIFIERS)} {_place(rng)}"
        if attempts > 50 * (n + 10):  # pragma: no cover - only for absurd n
            name = f"{name} {len(names) + 1}"
        ident = slug(name)
        if ident in ids or ident == DTV_ID:
            continue
        ids.add(ident)
        names.append(name)
    return names


def abbreviation(name: str) -> str:
    """Upper-case initials of a name's words (``and``/``of`` skipped), e.g. "VZ"."""
    words = [w for w in re.split(r"[^A-Za-z]+", name) if w and w.lower() not in ("and", "of")]
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w[0] for w in words)[:4].upper()


# question difficulty ---------------------------------------------------------------------------
def question_difficulty(bank: QuestionBank, seed: int = DIFFICULTY_SEED) -> dict[str, float]:
    """Difficulty ``b_question`` of every scoring question: one draw per generator seed.

    Drawn per question from a seed mixed with the question id, so adding a question to the bank
    does not change the others. Basic completion questions (was it done, recorded, screened)
    are easier than questions about quality.
    """
    out: dict[str, float] = {}
    for q in bank.questions:
        if not q.scoring:
            continue
        rng = np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(q.id.encode("utf-8"))])
        b = float(rng.normal(0.0, QUESTION_SD))
        if q.id.endswith(("_done", "_recorded", "_made", "_timely")) or q.id in (
                "tier_correct", "rosh_recorded", "om_monitoring_attendance"):
            b += 0.8
        out[q.id] = b
    return out


# cases -------------------------------------------------------------------------------------------
def _logistic(x: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _choice(rng: np.random.Generator, levels: Sequence[str], probs: Sequence[float],
            size: int) -> Strings:
    p = np.asarray(probs, dtype=float)
    return np.asarray(rng.choice(np.asarray(levels, dtype=object), size=size, p=p / p.sum()),
                      dtype=object)


def _rowwise_choice(rng: np.random.Generator, levels: Sequence[str], probs: Array) -> Strings:
    """One draw per row from row-specific probabilities (rows x levels)."""
    p = probs / probs.sum(axis=1, keepdims=True)
    cum = np.cumsum(p, axis=1)
    u = rng.random(len(p))[:, None]
    idx = np.minimum((u > cum).sum(axis=1), len(levels) - 1)
    return np.asarray(np.asarray(levels, dtype=object)[idx], dtype=object)


def _yes_no(flags: Bools) -> Strings:
    return np.where(flags, "yes", "no").astype(object)


@dataclass
class _CaseState:
    """Hidden per-case variables that several answers share."""

    n: int
    eta: Array  # a_area + u_case: the case's latent quality on the logit scale
    quality: Array  # logistic(eta)
    children: Bools  # children are at risk or in contact
    noncompliance: npt.NDArray[np.int64]  # 0 none, 1 minor, 2 serious
    factors: dict[str, Bools]


def _fields(rng: np.random.Generator, n: int, quality: Array,
            bme_share: Array) -> dict[str, Strings]:
    case_type = _choice(rng, list(CASE_TYPES), list(CASE_TYPES.values()), n)
    sex = _choice(rng, ["male", "female"], [0.88, 0.12], n)
    ethnicity = _rowwise_choice(rng, ("white", "black_minority_ethnic", "not_recorded"),
                                np.column_stack([1.0 - bme_share - 0.03, bme_share,
                                                 np.full(n, 0.03)]))
    offence = _choice(rng, list(OFFENCES), list(OFFENCES.values()), n)
    probs = np.array([ROSH_BY_TYPE[str(t)] for t in case_type], dtype=float)
    serious = np.isin(offence, ["sexual", "robbery"])
    probs[serious] = probs[serious] * np.array([0.3, 1.0, 2.0, 2.0])
    rosh_start = _rowwise_choice(rng, ROSH_LEVELS, probs)
    # Inspectors mostly agree with the recorded RoSH; they disagree more in weaker cases,
    # and more often judge it one level too low than too high.
    level = np.array([ROSH_LEVELS.index(str(r)) for r in rosh_start])
    differ = rng.random(n) < 0.04 + 0.30 * (1.0 - quality)
    step = np.where(rng.random(n) < 0.75, 1, -1)
    judged = np.where(differ, np.clip(level + step, 0, 3), level)
    rosh_inspector = np.asarray(np.array(ROSH_LEVELS, dtype=object)[judged], dtype=object)
    mappa_p = np.array([MAPPA_BY_ROSH[str(r)] for r in rosh_inspector])
    mappa_p = np.where(offence == "sexual", 0.95, mappa_p)
    mappa = _yes_no(rng.random(n) < mappa_p)
    # A statutory duty follows custodial sentences for violent or sexual offences: in
    # practice licences, now and then a suspended sentence order, almost never otherwise.
    licence = case_type == "licence"
    victim_p = np.select([licence, case_type == "suspended_sentence_order"], [0.18, 0.03], 0.005)
    victim_p = victim_p + np.where(np.isin(offence, ["violence", "sexual", "robbery"]) &
                                   licence, 0.10, 0.0)
    victim_p = victim_p + np.where((judged >= 2) & (case_type != "community_order"), 0.08, 0.0)
    statutory = _yes_no(rng.random(n) < victim_p)
    return {"case_type": case_type, "sex": sex, "ethnicity": ethnicity, "offence_group": offence,
            "rosh_start": rosh_start, "rosh_inspector": rosh_inspector,
            "mappa_eligible": mappa, "statutory_victim": statutory}


def _answer_order(bank: QuestionBank) -> list[str]:
    """Questions so that every rule is evaluated after the answers it reads (as validation)."""
    from ..method.validation import dependency_order

    return dependency_order(bank)


Descriptive = Callable[[np.random.Generator, _CaseState, dict[str, Strings]], Strings]


def _col(cols: Mapping[str, Strings], name: str, n: int) -> Strings:
    return cols.get(name, np.full(n, None, dtype=object))


def _is(cols: Mapping[str, Strings], name: str, value: str, n: int) -> Bools:
    return np.asarray(_col(cols, name, n) == value, dtype=bool)


def _rate(p: float | Array) -> Descriptive:
    def draw(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
        return _yes_no(rng.random(s.n) < p)
    return draw


def _report_type(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    none = 0.04 + 0.16 * (1.0 - s.quality)
    probs = np.column_stack([np.full(s.n, 0.40), np.full(s.n, 0.32), np.full(s.n, 0.16), none])
    return _rowwise_choice(rng, ("oral", "short", "full", "none"), probs)


def _proposal(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    levels = ("community_order", "suspended_sentence_order", "custody", "other")
    case_type = _col(cols, "case_type", s.n)
    follows = rng.random(s.n) < 0.45 + 0.45 * s.quality
    other = _choice(rng, levels, (0.35, 0.25, 0.25, 0.15), s.n)
    same = np.where(case_type == "licence", "custody", case_type)
    out = np.where(follows, same, other)
    return np.asarray(out, dtype=object)


def _warning(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    return _yes_no((s.noncompliance == 1) | ((s.noncompliance == 2) & (rng.random(s.n) < 0.9)))


def _enforcement(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    return _yes_no(s.noncompliance == 2)


def _compliance(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    taken = _is(cols, "enforcement_taken", "yes", s.n)
    r = rng.random(s.n)
    minor = np.where(r < 0.6 + 0.3 * s.quality, "brought_back", "not_resolved")
    serious = np.where(taken, np.where(r < 0.85, "breached_recalled", "brought_back"),
                       np.where(r < 0.6, "not_resolved", "brought_back"))
    out = np.select([s.noncompliance == 0, s.noncompliance == 1], ["complied", minor], serious)
    return np.asarray(out, dtype=object)


def _programme_breach(rng: np.random.Generator, s: _CaseState,
                      cols: dict[str, Strings]) -> Strings:
    return _yes_no(rng.random(s.n) < 0.05 + 0.25 * (s.noncompliance > 0))


def _approved_premises(rng: np.random.Generator, s: _CaseState,
                       cols: dict[str, Strings]) -> Strings:
    high = np.isin(_col(cols, "rosh_inspector", s.n), ["high", "very_high"])
    return _yes_no(rng.random(s.n) < np.where(high, 0.40, 0.10))


def _progress(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    z = s.eta + rng.normal(0.0, 1.0, s.n)
    out = np.select([z > 2.2, z > 0.4, z > -1.6], ["good", "some", "insufficient"],
                    "deterioration")
    return np.asarray(out, dtype=object)


def _further(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    p_any = 0.10 + 0.25 * (1.0 - s.quality) + 0.15 * (s.noncompliance == 2)
    offended = rng.random(s.n) < p_any
    convicted = rng.random(s.n) < 0.6
    out = np.where(offended, np.where(convicted, "convicted", "charged"), "none")
    return np.asarray(out, dtype=object)


def _full_rosh(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    rosh = _col(cols, "rosh_inspector", s.n)
    p = np.select([rosh == "low", rosh == "medium"], [0.12, 0.85], 0.98)
    return _yes_no(rng.random(s.n) < p)


def _restrictive(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    licence = _is(cols, "case_type", "licence", s.n)
    return _yes_no(rng.random(s.n) < np.where(licence, 0.70, 0.25))


def _rosh_enforcement(rng: np.random.Generator, s: _CaseState,
                      cols: dict[str, Strings]) -> Strings:
    high = np.isin(_col(cols, "rosh_inspector", s.n), ["high", "very_high"])
    return _yes_no(rng.random(s.n) < np.where(high, 0.18, 0.05))


def _victim(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    offence = _col(cols, "offence_group", s.n)
    p = np.where(np.isin(offence, ["violence", "sexual", "robbery"]), 0.85, 0.35)
    p = np.where(s.children, np.maximum(p, 0.6), p)
    return _yes_no(rng.random(s.n) < p)


def _home_visit(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
    return _yes_no(rng.random(s.n) < 0.25 + 0.55 * s.quality)


def _children(p: float) -> Descriptive:
    def draw(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
        return _yes_no(s.children & (rng.random(s.n) < p))
    return draw


def _factor_present(name: str) -> Descriptive:
    def draw(rng: np.random.Generator, s: _CaseState, cols: dict[str, Strings]) -> Strings:
        return _yes_no(s.factors[name])
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


def _case_state(rng: np.random.Generator, n: int, eta: Array, bank: QuestionBank) -> _CaseState:
    quality = _logistic(eta)
    children = rng.random(n) < 0.28
    noncompliance = np.asarray(
        _rowwise_choice(rng, ("0", "1", "2"),
                        np.column_stack([0.50 + 0.15 * quality, np.full(n, 0.30),
                                         0.20 - 0.10 * quality])).astype(int), dtype=np.int64)
    factors = {}
    for f in bank.factors:
        p = FACTOR_PREVALENCE.get(f.id, 0.6 if f.prevalent else 0.3)
        factors[f.id] = rng.random(n) < p
    return _CaseState(n, eta, quality, children, noncompliance, factors)


def generate_area(
    bank: QuestionBank, area_id: str, n_cases: int, quality: float, rng: np.random.Generator,
    *, difficulty: Mapping[str, float] | None = None, case_prefix: str | None = None,
    bme_share: float | None = None,
) -> pd.DataFrame:
    """``n_cases`` synthetic cases of one area, as strings in the wide contract.

    ``quality`` is the area effect ``a_area`` on the logit scale (about 0 for a weak area,
    3 for a strong one). ``difficulty`` maps scoring question ids to ``b_question`` (default:
    :func:`question_difficulty` with the default seed). Not applicable is "".
    """
    prefix = case_prefix or abbreviation(area_id.replace("-", " ").title())
    if bme_share is None:
        bme_share = float(rng.uniform(0.02, 0.15))
    return _generate_block(bank, [area_id], [int(n_cases)], [float(quality)], [prefix],
                           [bme_share], rng, difficulty)


def _generate_block(
    bank: QuestionBank, area_ids: Sequence[str], sizes: Sequence[int],
    qualities: Sequence[float], prefixes: Sequence[str], bme_shares: Sequence[float],
    rng: np.random.Generator, difficulty: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Cases of several areas at once: each rule is evaluated once over every area's cases."""
    if difficulty is None:
        difficulty = question_difficulty(bank)
    n_areas = len(area_ids)
    area = np.repeat(np.arange(n_areas), sizes)
    n = len(area)
    u = rng.normal(0.0, CASE_SD, n)
    eta = np.asarray(qualities, dtype=float)[area] + u
    state = _case_state(rng, n, eta, bank)
    cols: dict[str, Strings] = _fields(rng, n, state.quality,
                                       np.asarray(bme_shares, dtype=float)[area])
    outcome_effect = {o.id: rng.normal(0.0, AREA_OUTCOME_SD, n_areas) for o in bank.outcomes}

    for qid in _answer_order(bank):
        q = bank.question_by_id[qid]
        if q.applies_when is None:
            holds = np.ones(n, dtype=bool)
        else:
            view = pd.DataFrame({name: pd.Series(cols[name], dtype=object).where(
                cols[name] != "", pd.NA) for name in q.applies_when.names if name in cols},
                index=range(n))
            holds = q.applies_when.evaluate(view).to_numpy(dtype=bool)
        scale = bank.scales[q.scale]
        if q.scoring:
            offset = np.mean([outcome_effect.get(o, np.zeros(n_areas)) for o in q.outcomes],
                             axis=0)
            noise = rng.normal(0.0, AREA_QUESTION_SD, n_areas)
            logit = eta + (offset + noise)[area] + difficulty.get(qid, 0.0)
            good = rng.random(n) < _logistic(logit)
            if qid == "rosh_classification_correct":
                good = np.asarray(cols["rosh_start"] == cols["rosh_inspector"], dtype=bool)
            bad_levels = [lv for lv in scale.levels if lv not in scale.sufficient]
            if bad_levels == ["insufficient", "none"]:
                none = rng.random(n) < 0.15 + 0.35 * (1.0 - state.quality)
                bad = np.where(none, "none", "insufficient")
            else:
                bad = _choice(rng, bad_levels, [1.0] * len(bad_levels), n)
            answer = np.where(good, scale.sufficient[0], bad).astype(object)
        elif qid in DESCRIPTIVE:
            answer = DESCRIPTIVE[qid](rng, state, cols)
        elif q.factor is not None:
            answer = _factor_answer(rng, state, qid, q.factor)
        elif scale.levels == ("yes", "no"):
            answer = _rate(YES_RATES.get(qid, DEFAULT_YES_RATE))(rng, state, cols)
        else:
            answer = _choice(rng, scale.levels, [1.0] * len(scale.levels), n)
        keep = holds.copy()
        if q.judged:
            keep &= rng.random(n) >= JUDGED_NOT_REQUIRED
        cols[qid] = np.where(keep, answer, "").astype(object)

    case_ids: list[str] = []
    for prefix, size in zip(prefixes, sizes, strict=True):
        case_ids += [f"SYN-{prefix}-{k:04d}" for k in range(1, int(size) + 1)]
    frame: dict[str, object] = {"area_id": np.asarray(area_ids, dtype=object)[area],
                                "case_id": case_ids}
    ordered = [f.id for f in bank.fields] + [q.id for q in bank.questions]
    frame.update({c: cols[c] for c in ordered})
    return pd.DataFrame(frame)


def _factor_answer(rng: np.random.Generator, s: _CaseState, qid: str, factor: str) -> Strings:
    if qid.endswith("_identified"):
        present = s.factors[factor]
        # Most factors present are identified; a few are missed in weaker cases.
        missed = rng.random(s.n) < 0.10 * (1.0 - s.quality)
        return _yes_no(present & ~missed)
    seed = zlib.crc32(qid.encode("utf-8"))
    b = float(np.random.default_rng(seed).normal(0.0, 0.4))
    shift = 0.3 if qid.endswith("_interventions") else -0.9
    return _yes_no(rng.random(s.n) < _logistic(s.eta + shift + b))


# context -----------------------------------------------------------------------------------------
def _la_names(rng: np.random.Generator, k: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < k:
        name = _place(rng) + str(rng.choice(_LA_SUFFIX))
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def generate_context(
    areas: Sequence[GeneratedArea], rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """Context tables for ``data/context/``: local authorities, caseload, offender survey."""
    la_rows: list[dict[str, object]] = [
        {"area_id": DTV_ID, "name": name, "unemployment_percent": u, "population": p,
         "bme_percent": b, "source": DTV_SOURCE}
        for name, u, p, b in (("County Durham", 10.0, 513200, 1.8),
                              ("Darlington", 10.5, 105600, 3.5),
                              ("Hartlepool", 14.5, 92000, 2.3),
                              ("Middlesbrough", 14.9, 138400, 12.0),
                              ("Redcar & Cleveland", 12.1, 135200, 1.5))]
    la_rows.append({"area_id": "england-and-wales", "name": "England & Wales",
                    "unemployment_percent": 8.0, "population": 56075900, "bme_percent": 14.1,
                    "source": DTV_SOURCE})
    caseload: list[dict[str, object]] = [
        {"area_id": DTV_ID, "total": 6102, "white_percent": 95.6, "minority_percent": 3.6,
         "male_percent": 88.5, "female_percent": 11.5, "source": DTV_SOURCE},
        {"area_id": "national", "total": None, "white_percent": 76.4, "minority_percent": 19.9,
         "male_percent": 90.0, "female_percent": 10.0, "source": DTV_SOURCE},
    ]
    survey: list[dict[str, object]] = [
        {"area_id": DTV_ID, "year": 2012, "responses": 663, "involved_percent": 87,
         "positive_percent": 82, "motivate_percent": 81, "source": SURVEY_SOURCE},
    ]
    taken = {a.name for a in areas}
    for area in areas:
        k = int(rng.integers(2, 6))
        cases = area.cases
        bme = float((cases["ethnicity"] == "black_minority_ethnic").mean()) * 100
        not_recorded = float((cases["ethnicity"] == "not_recorded").mean()) * 100
        for name in _la_names(rng, k, taken):
            la_rows.append({
                "area_id": area.id, "name": name,
                "unemployment_percent": round(float(rng.uniform(5.5, 15.0)), 1),
                "population": int(rng.integers(700, 5500)) * 100,
                "bme_percent": round(float(np.clip(bme * rng.uniform(0.4, 1.6), 0.5, 40.0)), 1),
                "source": SYNTHETIC})
        female = round(float(np.clip((cases["sex"] == "female").mean() * 100
                                     + rng.normal(0, 1.5), 6.0, 18.0)), 1)
        minority = round(float(np.clip(bme + rng.normal(0, 2.0), 1.0, 35.0)), 1)
        white = round(max(0.0, 100.0 - minority - max(0.5, not_recorded)), 1)
        caseload.append({"area_id": area.id, "total": int(rng.integers(2500, 9000)),
                         "white_percent": white, "minority_percent": minority,
                         "male_percent": round(100.0 - female, 1), "female_percent": female,
                         "source": SYNTHETIC})
        q = _logistic(np.array([area.quality]))[0]
        survey.append({"area_id": area.id, "year": 2013,
                       "responses": int(rng.integers(150, 800)),
                       "involved_percent": round(float(np.clip(
                           70 + 20 * q + rng.normal(0, 3), 50, 98))),
                       "positive_percent": round(float(np.clip(
                           68 + 20 * q + rng.normal(0, 3), 50, 98))),
                       "motivate_percent": round(float(np.clip(
                           66 + 20 * q + rng.normal(0, 3), 50, 98))),
                       "source": SYNTHETIC})
    la = pd.DataFrame(la_rows).sort_values(["area_id", "name"], kind="stable")
    cl = pd.DataFrame(caseload).sort_values("area_id", kind="stable")
    sv = pd.DataFrame(survey).sort_values("area_id", kind="stable")
    cl["total"] = cl["total"].astype("Int64")
    return {"local_authorities": la.reset_index(drop=True),
            "caseload": cl.reset_index(drop=True),
            "survey": sv.reset_index(drop=True)}


# writing -----------------------------------------------------------------------------------------
def to_csv_text(frame: pd.DataFrame, float_format: str = "%.1f") -> str:
    """A frame as deterministic CSV text: fixed float format, "\\n" line endings."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format=float_format, na_rep="")
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _case_text(frame: pd.DataFrame, bank: QuestionBank) -> str:
    """Case rows as CSV text: canonical column order, sorted by case id, blanks for n/a."""
    canonical = ["area_id", "case_id"] + [f.id for f in bank.fields] + [q.id for q in
                                                                         bank.questions]
    columns = [c for c in canonical if c in frame.columns]
    columns += [str(c) for c in frame.columns if c not in columns]
    rows = [[_cell(v) for v in rec] for rec in
            zip(*(frame[c].tolist() for c in columns), strict=True)]
    key = columns.index("case_id") if "case_id" in columns else 0
    rows.sort(key=lambda r: r[key])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def generate_areas(
    bank: QuestionBank, n_synthetic: int, seed: int
) -> list[GeneratedArea]:
    """The synthetic areas of one seed: names, stratified qualities and their cases."""
    top = np.random.default_rng(seed)
    names = synthetic_names(n_synthetic, top)
    lo, hi = QUALITY_RANGE
    # Stratified uniform draws: each area a uniform draw within its own slice of the range,
    # in random order, so even a handful of areas spreads across the range.
    slots = top.permutation(n_synthetic)
    qualities = lo + (hi - lo) * (slots + top.random(n_synthetic)) / max(n_synthetic, 1)
    sizes = top.integers(N_CASES_RANGE[0], N_CASES_RANGE[1] + 1, n_synthetic)
    bme = top.uniform(0.02, 0.15, n_synthetic)
    difficulty = question_difficulty(bank, seed)
    ids = [slug(name) for name in names]
    cases = _generate_block(bank, ids, [int(k) for k in sizes], [float(q) for q in qualities],
                            [abbreviation(name) for name in names], [float(b) for b in bme],
                            top, difficulty)
    groups = dict(tuple(cases.groupby("area_id", sort=False)))
    return [GeneratedArea(i, name, float(q), groups[i].reset_index(drop=True))
            for i, name, q in zip(ids, names, qualities, strict=True)]


def _reconstruct_dtv(bank: QuestionBank, seed: int) -> pd.DataFrame | None:
    try:
        from .reconstruct import reconstruct  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    frame: pd.DataFrame = reconstruct(bank, seed)
    return frame


def _remove_stale(cases_dir: Path, keep: set[str]) -> None:
    """Remove synthetic case files of an earlier run that this run does not write."""
    if not cases_dir.is_dir():
        return
    for path in sorted(cases_dir.glob("*.csv")):
        if path.stem == DTV_ID or path.stem in keep:
            continue
        try:
            with path.open(encoding="utf-8") as handle:
                handle.readline()
                first = handle.readline()
        except (OSError, UnicodeDecodeError):
            continue
        parts = first.split(",")
        if len(parts) > 1 and parts[1].startswith("SYN-"):
            path.unlink()


def regenerate(data_dir: Path, n_synthetic: int = 11, seed: int = 2014) -> list[Path]:
    """Write the bundled data: synthetic case files, context tables and ``areas.csv``.

    Durham Tees Valley's case file comes from :func:`analysis.reconstruct.reconstruct` when
    that module is present; it is listed in ``areas.csv`` only if its case file exists.
    """
    data_dir = Path(data_dir)
    bank = load_bank()
    areas = generate_areas(bank, n_synthetic, seed)
    written: list[Path] = []
    cases_dir = data_dir / "cases"

    dtv_file = cases_dir / f"{DTV_ID}.csv"
    dtv = _reconstruct_dtv(bank, seed)
    if dtv is not None:
        write_text(dtv_file, _case_text(dtv, bank))
        written.append(dtv_file)

    for area in areas:
        path = cases_dir / f"{area.id}.csv"
        write_text(path, _case_text(area.cases, bank))
        written.append(path)
    _remove_stale(cases_dir, {a.id for a in areas})

    context = generate_context(areas, np.random.default_rng([seed, 1]))
    for name in sorted(context):
        path = data_dir / "context" / f"{name}.csv"
        write_text(path, to_csv_text(context[name]))
        written.append(path)

    rows = []
    if dtv_file.exists():
        rows.append({"area_id": DTV_ID, "name": DTV_NAME, "label": "reconstructed",
                     "cases": f"cases/{DTV_ID}.csv"})
    for area in sorted(areas, key=lambda a: a.id):
        rows.append({"area_id": area.id, "name": area.name, "label": SYNTHETIC,
                     "cases": f"cases/{area.id}.csv"})
    path = data_dir / "areas.csv"
    write_text(path, to_csv_text(pd.DataFrame(rows, columns=["area_id", "name", "label",
                                                             "cases"])))
    written.append(path)
    return written


def score_spread(
    areas: Sequence[GeneratedArea], bank: QuestionBank, resamples: int = 50
) -> pd.DataFrame:
    """Outcome scores of generated areas (rows: areas; columns: outcome ids), for calibration."""
    from ..method.scoring import score_area
    from ..method.validation import validate_frame

    rows = {}
    for area in areas:
        frame, _ = validate_frame(area.cases, bank, area.id)
        scores = score_area(frame, bank, area.id, resamples=resamples).outcomes
        rows[area.id] = dict(zip(scores["outcome"], scores["score"], strict=True))
    return pd.DataFrame.from_dict(rows, orient="index")
