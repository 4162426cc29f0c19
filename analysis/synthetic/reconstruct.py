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
the board): two answers of one case correlate at the published file's ``reconstruction:
within_case_correlation`` (0.5) on the latent scale (:func:`noise_sd`). The case-level bootstrap
keeps that correlation, and each report's method note shows the intervals without it.
Applicability rules of the question bank are honoured: an answer is given exactly where a
question applies, or, for a question inspectors judged case by case, in as many applicable cases
as the report's base says.

Nothing here is real case data: :data:`METADATA_LABEL` says so wherever the data are shown.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import paths
from ..core.atomic import write_bytes
from ..method.bank import QuestionBank, load_bank
from ..method.published import Figure, Published, load_published, published_path
from .case_fields import Draw, assign, draw_fields, rosh_rank, violent
from .published_counts import Infeasible, ReconstructionError, count_for, gate_totals, pick

METADATA_LABEL = (
    "reconstructed from the published report: figures the report does not publish are synthetic"
)


AREA_ID = "durham-tees-valley"


CASE_PREFIX = "DTV-R-"


DEFAULT_SEED = 2014


MAX_ATTEMPTS = 200




def noise_sd(correlation: float) -> float:
    """The noise that gives two answers of one case this latent correlation.

    A scoring answer ranks cases by ``quality + sd * noise`` (both standard normal), so two
    answers of one case correlate at ``1 / (1 + sd**2)`` on that scale. The correlation is the
    published-figures file's ``reconstruction: within_case_correlation`` (0.5: sd 1).
    """
    return math.sqrt((1.0 - correlation) / correlation)


# Questions whose answer follows from the case fields rather than from a free allocation.
DERIVED_QUESTIONS = ("rosh_classification_correct",)


# Descriptive questions whose "yes" is a judgement of sufficient work (table 3.4) follow the
# latent quality like scoring questions do.
QUALITY_PARTS = ("_interventions", "_progress")


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
        counts[level] = count_for(fig, rng)
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


def _preference(draw: Draw, bank: QuestionBank, qid: str, rows: Sequence[int]) -> np.ndarray:
    """A ranking score per row: the first rows take the first (best) levels of the scale."""
    noise = draw.rng.standard_normal(len(rows))
    if not _follows_quality(bank, qid):
        return noise
    return draw.quality[list(rows)] + draw.noise_sd * noise


def _victim_weights(draw: Draw, bank: QuestionBank, rows: Sequence[int]) -> list[float]:
    """An identifiable victim is likelier in offences against the person, in higher-RoSH
    cases, and certain where there is a statutory victim."""
    out = []
    for r, w in zip(rows, violent(draw, rows), strict=True):
        if draw.frame["statutory_victim"].iat[r] == "yes":
            out.append(1e6)
        else:
            out.append(w * (1 + rosh_rank(draw, bank, r)))
    return out


def _question(draw: Draw, bank: QuestionBank, pub: Published,
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
        raise Infeasible(f"{qid}: base {n}, the rule holds in {len(rows)}")
    if qid in DERIVED_QUESTIONS:
        _derived(draw, qid, figs)
        return
    if n < len(rows):  # judged case by case: inspectors found it not applicable in the rest
        rows = pick(rows, n, draw.rng)
    counts = _level_counts(bank, qid, n, pub, gates, rates, draw.rng)
    if qid == "identifiable_victim":
        assign(draw, qid, counts, rows, {"yes": _victim_weights(draw, bank, rows)})
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


def _assign_crossed(draw: Draw, qid: str, counts: Mapping[str, int], rows: Sequence[int],
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
        inside = pick(stratum, fig.k or 0, draw.rng)
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


def _derived(draw: Draw, qid: str, figs: Sequence[Figure]) -> None:
    """RoSH classification is correct exactly where the area's and inspectors' RoSH agree."""
    agree = draw.frame["rosh_start"] == draw.frame["rosh_inspector"]
    draw.frame[qid] = agree.map({True: "yes", False: "no"}).astype(object)
    for fig in figs:
        if fig.k is not None and fig.level in (None, "yes") and int(agree.sum()) != fig.k:
            raise ReconstructionError(f"{qid}: RoSH tables give {int(agree.sum())} correct, "
                                      f"figure {fig.id} says {fig.k}")


def _attempt(bank: QuestionBank, pub: Published, seed: int, attempt: int) -> pd.DataFrame:
    """One complete draw; raises :class:`Infeasible` when a judged base cannot be met."""
    rng = np.random.default_rng([seed, attempt])
    columns = [f.id for f in bank.fields] + [q.id for q in bank.questions]
    frame = pd.DataFrame({c: pd.Series([pd.NA] * pub.cases, dtype=object) for c in columns})
    draw = Draw(frame, rng, rng.standard_normal(pub.cases),
                noise_sd(pub.within_case_correlation))
    gates = gate_totals(bank, pub)
    draw_fields(draw, bank, pub, gates)
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


def reconstruct(bank: QuestionBank, seed: int = DEFAULT_SEED, published: Path | None = None,
                correlation: float | None = None) -> pd.DataFrame:
    """The reconstructed wide case dataset: one row per case, canonical strings, "" for n/a.

    ``correlation`` overrides the published file's within-case correlation (for measuring
    what it does; the bundled data use the file's).

    Deterministic for a seed. A draw in which some judged base cannot be met (for instance too
    few cases with both a significant change and a risk management plan) is discarded and the
    next attempt of the same seed is drawn, so the result depends on the seed alone.
    """
    pub = load_published(published or published_path(paths.data_dir(), AREA_ID))
    if correlation is not None:
        pub = replace(pub, within_case_correlation=correlation)
    last = ""
    for attempt in range(MAX_ATTEMPTS):
        try:
            frame = _attempt(bank, pub, seed, attempt)
            break
        except Infeasible as exc:
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
