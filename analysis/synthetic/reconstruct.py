"""Reconstruct Durham Tees Valley's 87 inspected cases from its published report.

The May 2014 report publishes percentages and counts, not case records. This module builds a
case-level dataset that reproduces **every** figure in ``data/published/durham-tees-valley.yaml``
(each count, each base and each rounded percentage) and fills everything the report leaves free
synthetically, from a seed:

- which cases carry which answers (the report never says which case was which);
- the split of counts the report does not publish (sex, ethnicity, the smaller offence groups,
  high against medium RoSH, whether unreported community sentences were orders or suspended);
- counts published only as a bound ("over 80%", "most", "not always"): a count just past the
  bound, as such phrases usually mean;
- the two scoring questions no figure covers: they score like the published questions of their
  criterion.

Answers to scoring questions follow a latent case quality (a good case tends to be good across
the board), so the reconstruction keeps the within-case correlation the case-level bootstrap in
:mod:`analysis.scoring` relies on. Applicability rules of the question bank are honoured: an
answer is given exactly where a question applies, or, for a question inspectors judged case by
case, in as many applicable cases as the report's base says.

Nothing here is real case data: :data:`METADATA_LABEL` says so wherever the data are shown.
"""

from __future__ import annotations

import ast
import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import paths
from ..core.atomic import write_bytes
from ..method.bank import QuestionBank, load_bank
from ..method.published import Figure, Published, load_published, published_path
from ..method.rules import Rule

METADATA_LABEL = (
    "reconstructed from the published report: figures the report does not publish are synthetic"
)
AREA_ID = "durham-tees-valley"
CASE_PREFIX = "DTV-R-"
DEFAULT_SEED = 2014
NOT_RECORDED = "not_recorded"
MAX_ATTEMPTS = 200

# How strongly a scoring answer follows the case's latent quality: the ranking score is
# quality + NOISE_SD * noise, so two questions of one case correlate at about 1 / (1 + NOISE_SD²).
NOISE_SD = 1.0

# Synthetic shares for what Appendix 2 shows only as unlabelled charts (no numbers in the text).
SYNTHETIC_SHARES: dict[str, dict[str, float]] = {
    "sex": {"male": 0.885, "female": 0.115},
    "ethnicity": {"white": 0.955, "black_minority_ethnic": 0.035, "not_recorded": 0.01},
    # offence groups the report does not count (only the three most prevalent are published)
    "offence_group": {"drugs": 10, "motoring": 8, "sexual": 5, "robbery": 2,
                      "fraud_forgery": 2, "criminal_damage": 2, "other": 2},
    # inspectors' RoSH among the cases needing a risk management plan (medium or above)
    "rosh_inspector": {"medium": 0.70, "high": 0.27, "very_high": 0.03},
}

# Offences against the person: MAPPA eligibility, statutory victim contact, an identifiable
# victim and a higher RoSH are drawn preferring these.
VIOLENT_OFFENCES = ("violence", "sexual", "robbery")
# Statutory victim contact follows a custodial sentence of 12 months or more for a violent or
# sexual offence, so in this sample it is a licence case (assumptions in the published file).
STATUTORY_VICTIM_CASE_TYPE = "licence"
# Questions whose answer follows from the case fields rather than from a free allocation.
DERIVED_QUESTIONS = ("rosh_classification_correct",)
# Descriptive questions whose "yes" is a judgement of sufficient work (table 3.4) follow the
# latent quality like scoring questions do.
QUALITY_PARTS = ("_interventions", "_progress")


class ReconstructionError(ValueError):
    """The published figures cannot all hold at once (or the file is malformed)."""


class _Infeasible(Exception):
    """One random draw left a judged base larger than the cases its rule allows; draw again."""


def round_half_up(k: int, n: int) -> int:
    """100·k/n rounded half up, as the report rounds (Python's round() rounds half to even)."""
    return int((Decimal(100 * k) / Decimal(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def satisfies(k: int, n: int, percent: float, op: str) -> bool:
    """Does k of n match a published percentage with its comparison ('=' means as rounded)?"""
    if op == "=":
        return round_half_up(k, n) == percent
    x = 100 * k / n
    checks = {">": x > percent, "<": x < percent, ">=": x >= percent, "<=": x <= percent}
    if op not in checks:
        raise ReconstructionError(f"unknown comparison '{op}'")
    return checks[op]


def _count_for(fig: Figure, rng: np.random.Generator) -> int:
    """The count behind a figure: k when published, else a count that honours the percentage.

    For a bound ("over 80%", "fewer than 70%", "not always") the count is drawn from the quarter
    of the allowed counts nearest the bound, as such phrases rarely mean far past it.
    """
    if fig.k is not None:
        return fig.k
    if fig.percent is None:
        raise ReconstructionError(f"figure {fig.id}: neither k nor percent")
    allowed = [k for k in range(fig.n + 1) if satisfies(k, fig.n, fig.percent, fig.op)]
    if not allowed:
        raise ReconstructionError(f"figure {fig.id}: no count of {fig.n} gives {fig.percent}%")
    threshold = fig.percent * fig.n / 100
    allowed.sort(key=lambda k: (abs(k - threshold), k))
    near = allowed[: max(1, math.ceil(len(allowed) / 4))]
    return int(near[int(rng.integers(len(near)))])


# --------------------------------------------------------------------------- small helpers


def _largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` into integers that add up exactly."""
    norm = sum(weights.values())
    raw = {k: total * w / norm for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in raw.items()}
    short = total - sum(out.values())
    for key in sorted(raw, key=lambda k: (out[k] - raw[k], k))[:short]:
        out[key] += 1
    return out


def _pick(rows: Sequence[int], k: int, rng: np.random.Generator,
          weights: Sequence[float] | None = None) -> list[int]:
    """k distinct rows, at random or in proportion to ``weights`` (Efraimidis-Spirakis keys)."""
    if k > len(rows):
        raise _Infeasible(f"need {k} rows, have {len(rows)}")
    w = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    keys = rng.random(len(rows)) ** (1.0 / w)
    order = np.argsort(-keys, kind="stable")
    return sorted(int(rows[i]) for i in order[:k])


def _simple_gate(rule: Rule | None) -> tuple[str, frozenset[str]] | None:
    """``name == "x"`` or ``name in [...]`` as (name, levels); None for anything else."""
    if rule is None:
        return None
    body = rule.tree.body
    if not (isinstance(body, ast.Compare) and len(body.ops) == 1
            and isinstance(body.ops[0], ast.Eq | ast.In) and isinstance(body.left, ast.Name)):
        return None
    right = body.comparators[0]
    values = right.elts if isinstance(right, ast.List | ast.Tuple) else [right]
    if not all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
        return None
    return body.left.id, frozenset(str(v.value) for v in values if isinstance(v, ast.Constant))


def gate_totals(bank: QuestionBank, pub: Published) -> dict[tuple[str, frozenset[str]], int]:
    """Counts the report implies through bases: a question that applies exactly where
    ``name in levels`` (and is not judged case by case) has that many cases as its base.

    This is how, for instance, the 72 cases the inspectors rated medium RoSH or above come
    from the base of the risk management plan figures, and the 60 cases with an identifiable
    victim from the base of the victim-safety figures.
    """
    out: dict[tuple[str, frozenset[str]], int] = {}
    for q in bank.questions:
        gate = _simple_gate(q.applies_when)
        figs = pub.on(q.id)
        if gate is None or q.judged or not figs:
            continue
        previous = out.setdefault(gate, figs[0].n)
        if previous != figs[0].n:
            raise ReconstructionError(f"bases disagree for {gate[0]} in {sorted(gate[1])}: "
                                      f"{previous} and {figs[0].n}")
    return out


# --------------------------------------------------------------------------- case fields


@dataclass
class _Draw:
    """One attempt's working state: the case frame (NA = not applicable) and its randomness."""

    frame: pd.DataFrame
    rng: np.random.Generator
    quality: np.ndarray

    @property
    def rows(self) -> list[int]:
        return list(range(len(self.frame)))

    def where(self, name: str, levels: Iterable[str]) -> list[int]:
        col = self.frame[name]
        wanted = set(levels)
        return [i for i in self.rows if col.iat[i] is not pd.NA and col.iat[i] in wanted]


def _field_counts(pub: Published, field: str, total: int,
                  rng: np.random.Generator) -> tuple[dict[str, int], int]:
    """Published counts of a field's levels, and the base they are counted over."""
    figs = pub.on(field, "field")
    counts = {str(f.level): _count_for(f, rng) for f in figs}
    base = figs[0].n if figs else total
    return counts, base


def _assign(draw: _Draw, name: str, counts: Mapping[str, int], rows: Sequence[int],
            weights: Mapping[str, Sequence[float]] | None = None) -> None:
    """Give each level its count among ``rows``, in scale order, optionally weighted per level."""
    free = list(rows)
    for level, k in counts.items():
        w = None
        if weights and level in weights:
            lookup = dict(zip(rows, weights[level], strict=True))
            w = [lookup[r] for r in free]
        chosen = _pick(free, k, draw.rng, w)
        draw.frame.loc[chosen, name] = level
        taken = set(chosen)
        free = [r for r in free if r not in taken]
    if free:
        raise ReconstructionError(f"{name}: {len(free)} cases left without a level")


def _case_types(draw: _Draw, bank: QuestionBank, pub: Published,
                gates: Mapping[tuple[str, frozenset[str]], int]) -> None:
    """Licences as published; community sentences split between the two order types.

    The report counts orders made only where a report was written (15 suspended, 32 community
    orders); the no-report cases' order types are free, drawn at random.
    """
    total = len(draw.frame)
    counts, _ = _field_counts(pub, "case_type", total, draw.rng)
    levels = bank.scale_of("case_type").levels
    community = [lv for lv in levels if lv not in counts]
    rest = total - sum(counts.values())
    minimum = {lv: sum(f.k or 0 for f in pub.crosstabs("case_type", "report_type")
                       if lv in f.row_level) for lv in community}
    spare = rest - sum(minimum.values())
    if spare < 0:
        raise ReconstructionError("case_type: crosstab counts exceed the community sentences")
    split = draw.rng.multinomial(spare, np.full(len(community), 1 / len(community)))
    for lv, extra in zip(community, split, strict=True):
        counts[lv] = minimum[lv] + int(extra)
    gated = gates.get(("case_type", frozenset(community)))
    if gated is not None and gated != rest:
        raise ReconstructionError(f"case_type: {rest} community sentences, bases say {gated}")
    _assign(draw, "case_type", {lv: counts[lv] for lv in levels}, draw.rows)


def _offence_groups(draw: _Draw, bank: QuestionBank, pub: Published) -> None:
    """Published groups as counted over the cases with a recorded offence; the rest synthetic.

    Groups the report does not count must stay below its smallest published group, since the
    report names the published ones as the most prevalent.
    """
    total = len(draw.frame)
    counts, base = _field_counts(pub, "offence_group", total, draw.rng)
    counts[NOT_RECORDED] = total - base
    rest = base - sum(v for k, v in counts.items() if k != NOT_RECORDED)
    others = _largest_remainder(rest, SYNTHETIC_SHARES["offence_group"])
    cap = min((v for k, v in counts.items() if k != NOT_RECORDED), default=total)
    if any(v >= cap for v in others.values()):
        raise ReconstructionError("offence_group: a synthetic group would outnumber a "
                                  "published one")
    counts.update(others)
    levels = bank.scale_of("offence_group").levels
    _assign(draw, "offence_group", {lv: counts.get(lv, 0) for lv in levels}, draw.rows)


def _synthetic_field(draw: _Draw, bank: QuestionBank, field: str) -> None:
    """A field the report does not count: synthetic shares, at random across cases."""
    counts = _largest_remainder(len(draw.frame), SYNTHETIC_SHARES[field])
    levels = bank.scale_of(field).levels
    _assign(draw, field, {lv: counts.get(lv, 0) for lv in levels}, draw.rows)


def _violent(draw: _Draw, rows: Sequence[int], factor: float = 3.0) -> list[float]:
    """Weights favouring offences against the person."""
    col = draw.frame["offence_group"]
    return [factor if col.iat[r] in VIOLENT_OFFENCES else 1.0 for r in rows]


def _rosh(draw: _Draw, bank: QuestionBank, pub: Published,
          gates: Mapping[tuple[str, frozenset[str]], int]) -> None:
    """Inspectors' RoSH from the plan base; the area's RoSH from the published disagreements.

    The cases needing a risk management plan fix how many the inspectors rated medium or above;
    its split into medium, high and very high is synthetic. Every published off-diagonal cell of
    the area-against-inspectors table (9 low->medium, 4 medium->high) moves that many cases'
    recorded RoSH; every other case agrees.
    """
    total = len(draw.frame)
    scale = bank.scale_of("rosh_inspector").levels
    high_levels = [lv for lv in scale if lv in SYNTHETIC_SHARES["rosh_inspector"]]
    n_high = gates.get(("rosh_inspector", frozenset(high_levels)))
    if n_high is None:
        raise ReconstructionError("no base tells how many cases inspectors rated medium or above")
    counts = _largest_remainder(n_high, SYNTHETIC_SHARES["rosh_inspector"])
    counts.update({lv: 0 for lv in scale if lv not in high_levels})
    counts[scale[0]] = total - n_high
    order = {lv: i for i, lv in enumerate(scale)}
    # Higher levels first, favouring violent offences, so that they are not left to chance.
    free = draw.rows
    for lv in sorted(scale, key=lambda v: -order[v]):
        chosen = _pick(free, counts[lv], draw.rng, _violent(draw, free) if order[lv] else None)
        draw.frame.loc[chosen, "rosh_inspector"] = lv
        free = [r for r in free if r not in set(chosen)]
    draw.frame["rosh_start"] = draw.frame["rosh_inspector"]
    moved: set[int] = set()
    for fig in pub.crosstabs("rosh_start", "rosh_inspector"):
        (start,), (inspector,) = fig.row_level, fig.col_level
        if start == inspector or not fig.k:
            continue
        rows = [r for r in draw.where("rosh_inspector", [inspector]) if r not in moved]
        chosen = _pick(rows, fig.k, draw.rng)
        draw.frame.loc[chosen, "rosh_start"] = start
        moved.update(chosen)


def _yes_field(draw: _Draw, pub: Published, field: str, rows: Sequence[int],
               weights: Sequence[float] | None) -> None:
    """A yes/no field with a published count of "yes", drawn among ``rows``."""
    counts, _ = _field_counts(pub, field, len(draw.frame), draw.rng)
    chosen = _pick(rows, counts.get("yes", 0), draw.rng, weights)
    draw.frame[field] = "no"
    draw.frame.loc[chosen, field] = "yes"


def _rosh_rank(draw: _Draw, bank: QuestionBank, row: int) -> int:
    """The inspectors' RoSH of a case as a rank (0 = low)."""
    return bank.scale_of("rosh_inspector").levels.index(str(draw.frame["rosh_inspector"].iat[row]))


def _fields(draw: _Draw, bank: QuestionBank, pub: Published,
            gates: Mapping[tuple[str, frozenset[str]], int]) -> None:
    """Every case field, published counts first, then synthetic ones."""
    _case_types(draw, bank, pub, gates)
    _offence_groups(draw, bank, pub)
    _synthetic_field(draw, bank, "sex")
    _synthetic_field(draw, bank, "ethnicity")
    _rosh(draw, bank, pub, gates)
    mappa_w = [w * (1 + _rosh_rank(draw, bank, r)) for r, w in
               zip(draw.rows, _violent(draw, draw.rows), strict=True)]
    _yes_field(draw, pub, "mappa_eligible", draw.rows, mappa_w)
    licences = draw.where("case_type", [STATUTORY_VICTIM_CASE_TYPE])
    _yes_field(draw, pub, "statutory_victim", licences, _violent(draw, licences, 5.0))


# --------------------------------------------------------------------------- questions


def _level_counts(bank: QuestionBank, qid: str, n: int, pub: Published,
                  gates: Mapping[tuple[str, frozenset[str]], int],
                  criterion_rates: Mapping[str, float], rng: np.random.Generator) -> dict[str, int]:
    """How many of the question's n applicable cases take each level.

    Published levels first (a figure without a level counts the sufficient answers); the
    remainder goes to the levels no figure names. A question with no figure takes its "yes"
    count from a base the report implies, or, if scoring, the mean published rate of its
    criterion.
    """
    q = bank.question_by_id[qid]
    scale = bank.scales[q.scale]
    counts: dict[str, int] = {}
    for fig in pub.on(qid, "question"):
        level = fig.level or scale.sufficient[0]
        counts[level] = _count_for(fig, rng)
    if not counts:
        implied = gates.get((qid, frozenset({"yes"})))
        if implied is not None and "yes" in scale.levels:
            counts["yes"] = implied
        elif q.scoring:
            rate = criterion_rates.get(q.criterion, 0.5)
            counts[scale.sufficient[0]] = int(Decimal(rate * n).quantize(
                Decimal(1), rounding=ROUND_HALF_UP))
    rest = n - sum(counts.values())
    if rest < 0:
        raise ReconstructionError(f"{qid}: published counts add up to more than {n}")
    unnamed = [lv for lv in scale.levels if lv not in counts and lv not in scale.sufficient]
    if rest and not unnamed:
        raise ReconstructionError(f"{qid}: {rest} cases left with no level to take")
    if unnamed:
        split = rng.multinomial(rest, np.full(len(unnamed), 1 / len(unnamed)))
        counts.update({lv: int(c) for lv, c in zip(unnamed, split, strict=True)})
    return {lv: counts.get(lv, 0) for lv in scale.levels}


def criterion_rates(bank: QuestionBank, pub: Published) -> dict[str, float]:
    """Mean published sufficient share of each criterion's scoring questions."""
    shares: dict[str, list[float]] = {}
    for q in bank.scoring_questions():
        for fig in pub.on(q.id, "question"):
            if fig.level is None and fig.k is not None:
                shares.setdefault(q.criterion, []).append(fig.k / fig.n)
    return {c: float(np.mean(v)) for c, v in shares.items()}


def _follows_quality(bank: QuestionBank, qid: str) -> bool:
    """Is the question a judgement of the work's quality (so answers follow case quality)?"""
    q = bank.question_by_id[qid]
    if q.scoring:
        return True
    if q.factor is not None:
        return qid.endswith(QUALITY_PARTS)
    return bank.scales[q.scale].ordered


def _preference(draw: _Draw, bank: QuestionBank, qid: str, rows: Sequence[int]) -> np.ndarray:
    """A ranking score per row: the first rows take the first (best) levels of the scale."""
    noise = draw.rng.standard_normal(len(rows))
    if not _follows_quality(bank, qid):
        return noise
    return draw.quality[list(rows)] + NOISE_SD * noise


def _victim_weights(draw: _Draw, bank: QuestionBank, rows: Sequence[int]) -> list[float]:
    """An identifiable victim is likelier in offences against the person, in higher-RoSH
    cases, and certain where there is a statutory victim."""
    out = []
    for r, w in zip(rows, _violent(draw, rows), strict=True):
        if draw.frame["statutory_victim"].iat[r] == "yes":
            out.append(1e6)
        else:
            out.append(w * (1 + _rosh_rank(draw, bank, r)))
    return out


def _question(draw: _Draw, bank: QuestionBank, pub: Published,
              gates: Mapping[tuple[str, frozenset[str]], int],
              rates: Mapping[str, float], qid: str) -> None:
    """Answer one question in every case where it applies (and only there)."""
    q = bank.question_by_id[qid]
    frame = draw.frame
    holds = (q.applies_when.evaluate(frame) if q.applies_when is not None
             else pd.Series(True, index=frame.index))
    rows = [i for i in draw.rows if bool(holds.iat[i])]
    figs = pub.on(qid, "question")
    n = figs[0].n if figs else len(rows)
    if n > len(rows) or (n < len(rows) and not q.judged):
        raise _Infeasible(f"{qid}: base {n}, the rule holds in {len(rows)}")
    if qid in DERIVED_QUESTIONS:
        _derived(draw, qid, figs)
        return
    if n < len(rows):  # judged case by case: inspectors found it not applicable in the rest
        rows = _pick(rows, n, draw.rng)
    counts = _level_counts(bank, qid, n, pub, gates, rates, draw.rng)
    if qid == "identifiable_victim":
        _assign(draw, qid, counts, rows, {"yes": _victim_weights(draw, bank, rows)})
        return
    crossed = column_crosstabs(pub, qid)
    if crossed:
        _assign_crossed(draw, qid, counts, rows, crossed)
        return
    score = _preference(draw, bank, qid, rows)
    ranked = [rows[i] for i in np.argsort(-score, kind="stable")]
    start = 0
    for level, k in counts.items():
        frame.loc[ranked[start:start + k], qid] = level
        start += k


def column_crosstabs(pub: Published, qid: str) -> list[Figure]:
    """Crosstab figures whose column variable is this question."""
    return [f for f in pub.figures if f.kind == "crosstab" and f.col_field == qid]


def _assign_crossed(draw: _Draw, qid: str, counts: Mapping[str, int], rows: Sequence[int],
                    figs: Sequence[Figure]) -> None:
    """Allocate levels so each published cell (row level x any of some column levels) holds.

    Within a crossed stratum exactly k cases take one of the cell's levels and the others take
    a level outside it; the cases outside every stratum take what is left.
    """
    pool = dict(counts)

    def draw_levels(k: int, allowed: Sequence[str]) -> list[str]:
        out = []
        for _ in range(k):
            avail = [lv for lv in allowed if pool[lv] > 0]
            if not avail:
                raise ReconstructionError(f"{qid}: published cells exceed the level counts")
            weights = np.array([pool[lv] for lv in avail], dtype=float)
            lv = avail[int(draw.rng.choice(len(avail), p=weights / weights.sum()))]
            pool[lv] -= 1
            out.append(lv)
        return out

    done: set[int] = set()
    for fig in figs:
        stratum = [r for r in rows if draw.frame[fig.name].iat[r] in fig.row_level]
        inside = _pick(stratum, fig.k or 0, draw.rng)
        outside = [r for r in stratum if r not in set(inside)]
        others = [lv for lv in counts if lv not in fig.col_level]
        for r, lv in zip(inside, draw_levels(len(inside), fig.col_level), strict=True):
            draw.frame.at[r, qid] = lv
        for r, lv in zip(outside, draw_levels(len(outside), others), strict=True):
            draw.frame.at[r, qid] = lv
        done.update(stratum)
    rest = [r for r in rows if r not in done]
    for r, lv in zip(rest, draw_levels(len(rest), list(counts)), strict=True):
        draw.frame.at[r, qid] = lv


def _derived(draw: _Draw, qid: str, figs: Sequence[Figure]) -> None:
    """RoSH classification is correct exactly where the area's and inspectors' RoSH agree."""
    agree = draw.frame["rosh_start"] == draw.frame["rosh_inspector"]
    draw.frame[qid] = agree.map({True: "yes", False: "no"}).astype(object)
    for fig in figs:
        if fig.k is not None and fig.level in (None, "yes") and int(agree.sum()) != fig.k:
            raise ReconstructionError(f"{qid}: RoSH tables give {int(agree.sum())} correct, "
                                      f"figure {fig.id} says {fig.k}")


# --------------------------------------------------------------------------- the whole dataset


def _attempt(bank: QuestionBank, pub: Published, seed: int, attempt: int) -> pd.DataFrame:
    """One complete draw; raises :class:`_Infeasible` when a judged base cannot be met."""
    rng = np.random.default_rng([seed, attempt])
    columns = [f.id for f in bank.fields] + [q.id for q in bank.questions]
    frame = pd.DataFrame({c: pd.Series([pd.NA] * pub.cases, dtype=object) for c in columns})
    draw = _Draw(frame, rng, rng.standard_normal(pub.cases))
    gates = gate_totals(bank, pub)
    _fields(draw, bank, pub, gates)
    rates = criterion_rates(bank, pub)
    for qid in _question_order(bank):
        _question(draw, bank, pub, gates, rates, qid)
    return draw.frame


def _question_order(bank: QuestionBank) -> list[str]:
    """Questions ordered so every rule is evaluated after the answers it reads."""
    qids = set(bank.question_by_id)
    done: list[str] = []

    def visit(qid: str) -> None:
        if qid in done:
            return
        rule = bank.question_by_id[qid].applies_when
        for dep in sorted((rule.names if rule else frozenset()) & qids):
            visit(dep)
        done.append(qid)

    for q in bank.questions:
        visit(q.id)
    return done


def reconstruct(bank: QuestionBank, seed: int = DEFAULT_SEED,
                published: Path | None = None) -> pd.DataFrame:
    """The reconstructed wide case dataset: one row per case, canonical strings, "" for n/a.

    Deterministic for a seed. A draw in which some judged base cannot be met (for instance too
    few cases with both a significant change and a risk management plan) is discarded and the
    next attempt of the same seed is drawn, so the result depends on the seed alone.
    """
    pub = load_published(published or published_path(paths.data_dir(), AREA_ID))
    last = ""
    for attempt in range(MAX_ATTEMPTS):
        try:
            frame = _attempt(bank, pub, seed, attempt)
            break
        except _Infeasible as exc:
            last = str(exc)
    else:
        raise ReconstructionError(f"no consistent reconstruction in {MAX_ATTEMPTS} draws: {last}")
    rng = np.random.default_rng([seed, attempt, 1])
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    width = max(3, len(str(len(frame))))
    ids = pd.DataFrame({
        "area_id": [pub.area_id] * len(frame),
        "case_id": [f"{CASE_PREFIX}{i + 1:0{width}d}" for i in range(len(frame))],
    }, dtype=object)
    frame = pd.concat([ids, frame], axis=1)
    return frame.where(frame.notna(), "").astype(object)


def case_text(frame: pd.DataFrame, bank: QuestionBank) -> str:
    """The CSV text of a case frame: canonical column order, sorted by case id, "\\n" endings."""
    canonical = ["area_id", "case_id"] + [f.id for f in bank.fields] + [q.id for q in bank]
    columns = [c for c in canonical if c in frame.columns]
    rows = sorted(([("" if v is pd.NA else str(v)) for v in rec]
                   for rec in frame[columns].itertuples(index=False, name=None)),
                  key=lambda r: r[1])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def write_reconstruction(data_dir: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write ``cases/durham-tees-valley.csv`` under ``data_dir`` (atomically) and return it."""
    data_dir = Path(data_dir)
    bank = load_bank(data_dir / "question_bank.yaml")
    published = data_dir / "published" / f"{AREA_ID}.yaml"
    frame = reconstruct(bank, seed, published if published.exists() else None)
    target = data_dir / "cases" / f"{AREA_ID}.csv"
    write_bytes(target, case_text(frame, bank).encode("utf-8"))
    return target
