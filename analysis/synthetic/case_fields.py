"""The reconstruction's case fields: case type, offence, RoSH and the other fields, drawn so
that every published count of a field holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..method.bank import QuestionBank
from ..method.published import Published
from .published_counts import ReconstructionError, count_for, largest_remainder, pick

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


NOT_RECORDED = "not_recorded"


# Offences against the person: MAPPA eligibility, statutory victim contact, an identifiable
# victim and a higher RoSH are drawn preferring these.
VIOLENT_OFFENCES = ("violence", "sexual", "robbery")


# Statutory victim contact follows a custodial sentence of 12 months or more for a violent or
# sexual offence, so in this sample it is a licence case (assumptions in the published file).
STATUTORY_VICTIM_CASE_TYPE = "licence"


@dataclass
class Draw:
    """One attempt's working state: the case frame (NA = not applicable) and its randomness."""

    frame: pd.DataFrame
    rng: np.random.Generator
    quality: np.ndarray
    noise_sd: float = 1.0  # see reconstruct.noise_sd: sets the within-case correlation

    @property
    def rows(self) -> list[int]:
        return list(range(len(self.frame)))

    def where(self, name: str, levels: Iterable[str]) -> list[int]:
        col = self.frame[name]
        wanted = set(levels)
        return [i for i in self.rows if col.iat[i] is not pd.NA and col.iat[i] in wanted]


def field_counts(pub: Published, field: str, total: int,
                  rng: np.random.Generator) -> tuple[dict[str, int], int]:
    """Published counts of a field's levels, and the base they are counted over."""
    figs = pub.on(field, "field")
    counts = {str(f.level): count_for(f, rng) for f in figs}
    base = figs[0].n if figs else total
    return counts, base


def assign(draw: Draw, name: str, counts: Mapping[str, int], rows: Sequence[int],
            weights: Mapping[str, Sequence[float]] | None = None) -> None:
    """Give each level its count among ``rows``, in scale order, optionally weighted per level."""
    free = list(rows)
    for level, k in counts.items():
        w = None
        if weights and level in weights:
            lookup = dict(zip(rows, weights[level], strict=True))
            w = [lookup[r] for r in free]
        chosen = pick(free, k, draw.rng, w)
        draw.frame.loc[chosen, name] = level
        taken = set(chosen)
        free = [r for r in free if r not in taken]
    if free:
        raise ReconstructionError(f"{name}: {len(free)} cases left without a level")


def case_types(draw: Draw, bank: QuestionBank, pub: Published,
                gates: Mapping[tuple[str, frozenset[str]], int]) -> None:
    """Licences as published; community sentences split between the two order types.

    The report counts orders made only where a report was written (15 suspended, 32 community
    orders); the no-report cases' order types are free, drawn at random.
    """
    total = len(draw.frame)
    counts, _ = field_counts(pub, "case_type", total, draw.rng)
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
    assign(draw, "case_type", {lv: counts[lv] for lv in levels}, draw.rows)


def offence_groups(draw: Draw, bank: QuestionBank, pub: Published) -> None:
    """Published groups as counted over the cases with a recorded offence; the rest synthetic.

    Groups the report does not count must stay below its smallest published group, since the
    report names the published ones as the most prevalent.
    """
    total = len(draw.frame)
    counts, base = field_counts(pub, "offence_group", total, draw.rng)
    counts[NOT_RECORDED] = total - base
    rest = base - sum(v for k, v in counts.items() if k != NOT_RECORDED)
    others = largest_remainder(rest, SYNTHETIC_SHARES["offence_group"])
    cap = min((v for k, v in counts.items() if k != NOT_RECORDED), default=total)
    if any(v >= cap for v in others.values()):
        raise ReconstructionError("offence_group: a synthetic group would outnumber a "
                                  "published one")
    counts.update(others)
    levels = bank.scale_of("offence_group").levels
    assign(draw, "offence_group", {lv: counts.get(lv, 0) for lv in levels}, draw.rows)


def synthetic_field(draw: Draw, bank: QuestionBank, field: str) -> None:
    """A field the report does not count: synthetic shares, at random across cases."""
    counts = largest_remainder(len(draw.frame), SYNTHETIC_SHARES[field])
    levels = bank.scale_of(field).levels
    assign(draw, field, {lv: counts.get(lv, 0) for lv in levels}, draw.rows)


def violent(draw: Draw, rows: Sequence[int], factor: float = 3.0) -> list[float]:
    """Weights favouring offences against the person."""
    col = draw.frame["offence_group"]
    return [factor if col.iat[r] in VIOLENT_OFFENCES else 1.0 for r in rows]


def rosh(draw: Draw, bank: QuestionBank, pub: Published,
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
    counts = largest_remainder(n_high, SYNTHETIC_SHARES["rosh_inspector"])
    counts.update({lv: 0 for lv in scale if lv not in high_levels})
    counts[scale[0]] = total - n_high
    order = {lv: i for i, lv in enumerate(scale)}
    # Higher levels first, favouring violent offences, so that they are not left to chance.
    free = draw.rows
    for lv in sorted(scale, key=lambda v: -order[v]):
        chosen = pick(free, counts[lv], draw.rng, violent(draw, free) if order[lv] else None)
        draw.frame.loc[chosen, "rosh_inspector"] = lv
        free = [r for r in free if r not in set(chosen)]
    draw.frame["rosh_start"] = draw.frame["rosh_inspector"]
    moved: set[int] = set()
    for fig in pub.crosstabs("rosh_start", "rosh_inspector"):
        (start,), (inspector,) = fig.row_level, fig.col_level
        if start == inspector or not fig.k:
            continue
        rows = [r for r in draw.where("rosh_inspector", [inspector]) if r not in moved]
        chosen = pick(rows, fig.k, draw.rng)
        draw.frame.loc[chosen, "rosh_start"] = start
        moved.update(chosen)


def yes_field(draw: Draw, pub: Published, field: str, rows: Sequence[int],
               weights: Sequence[float] | None) -> None:
    """A yes/no field with a published count of "yes", drawn among ``rows``."""
    counts, _ = field_counts(pub, field, len(draw.frame), draw.rng)
    chosen = pick(rows, counts.get("yes", 0), draw.rng, weights)
    draw.frame[field] = "no"
    draw.frame.loc[chosen, field] = "yes"


def rosh_rank(draw: Draw, bank: QuestionBank, row: int) -> int:
    """The inspectors' RoSH of a case as a rank (0 = low)."""
    return bank.scale_of("rosh_inspector").levels.index(str(draw.frame["rosh_inspector"].iat[row]))


def draw_fields(draw: Draw, bank: QuestionBank, pub: Published,
            gates: Mapping[tuple[str, frozenset[str]], int]) -> None:
    """Every case field, published counts first, then synthetic ones."""
    case_types(draw, bank, pub, gates)
    offence_groups(draw, bank, pub)
    synthetic_field(draw, bank, "sex")
    synthetic_field(draw, bank, "ethnicity")
    rosh(draw, bank, pub, gates)
    mappa_w = [w * (1 + rosh_rank(draw, bank, r)) for r, w in
               zip(draw.rows, violent(draw, draw.rows), strict=True)]
    yes_field(draw, pub, "mappa_eligible", draw.rows, mappa_w)
    licences = draw.where("case_type", [STATUTORY_VICTIM_CASE_TYPE])
    yes_field(draw, pub, "statutory_victim", licences, violent(draw, licences, 5.0))
