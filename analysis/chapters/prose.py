"""Findings as sentences: "In 64 of the 87 cases (nearly three-quarters, 74%), ...".

The wording lives in ``wording/outcomes.j2`` (the ``sentence`` macro) and in
``templates/clauses.yaml`` (what a sufficient answer to each question says), so a sentence can
be changed without touching Python. This module only gathers the values: every count and share
is a number of the report model, hidden as the area's disclosure says, and the words come from
the one word scale (:mod:`analysis.method.words`). A withheld share loses its words too: they
would reveal it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..core.yamlfile import parse
from ..method.disclosure import k_key, n_key
from ..method.keyfindings import (
    IMPROVE_UPPER,
    MAX_LISTED,
    MAX_PER_OUTCOME,
    MAX_PRIORITIES,
    MIN_PRIORITIES,
    STRENGTH_LOWER,
    KeyFindings,
    key_findings,
)
from ..method.words import describe
from ..report.exhibit import Exhibit
from ..report.model import Heading, ItemList, Kind, Number, Paragraph, depends_on
from . import style
from .context import AreaContext
from .numbers import constant, percent
from .say import say

CLAUSES = Path(__file__).resolve().parent / "wording" / "clauses.yaml"


@lru_cache(maxsize=1)
def clauses() -> dict[str, str]:
    """What a sufficient answer says, by question id (``wording/clauses.yaml``)."""
    raw = parse(CLAUSES.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in (raw or {}).items()}


@dataclass(frozen=True)
class Finding:
    """One question's figure, as numbers of the report model, ready for a sentence."""

    clause: str
    k: Number
    n: Number
    share: Number
    interval: Number
    words: str
    hidden: bool
    k_value: int
    n_value: int
    whole_sample: bool

    @property
    def all(self) -> bool:
        return self.k_value == self.n_value

    @property
    def none(self) -> bool:
        return self.k_value == 0


def finding(ctx: AreaContext, row: pd.Series) -> Finding:
    """A question-scores row as a :class:`Finding` (n > 0)."""
    k, n = int(row["k"]), int(row["n"])
    qid = str(row["question"])
    kk, nk = k_key(qid), n_key(qid)
    hidden = ctx.disclosure.share_hidden(kk, nk)
    label = str(row["label"]).lower()
    clause = clauses().get(qid, f"{label} was judged sufficient")
    cases = int(ctx.tables["outcome_scores"]["n_cases"].iloc[0])
    count = ctx.count(kk)
    return Finding(clause=clause, k=count if not hidden else Number(
                       count.value, count.kind, count.lineage, shown=False),
                   n=ctx.count(nk), share=ctx.share(kk, nk),
                   interval=ctx.interval(kk, nk, float(row["lower"]), float(row["upper"])),
                   words="" if hidden else describe(k, n), hidden=hidden, k_value=k, n_value=n,
                   whole_sample=n == cases)


def criterion_paragraph(ctx: AreaContext, rows: pd.DataFrame,
                        score: Number | None = None) -> tuple[Paragraph, ...]:
    """What stands out in one criterion, before its table (which gives every question): with
    one or two questions, a sentence each; with more, the question done best and the one done
    least well, each against the criterion's ``score`` (the area's own level), said once.
    Questions that applied to no case, or whose share is withheld, are left to the table."""
    found = [(finding(ctx, r), float(r["share"])) for _, r in rows.iterrows()
             if int(r["n"]) > 0]
    if not found:
        return ()
    if len(found) <= 2:
        return (Paragraph(say("outcomes.criterion_paragraph",
                              findings=[f for f, _ in found]), "findings"),)
    shown = [(f, share) for f, share in found if not f.hidden]
    if not shown:
        return ()
    enough = [(f, share) for f, share in shown if f.n_value >= min_listed_n(ctx)]
    shown = enough or shown
    if len(shown) == 1:
        return (Paragraph(say("outcomes.criterion_paragraph", findings=[shown[0][0]]),
                          "findings"),)
    best = max(shown, key=lambda x: x[1])
    worst = min(shown, key=lambda x: x[1])
    level = score if score is not None and ctx.disclosure.shows(score.cells()) else None
    return (Paragraph(say("outcomes.criterion_lead", count=constant(len(found), "design"),
                          best=best[0], worst=worst[0], score=score,
                          same=best[1] == worst[1],
                          best_gap=_gap(best[0], best[1], level),
                          worst_gap=_gap(worst[0], worst[1], level)), "findings"),)


def _gap(f: Finding, share: float, score: Number | None) -> tuple[Number, str] | None:
    """How far a share lies from the criterion's score: whole points and "above" or
    "below" (None without a score, or when the score is withheld: the gap and the share
    beside it would give the score back, and through it a withheld share of the criterion).
    The gap is computed from both, so the lineage rule sees both."""
    if score is None or not isinstance(score.value, float):
        return None
    gap = share - score.value
    return (Number(abs(100 * gap), Kind.NUMBER, depends_on(f.share.lineage, score.lineage)),
            "above" if gap > 0 else "below")


def min_listed_n(ctx: AreaContext) -> int:
    """The smallest denominator a key finding may rest on in this build."""
    return max(style.SMALL_N, ctx.disclosure.policy.smallest_shown)


def outcome_key_findings(ctx: AreaContext, outcome: int) -> KeyFindings:
    """The rule's lists for one outcome of this area (one rule, :mod:`..method.keyfindings`)."""
    return key_findings(ctx.choosable_questions(), outcome, min_listed_n(ctx))


def _listed(ctx: AreaContext, rows: pd.DataFrame, empty: str) -> ItemList | Paragraph:
    if rows.empty:
        return Paragraph(say(empty))
    macro = "outcomes.key_improvement" if empty == "outcomes.no_improvement" \
        else "outcomes.key_finding"
    return ItemList(tuple(say(macro, f=finding(ctx, r))
                          for _, r in rows.iterrows()), ordered=True, role="key-findings")


def key_rule(ctx: AreaContext) -> Paragraph:
    """How key strengths, areas for improvement and priorities are chosen: said once, in the
    methods appendix."""
    return Paragraph(say("outcomes.key_rule", strength_lower=percent(STRENGTH_LOWER),
                         improve_upper=percent(IMPROVE_UPPER),
                         min_n=constant(min_listed_n(ctx)), max_listed=constant(MAX_LISTED),
                         min_priorities=constant(MIN_PRIORITIES),
                         max_priorities=constant(MAX_PRIORITIES),
                         per_outcome=constant(MAX_PER_OUTCOME)))


def key_findings_block(ctx: AreaContext, outcome: int, level: int = 3,
                       slug: str | None = None) -> Exhibit:
    """Key strengths and areas for improvement as sentences with k, n and the interval; its
    data are the listed questions' rows, marked strength or improvement."""
    kf = outcome_key_findings(ctx, outcome)
    slug = slug or f"outcome-{outcome}"
    blocks = (Heading("Key strengths", level, f"{slug}-strengths"),
              _listed(ctx, kf.strengths, "outcomes.no_strength"),
              Heading("Key areas for improvement", level, f"{slug}-improve"),
              _listed(ctx, kf.improvements, "outcomes.no_improvement"))
    listed = pd.concat([kf.strengths.assign(listed="strength"),
                        kf.improvements.assign(listed="improvement")], ignore_index=True)
    return Exhibit(blocks, listed)
