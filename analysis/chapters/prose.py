"""Findings as sentences: "In 64 of the 87 cases (nearly three-quarters, 74%), ...".

The wording lives in Jinja2 templates (``templates/*.html.j2``) and in ``templates/clauses.yaml``
(what a sufficient answer to each question says), so a sentence can be changed without touching
Python. This module only gathers the values: every count and share is formatted by the area's
:class:`~analysis.method.disclosure.Disclosure`, and the words come from the one word scale
(:mod:`analysis.method.words`). A withheld share loses its words too: they would reveal it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..core.yamlfile import parse
from ..method.disclosure import SUPPRESSED, k_key, n_key
from ..method.keyfindings import KeyFindings, key_findings, rule_text
from ..method.words import describe
from ..report.exhibit import Exhibit
from . import style
from .context import AreaContext
from .templating import TEMPLATES, render


@lru_cache(maxsize=1)
def clauses() -> dict[str, str]:
    """What a sufficient answer says, by question id (``templates/clauses.yaml``)."""
    raw = parse((TEMPLATES / "clauses.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in (raw or {}).items()}


@dataclass(frozen=True)
class Finding:
    """One question's figure, formatted for people, ready for a sentence template."""

    clause: str
    k: str
    n: str
    share: str
    interval: str
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
    return Finding(clause=clause, k=SUPPRESSED if hidden else ctx.count(kk), n=ctx.count(nk),
                   share=ctx.share(kk, nk),
                   interval=ctx.interval(kk, nk, float(row["lower"]), float(row["upper"])),
                   words="" if hidden else describe(k, n), hidden=hidden, k_value=k, n_value=n,
                   whole_sample=n == cases)


def criterion_paragraph(ctx: AreaContext, rows: pd.DataFrame) -> str:
    """The sentences for one criterion's questions, before its table (n = 0 left out)."""
    found = [finding(ctx, r) for _, r in rows.iterrows() if int(r["n"]) > 0]
    return render("criterion.html.j2", findings=found)


def min_listed_n(ctx: AreaContext) -> int:
    """The smallest denominator a key finding may rest on in this build."""
    return max(style.SMALL_N, ctx.disclosure.policy.smallest_shown)


def outcome_key_findings(ctx: AreaContext, outcome: int) -> KeyFindings:
    """The rule's lists for one outcome of this area (one rule, :mod:`..method.keyfindings`)."""
    return key_findings(ctx.tables["question_scores"], outcome, min_listed_n(ctx))


def key_findings_block(ctx: AreaContext, outcome: int, level: int = 3,
                       slug: str | None = None) -> Exhibit:
    """Key strengths and areas for improvement as sentences with k, n and the interval; its
    data are the listed questions' rows, marked strength or improvement."""
    kf = outcome_key_findings(ctx, outcome)
    html = render("key_findings.html.j2", level=level, slug=slug or f"outcome-{outcome}",
                  strengths=[finding(ctx, r) for _, r in kf.strengths.iterrows()],
                  improvements=[finding(ctx, r) for _, r in kf.improvements.iterrows()],
                  rule=rule_text(min_listed_n(ctx)))
    listed = pd.concat([kf.strengths.assign(listed="strength"),
                        kf.improvements.assign(listed="improvement")], ignore_index=True)
    return Exhibit(html, listed)
