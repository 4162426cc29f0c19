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
  are hard in every area) and ``u_case`` is a case random effect (sd 0.8, a latent within-case
  correlation of 0.16: :data:`WITHIN_CASE_CORRELATION`);
- descriptive answers (progress, further offending, compliance, report type, factors...)
  linked to the same case quality.

Durham Tees Valley is reconstructed from its published report by :mod:`analysis.reconstruct`
(written separately); :func:`regenerate` calls it when it is present.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..core.atomic import write_text
from ..method.bank import QuestionBank, load_bank
from .answers import (
    DEFAULT_YES_RATE,
    DESCRIPTIVE,
    YES_RATES,
    Array,
    CaseState,
    GeneratedArea,
    Strings,
    answer_order,
    case_state,
    choice,
    factor_answer,
    logistic,
    rate,
    rowwise_choice,
    yes_no,
)
from .demographics import generate_context
from .names import DTV_ID, DTV_NAME, SYNTHETIC, abbreviation, slug, synthetic_names

#: The quality range areas are drawn from (logit scale); calibrated so that outcome scores
#: spread from about 50% to about 95% across areas (see ``score_spread``).
QUALITY_RANGE = (0.15, 3.2)


N_CASES_RANGE = (50, 90)


#: The case random effect ``u_case`` (sd, logit scale): what makes one case's answers go
#: together (a case done well tends to be done well throughout).
CASE_SD = 0.8
#: The within-case correlation it gives: two scoring answers of one case correlate at
#: ``CASE_SD**2 / (CASE_SD**2 + pi**2 / 3)`` on the latent logistic scale (0.16).
WITHIN_CASE_CORRELATION = CASE_SD**2 / (CASE_SD**2 + math.pi**2 / 3)


QUESTION_SD = 0.75  # question difficulty, drawn once per generator seed


AREA_OUTCOME_SD = 0.3  # an area's strength or weakness in one outcome


AREA_QUESTION_SD = 0.3  # an area's strength or weakness in one question


JUDGED_NOT_REQUIRED = 0.15  # share of applicable cases inspectors judge "not required"


DIFFICULTY_SEED = 2014


AREA_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


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


def _fields(rng: np.random.Generator, n: int, quality: Array,
            bme_share: Array) -> dict[str, Strings]:
    case_type = choice(rng, list(CASE_TYPES), list(CASE_TYPES.values()), n)
    sex = choice(rng, ["male", "female"], [0.88, 0.12], n)
    ethnicity = rowwise_choice(rng, ("white", "black_minority_ethnic", "not_recorded"),
                                np.column_stack([1.0 - bme_share - 0.03, bme_share,
                                                 np.full(n, 0.03)]))
    offence = choice(rng, list(OFFENCES), list(OFFENCES.values()), n)
    probs = np.array([ROSH_BY_TYPE[str(t)] for t in case_type], dtype=float)
    serious = np.isin(offence, ["sexual", "robbery"])
    probs[serious] = probs[serious] * np.array([0.3, 1.0, 2.0, 2.0])
    rosh_start = rowwise_choice(rng, ROSH_LEVELS, probs)
    # Inspectors mostly agree with the recorded RoSH; they disagree more in weaker cases,
    # and more often judge it one level too low than too high.
    level = np.array([ROSH_LEVELS.index(str(r)) for r in rosh_start])
    differ = rng.random(n) < 0.04 + 0.30 * (1.0 - quality)
    step = np.where(rng.random(n) < 0.75, 1, -1)
    judged = np.where(differ, np.clip(level + step, 0, 3), level)
    rosh_inspector = np.asarray(np.array(ROSH_LEVELS, dtype=object)[judged], dtype=object)
    mappa_p = np.array([MAPPA_BY_ROSH[str(r)] for r in rosh_inspector])
    mappa_p = np.where(offence == "sexual", 0.95, mappa_p)
    mappa = yes_no(rng.random(n) < mappa_p)
    # A statutory duty follows custodial sentences for violent or sexual offences: in
    # practice licences, now and then a suspended sentence order, almost never otherwise.
    licence = case_type == "licence"
    victim_p = np.select([licence, case_type == "suspended_sentence_order"], [0.18, 0.03], 0.005)
    victim_p = victim_p + np.where(np.isin(offence, ["violence", "sexual", "robbery"]) &
                                   licence, 0.10, 0.0)
    victim_p = victim_p + np.where((judged >= 2) & (case_type != "community_order"), 0.08, 0.0)
    statutory = yes_no(rng.random(n) < victim_p)
    return {"case_type": case_type, "sex": sex, "ethnicity": ethnicity, "offence_group": offence,
            "rosh_start": rosh_start, "rosh_inspector": rosh_inspector,
            "mappa_eligible": mappa, "statutory_victim": statutory}


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


@dataclass(frozen=True)
class _Latent:
    """The latent model's parts a scoring answer needs."""

    eta: Array  # each case's latent quality (area effect + case effect), logit scale
    area: npt.NDArray[np.int64]  # each case's area, as an index
    outcome_effect: dict[int, Array]  # per outcome, each area's strength or weakness
    difficulty: Mapping[str, float]


def _scoring_answer(rng: np.random.Generator, bank: QuestionBank, qid: str, state: CaseState,
                    cols: dict[str, Strings], latent: _Latent) -> Strings:
    """Sufficient with the latent model's probability; otherwise one of the other levels."""
    q = bank.question_by_id[qid]
    scale = bank.scales[q.scale]
    n = len(latent.eta)
    n_areas = len(next(iter(latent.outcome_effect.values())))
    offset = np.mean([latent.outcome_effect.get(o, np.zeros(n_areas)) for o in q.outcomes],
                     axis=0)
    noise = rng.normal(0.0, AREA_QUESTION_SD, n_areas)
    logit = latent.eta + (offset + noise)[latent.area] + latent.difficulty.get(qid, 0.0)
    good = rng.random(n) < logistic(logit)
    if qid == "rosh_classification_correct":
        good = np.asarray(cols["rosh_start"] == cols["rosh_inspector"], dtype=bool)
    bad_levels = [lv for lv in scale.levels if lv not in scale.sufficient]
    if bad_levels == ["insufficient", "none"]:
        none = rng.random(n) < 0.15 + 0.35 * (1.0 - state.quality)
        bad = np.where(none, "none", "insufficient")
    else:
        bad = choice(rng, bad_levels, [1.0] * len(bad_levels), n)
    return np.where(good, scale.sufficient[0], bad).astype(object)


def _answer(rng: np.random.Generator, bank: QuestionBank, qid: str, state: CaseState,
            cols: dict[str, Strings], latent: _Latent) -> Strings:
    """Every case's answer to one question, before applicability blanks it."""
    q = bank.question_by_id[qid]
    scale = bank.scales[q.scale]
    if qid in DESCRIPTIVE:  # a case outcome with its own model, scoring or not (progress)
        return DESCRIPTIVE[qid](rng, state, cols)
    if q.scoring:
        return _scoring_answer(rng, bank, qid, state, cols, latent)
    if q.factor is not None:
        return factor_answer(rng, state, qid, q.factor)
    if scale.levels == ("yes", "no"):
        return rate(YES_RATES.get(qid, DEFAULT_YES_RATE))(rng, state, cols)
    return choice(rng, scale.levels, [1.0] * len(scale.levels), len(latent.eta))


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
    state = case_state(rng, n, eta, bank)
    cols: dict[str, Strings] = _fields(rng, n, state.quality,
                                       np.asarray(bme_shares, dtype=float)[area])
    outcome_effect = {o.id: rng.normal(0.0, AREA_OUTCOME_SD, n_areas) for o in bank.outcomes}

    for qid in answer_order(bank):
        q = bank.question_by_id[qid]
        if q.applies_when is None:
            holds = np.ones(n, dtype=bool)
        else:
            view = pd.DataFrame({name: pd.Series(cols[name], dtype=object).where(
                cols[name] != "", pd.NA) for name in q.applies_when.names if name in cols},
                index=range(n))
            holds = q.applies_when.evaluate(view).to_numpy(dtype=bool)
        answer = _answer(rng, bank, qid, state, cols, _Latent(eta, area, outcome_effect,
                                                              difficulty))
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
    write_text(path, to_csv_text(keep_listing(path, pd.DataFrame(rows, columns=AREA_COLUMNS))))
    written.append(path)
    return written


AREA_COLUMNS = ["area_id", "name", "label", "cases"]


def keep_listing(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """The new area rows in the order of the ``areas.csv`` they replace (new areas last), with
    its other columns (groupings such as the inspection blocks) kept for the areas it listed.

    An area the old file did not list joins the groups of each grouping in turn (the groups in
    the order they first appear), so that the file always builds: a grouping column needs a
    group for every area. A grouping whose groups the kept areas no longer use is dropped."""
    if not path.exists():
        return frame
    old = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "area_id" not in old.columns:
        return frame
    extra = [c for c in old.columns if c not in AREA_COLUMNS]
    order = {a: i for i, a in enumerate(old["area_id"])}
    merged = frame.merge(old[["area_id", *extra]], on="area_id", how="left").fillna("")
    rank = [order.get(a, len(order) + i) for i, a in enumerate(merged["area_id"])]
    merged = merged.iloc[sorted(range(len(merged)), key=rank.__getitem__)].reset_index(drop=True)
    for grouping in [c for c in extra if f"{c}{GROUP_LABEL}" in extra]:
        merged = _assign_groups(merged, grouping)
    return merged


GROUP_LABEL = "_label"


def _assign_groups(frame: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """Areas without a group of ``grouping`` join its groups in turn; with no group left to
    join, the grouping's two columns are dropped."""
    label = f"{grouping}{GROUP_LABEL}"
    kept = frame[frame[grouping] != ""]
    groups = dict(zip(kept[grouping], kept[label], strict=True))
    if not groups:
        return frame.drop(columns=[grouping, label])
    ids = list(groups)
    empty = frame.index[frame[grouping] == ""]
    frame = frame.copy()
    for i, row in enumerate(empty):
        frame.loc[row, grouping] = ids[i % len(ids)]
        frame.loc[row, label] = groups[ids[i % len(ids)]]
    return frame


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
