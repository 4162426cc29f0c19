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
    STRENGTH_LOWER,
    KeyFindings,
    key_findings,
)
from ..method.words import describe
from ..report.exhibit import Exhibit
from ..report.model import Heading, ItemList, Number, Paragraph
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


def criterion_paragraph(ctx: AreaContext, rows: pd.DataFrame) -> tuple[Paragraph, ...]:
    """The sentences for one criterion's questions, before its table (n = 0 left out)."""
    found = [finding(ctx, r) for _, r in rows.iterrows() if int(r["n"]) > 0]
    if not found:
        return ()
    return (Paragraph(say("outcomes.criterion_paragraph", findings=found), "findings"),)


def min_listed_n(ctx: AreaContext) -> int:
    """The smallest denominator a key finding may rest on in this build."""
    return max(style.SMALL_N, ctx.disclosure.policy.smallest_shown)


def outcome_key_findings(ctx: AreaContext, outcome: int) -> KeyFindings:
    """The rule's lists for one outcome of this area (one rule, :mod:`..method.keyfindings`)."""
    return key_findings(ctx.tables["question_scores"], outcome, min_listed_n(ctx))


def _listed(ctx: AreaContext, rows: pd.DataFrame, empty: str) -> ItemList | Paragraph:
    if rows.empty:
        return Paragraph(say(empty))
    return ItemList(tuple(say("outcomes.key_finding", f=finding(ctx, r))
                          for _, r in rows.iterrows()), ordered=True, role="key-findings")


def key_findings_block(ctx: AreaContext, outcome: int, level: int = 3,
                       slug: str | None = None) -> Exhibit:
    """Key strengths and areas for improvement as sentences with k, n and the interval; its
    data are the listed questions' rows, marked strength or improvement."""
    kf = outcome_key_findings(ctx, outcome)
    slug = slug or f"outcome-{outcome}"
    blocks = (Heading("Key strengths", level, f"{slug}-strengths"),
              _listed(ctx, kf.strengths, "outcomes.no_strength"),
              Heading("Key areas for improvement", level, f"{slug}-improve"),
              _listed(ctx, kf.improvements, "outcomes.no_improvement"),
              Paragraph(say("outcomes.key_rule", strength_lower=percent(STRENGTH_LOWER),
                            improve_upper=percent(IMPROVE_UPPER),
                            min_n=constant(min_listed_n(ctx)), max_listed=constant(MAX_LISTED)),
                        "note"))
    listed = pd.concat([kf.strengths.assign(listed="strength"),
                        kf.improvements.assign(listed="improvement")], ignore_index=True)
    return Exhibit(blocks, listed)
